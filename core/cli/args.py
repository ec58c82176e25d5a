"""What every command shares: the command record, one-line usage errors, and argument types.

A leaf module: the commands import it, it imports nothing of theirs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from core.errors import InputError
from core.plan.catalog import GpuSpec, find_gpu
from core.plan.hfconfig import CUSTOM_DEFAULTS, custom_model
from core.plan.models import ModelArch, find_model
from core.plan.quant import QUANTS

MAX_PORT = 65535


class UsageError(Exception):
    """Input the user can fix; printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


@dataclass(frozen=True)
class Command:
    """A subcommand: how it parses its flags and what it prints."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], str]


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be a positive whole number")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a positive, finite number")
    return value


def port(text: str) -> int:
    value = positive_int(text)
    if value > MAX_PORT:
        raise argparse.ArgumentTypeError(f"port {value} must be between 1 and {MAX_PORT}")
    return value


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="model id or Ollama tag (python -m core models)")
    for flag in ("--params-b", "--active-params-b"):
        parser.add_argument(flag, type=positive_float)
    for flag in ("--layers", "--hidden", "--heads", "--kv-heads", "--head-dim", "--vocab"):
        parser.add_argument(flag, type=positive_int)
    parser.add_argument("--quant", default="Q4_K_M", help=f"one of {', '.join(QUANTS)}")
    parser.add_argument("--context", type=positive_int, default=4096, help="context length in tokens")


def resolve_model(args: argparse.Namespace) -> ModelArch:
    """The model from --model, or the custom architecture flags."""
    custom = {k: getattr(args, k) for k in ("params_b", "layers", "hidden", "heads")}
    if args.model:
        if any(v is not None for v in custom.values()):
            raise UsageError("give either --model or the custom architecture flags, not both")
        try:
            return find_model(args.model)
        except InputError as exc:
            raise UsageError(str(exc)) from None
    missing = [f"--{k.replace('_', '-')}" for k, v in custom.items() if v is None]
    if missing:
        raise UsageError(f"--model is missing; a custom architecture needs {', '.join(missing)} as well")
    given = {k: getattr(args, k) for k in ("kv_heads", "head_dim", "vocab", "active_params_b")}
    try:
        return custom_model(params_b=args.params_b, layers=args.layers, hidden=args.hidden, heads=args.heads,
                            context_max=max(args.context, int(CUSTOM_DEFAULTS["context_max"])),
                            **{k: v for k, v in given.items() if v is not None})
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def gpu_arg(args: argparse.Namespace) -> GpuSpec | None:
    if not args.gpu:
        return None
    try:
        return find_gpu(args.gpu)
    except InputError as exc:
        raise UsageError(str(exc)) from None
