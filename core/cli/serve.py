"""`python -m core serve`: start the dashboard, on loopback unless a password allows the LAN."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from core.access import bind_refusal, configured_password
from core.cli.args import Command, UsageError, port

APP = Path(__file__).resolve().parents[2] / "app.py"


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=port, default=8501)


def _run(args: argparse.Namespace) -> str:
    refusal = bind_refusal(args.host, configured_password())
    if refusal:
        raise UsageError(refusal)
    argv = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", args.host,
            "--server.port", str(args.port)]
    print(f"serving on http://{args.host}:{args.port}", flush=True)
    os.execv(sys.executable, argv)
    return ""  # not reached: execv replaces this process


COMMANDS = (Command("serve", "start the dashboard (loopback unless a password is configured)", _configure, _run),)
