"""``python -m core``: the catalog and the estimators from a shell, with a stable JSON contract.

Bad input exits with status 2 and one line on stderr that names the value and what is allowed. The
commands import the domain; nothing in the domain imports the CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from core.cli import bench, catalog, monitor, plan, serve
from core.cli.args import Command, Parser, UsageError
from core.csvdata import DataFileError

COMMANDS: tuple[Command, ...] = catalog.COMMANDS + plan.COMMANDS + bench.COMMANDS + monitor.COMMANDS + serve.COMMANDS


def _build_parser() -> Parser:
    parser = Parser(prog="python -m core", description="GPU planning estimators and catalog.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.configure(sub.add_parser(command.name, help=command.help))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _build_parser().parse_args(argv)
        command = next(c for c in COMMANDS if c.name == args.command)
        print(command.run(args))
    except (UsageError, DataFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
