"""`python -m core models|gpus|vram`: the catalogs and the memory estimator."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from core.cli.args import Command, UsageError, add_model_flags, gpu_arg, positive_int, resolve_model
from core.plan.catalog import GpuSpec, catalog
from core.plan.estimate import ENGINES, MODES, MemoryEstimate, Scenario, estimate
from core.plan.models import ModelArch, model_catalog
from core.plan.training import OPTIMIZER_STATE_BYTES


def _configure_vram(vram: argparse.ArgumentParser) -> None:
    add_model_flags(vram)
    vram.add_argument("--batch", type=positive_int, default=1)
    vram.add_argument("--parallel", type=positive_int, default=1,
                      help="parallel requests; --context is per request (Ollama's num_ctx; llama.cpp's -c is context × parallel)")
    vram.add_argument("--kv-unified", action="store_true",
                      help="llama.cpp only: llama-server's shared cache (--kv-unified; what -np auto does, with 4 slots)")
    vram.add_argument("--ubatch", type=positive_int, default=None,
                      help="the -ub micro-batch (default: the engine's own, 512 for llama.cpp, automatic for Ollama)")
    vram.add_argument("--kv-cache", default="f16")
    vram.add_argument("--engine", default="ollama", choices=ENGINES)
    vram.add_argument("--gpu", help="GPU id (python -m core gpus)")
    vram.add_argument("--gpus", type=positive_int, default=1)
    vram.add_argument("--mode", default="inference", choices=MODES)
    vram.add_argument("--optimizer", default="adamw", choices=tuple(OPTIMIZER_STATE_BYTES))
    vram.add_argument("--precision", default="mixed", choices=("mixed", "bf16", "fp32"))
    vram.add_argument("--lora-rank", type=positive_int, default=16)
    vram.add_argument("--grad-checkpointing", action="store_true")
    vram.add_argument("--json", action="store_true")


def _configure_listing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true")


def estimate_json(est: MemoryEstimate) -> dict[str, Any]:
    return {
        "total_gib": round(est.total_gib, 3),
        "components_gib": {k: round(v, 3) for k, v in est.components_gib.items()},
        "per_gpu_gib": [round(v, 3) for v in est.per_gpu_gib],
        "fits": est.fits,
        "usable_gib_per_gpu": None if est.usable_gib_per_gpu is None else round(est.usable_gib_per_gpu, 3),
        "host_gib": round(est.host_gib, 3),
        "gpu_layers": est.gpu_layers,
        "expert_layers_on_gpu": est.expert_layers_on_gpu,
        "total_layers": est.total_layers,
        "max_concurrent_tokens": est.max_concurrent_tokens,
        "margin_gib": est.margin_gib,
        "ubatch": est.ubatch,
        "formulas": {t.key: t.substituted for t in est.terms},
    }


def _cmd_vram(args: argparse.Namespace) -> str:
    model = resolve_model(args)
    scenario = Scenario(
        model=model, quant=args.quant, context=args.context, batch=args.batch, parallel=args.parallel,
        kv_cache=args.kv_cache, engine=args.engine, gpu=gpu_arg(args), gpus=args.gpus, mode=args.mode,
        optimizer=args.optimizer, precision=args.precision, grad_checkpointing=args.grad_checkpointing,
        lora_rank=args.lora_rank, ubatch=args.ubatch, kv_unified=args.kv_unified,
    )
    try:
        est = estimate(scenario)
    except ValueError as exc:  # InputError, and any other value the estimator refuses
        raise UsageError(str(exc)) from None
    if args.json:
        return json.dumps(estimate_json(est))
    lines = [f"{model.name}  {args.quant}  ctx {args.context:,}  ({args.engine}, {args.mode})"]
    lines += [f"  {k:<15} {v:8.2f} GiB" for k, v in est.components_gib.items()]
    lines.append(f"  {'total':<15} {est.total_gib:8.2f} GiB")
    if est.fits is not None:
        per_gpu = ", ".join(f"{v:.2f}" for v in est.per_gpu_gib)
        lines.append(f"  per GPU [{per_gpu}] GiB of {est.usable_gib_per_gpu:.1f} usable: "
                     + ("fits" if est.fits else _placement(est)))
    if est.margin_gib and est.fits is not None:
        lines.append(f"  {args.engine} keeps {est.margin_gib:g} GiB free per GPU before it calls the model whole "
                     f"(llama.cpp --fit); micro-batch {est.ubatch}")
    if scenario.gpu is not None and scenario.gpu.from_database:
        lines.append(f"  {scenario.gpu.name}: from the TechPowerUp GPU database ({scenario.gpu.source_urls[0]}), "
                     "not the curated catalog")
    return "\n".join(lines)


def _placement(est: MemoryEstimate) -> str:
    if est.expert_layers_on_gpu is not None:
        return (f"does not fit whole (every layer on the GPU, the routed experts of "
                f"{est.total_layers - est.expert_layers_on_gpu}/{est.total_layers} layers in system RAM)")
    return f"does not fit ({est.gpu_layers}/{est.total_layers} layers on GPU)"


def _model_row(model: ModelArch) -> dict[str, Any]:
    return {
        "id": model.id, "name": model.name, "params_b": model.params_b, "layers": model.layers,
        "hidden": model.hidden, "heads": model.heads, "kv_heads": model.kv_heads, "head_dim": model.head_dim,
        "sliding_kv_dim": model.sliding_kv_dim, "latent_kv": model.latent_kv,
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


COMMANDS = (
    Command("models", "list the model catalog", _configure_listing,
            lambda a: _listing([_model_row(m) for m in model_catalog()], a.json, ("id", "name", "params_b"))),
    Command("gpus", "list the GPU catalog", _configure_listing,
            lambda a: _listing([_gpu_row(g) for g in catalog()], a.json, ("id", "name", "vram_gib", "bandwidth_gbps"))),
    Command("vram", "estimate GPU memory for a model and a scenario", _configure_vram, _cmd_vram),
)


