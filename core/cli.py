"""``python -m core``: the catalog and the estimators from a shell, with a stable JSON contract.

Bad input exits with status 2 and one line on stderr that names the value and what is allowed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, NoReturn

from core.catalog import GpuSpec, catalog, find_gpu
from core.csvdata import DataFileError
from core.estimate import ENGINES, MODES, MemoryEstimate, Scenario, estimate
from core.hfconfig import custom_model
from core.models import ModelArch, find_model, model_catalog
from core.quant import QUANTS
from core.training import OPTIMIZER_STATE_BYTES


class UsageError(Exception):
    """Input the user can fix; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be a positive whole number")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a positive, finite number")
    return value


def _add_model_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="model id or Ollama tag (python -m core models)")
    for flag in ("--params-b", "--active-params-b"):
        parser.add_argument(flag, type=_positive_float)
    for flag in ("--layers", "--hidden", "--heads", "--kv-heads", "--head-dim", "--vocab"):
        parser.add_argument(flag, type=_positive_int)
    parser.add_argument("--quant", default="Q4_K_M", help=f"one of {', '.join(QUANTS)}")
    parser.add_argument("--context", type=_positive_int, default=4096, help="context length in tokens")


def _configure_vram(vram: argparse.ArgumentParser) -> None:
    _add_model_flags(vram)
    vram.add_argument("--batch", type=_positive_int, default=1)
    vram.add_argument("--parallel", type=_positive_int, default=1)
    vram.add_argument("--kv-cache", default="f16")
    vram.add_argument("--engine", default="ollama", choices=ENGINES)
    vram.add_argument("--gpu", help="GPU id (python -m core gpus)")
    vram.add_argument("--gpus", type=_positive_int, default=1)
    vram.add_argument("--mode", default="inference", choices=MODES)
    vram.add_argument("--optimizer", default="adamw", choices=tuple(OPTIMIZER_STATE_BYTES))
    vram.add_argument("--precision", default="mixed", choices=("mixed", "bf16", "fp32"))
    vram.add_argument("--lora-rank", type=_positive_int, default=16)
    vram.add_argument("--grad-checkpointing", action="store_true")
    vram.add_argument("--json", action="store_true")


def _configure_listing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true")


def _build_parser() -> _Parser:
    parser = _Parser(prog="python -m core", description="GPU planning estimators and catalog.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in all_commands():
        command.configure(sub.add_parser(command.name, help=command.help))
    return parser


def resolve_model(args: argparse.Namespace) -> ModelArch:
    """The model from --model, or the custom architecture flags."""
    custom = {k: getattr(args, k) for k in ("params_b", "layers", "hidden", "heads")}
    if args.model:
        if any(v is not None for v in custom.values()):
            raise UsageError("give either --model or the custom architecture flags, not both")
        try:
            return find_model(args.model)
        except KeyError as exc:
            raise UsageError(exc.args[0]) from None
    missing = [f"--{k.replace('_', '-')}" for k, v in custom.items() if v is None]
    if missing:
        raise UsageError(f"--model is missing; a custom architecture needs {', '.join(missing)} as well")
    try:
        return custom_model(
            params_b=args.params_b, layers=args.layers, hidden=args.hidden, heads=args.heads,
            kv_heads=args.kv_heads, head_dim=args.head_dim, vocab=args.vocab or 32000,
            context_max=max(args.context, 131072), active_params_b=args.active_params_b,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _gpu(args: argparse.Namespace) -> GpuSpec | None:
    if not args.gpu:
        return None
    try:
        return find_gpu(args.gpu)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None


def estimate_json(est: MemoryEstimate) -> dict[str, Any]:
    return {
        "total_gib": round(est.total_gib, 3),
        "components_gib": {k: round(v, 3) for k, v in est.components_gib.items()},
        "per_gpu_gib": [round(v, 3) for v in est.per_gpu_gib],
        "fits": est.fits,
        "usable_gib_per_gpu": None if est.usable_gib_per_gpu is None else round(est.usable_gib_per_gpu, 3),
        "host_gib": round(est.host_gib, 3),
        "gpu_layers": est.gpu_layers,
        "total_layers": est.total_layers,
        "max_concurrent_tokens": est.max_concurrent_tokens,
        "formulas": {t.key: t.substituted for t in est.terms},
    }


def _cmd_vram(args: argparse.Namespace) -> str:
    model = resolve_model(args)
    scenario = Scenario(
        model=model, quant=args.quant, context=args.context, batch=args.batch, parallel=args.parallel,
        kv_cache=args.kv_cache, engine=args.engine, gpu=_gpu(args), gpus=args.gpus, mode=args.mode,
        optimizer=args.optimizer, precision=args.precision, grad_checkpointing=args.grad_checkpointing,
        lora_rank=args.lora_rank,
    )
    try:
        est = estimate(scenario)
    except (ValueError, KeyError) as exc:
        raise UsageError(exc.args[0]) from None
    if args.json:
        return json.dumps(estimate_json(est))
    lines = [f"{model.name}  {args.quant}  ctx {args.context:,}  ({args.engine}, {args.mode})"]
    lines += [f"  {k:<15} {v:8.2f} GiB" for k, v in est.components_gib.items()]
    lines.append(f"  {'total':<15} {est.total_gib:8.2f} GiB")
    if est.fits is not None:
        per_gpu = ", ".join(f"{v:.2f}" for v in est.per_gpu_gib)
        lines.append(f"  per GPU [{per_gpu}] GiB of {est.usable_gib_per_gpu:.1f} usable: "
                     + ("fits" if est.fits else f"does not fit ({est.gpu_layers}/{est.total_layers} layers on GPU)"))
    return "\n".join(lines)


def _model_row(model: ModelArch) -> dict[str, Any]:
    return {
        "id": model.id, "name": model.name, "params_b": model.params_b, "layers": model.layers,
        "hidden": model.hidden, "heads": model.heads, "kv_heads": model.kv_heads, "head_dim": model.head_dim,
        "vocab": model.vocab, "context_max": model.context_max, "aliases": list(model.aliases),
        "active_params_b": model.active_params_b, "source_urls": list(model.source_urls),
    }


def _gpu_row(gpu: GpuSpec) -> dict[str, Any]:
    row = asdict(gpu)
    row["source_urls"] = list(gpu.source_urls)
    return row


def _listing(rows: Sequence[dict[str, Any]], as_json: bool, columns: Sequence[str]) -> str:
    if as_json:
        return json.dumps(list(rows), ensure_ascii=False)
    return "\n".join("  ".join(str(row[c]) for c in columns) for row in rows)


@dataclass(frozen=True)
class Command:
    """A subcommand: how it parses its flags and what it prints. Feature modules define their own."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], str]


COMMANDS = (
    Command("models", "list the model catalog", _configure_listing,
            lambda a: _listing([_model_row(m) for m in model_catalog()], a.json, ("id", "name", "params_b"))),
    Command("gpus", "list the GPU catalog", _configure_listing,
            lambda a: _listing([_gpu_row(g) for g in catalog()], a.json, ("id", "name", "vram_gb", "bandwidth_gbps"))),
    Command("vram", "estimate GPU memory for a model and a scenario", _configure_vram, _cmd_vram),
)


def all_commands() -> tuple[Command, ...]:
    """This module's commands plus those of the feature modules (imported here, late, to keep start-up light)."""
    from core import cli_plan, cli_serve
    from core.monitor.exporter import COMMAND as EXPORT
    from core.monitor.record import COMMAND as RECORD

    return COMMANDS + cli_plan.COMMANDS + (RECORD, EXPORT) + cli_serve.COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _build_parser().parse_args(argv)
        command = next(c for c in all_commands() if c.name == args.command)
        print(command.run(args))
    except (UsageError, DataFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
