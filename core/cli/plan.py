"""`python -m core speed` and `python -m core recommend`: the speed estimator and the recommender."""

from __future__ import annotations

import argparse
import json
from typing import Any

from core.cli.args import Command, UsageError, add_model_flags, gpu_arg, positive_float, positive_int, resolve_model
from core.errors import InputError
from core.plan.catalog import catalog
from core.plan.estimate import ENGINES, MODES, Scenario
from core.plan.prices import price_book
from core.plan.recommend import Request, recommend
from core.plan.speed import BACKENDS, DEFAULT_SYSTEM_RAM_GBPS, ENGINES_FITTED, estimate_speed
from core.plan.speed_fitted import CALIBRATED_ON


def _configure_speed(parser: argparse.ArgumentParser) -> None:
    add_model_flags(parser)
    parser.add_argument("--gpu", required=True, help="GPU id (python -m core gpus)")
    parser.add_argument("--gpus", type=positive_int, default=1)
    parser.add_argument("--engine", default="ollama", choices=ENGINES)
    parser.add_argument("--kv-cache", default="f16")
    parser.add_argument("--users", type=positive_int, default=1)
    parser.add_argument("--prompt-tokens", type=positive_int, default=512)
    parser.add_argument("--system-ram-gbps", type=positive_float, default=DEFAULT_SYSTEM_RAM_GBPS)
    parser.add_argument("--backend", default="auto", choices=BACKENDS,
                        help="CUDA, ROCm, Vulkan, Metal or MLX (default: the usual one for the GPU and engine)")
    parser.add_argument("--no-flash-attention", action="store_true", help="attention without flash attention")
    parser.add_argument("--json", action="store_true")


def _run_speed(args: argparse.Namespace) -> str:
    scenario = Scenario(model=resolve_model(args), quant=args.quant, context=args.context, engine=args.engine,
                        kv_cache=args.kv_cache, gpu=gpu_arg(args), gpus=args.gpus)
    try:
        result = estimate_speed(scenario, users=args.users, prompt_tokens=args.prompt_tokens,
                                system_ram_gbps=args.system_ram_gbps, backend=args.backend,
                                flash_attention=not args.no_flash_attention)
    except ValueError as exc:  # InputError, and any other value the estimator refuses
        raise UsageError(str(exc)) from None
    payload = {
        "fits": result.fits, "gpu_layers": result.gpu_layers, "total_layers": result.total_layers,
        "decode_tokens_per_s": round(result.decode_tokens_per_s, 2),
        "decode_tokens_per_s_low": round(result.decode_tokens_per_s_low, 2),
        "decode_tokens_per_s_high": round(result.decode_tokens_per_s_high, 2),
        "backend": result.backend, "hardware_class": result.hardware_class, "calibrated_on": CALIBRATED_ON,
        "aggregate_tokens_per_s": round(result.aggregate_tokens_per_s, 2),
        "prefill_tokens_per_s": None if result.prefill_tokens_per_s is None else round(result.prefill_tokens_per_s, 1),
        "time_to_first_token_s": None if result.time_to_first_token_s is None else round(result.time_to_first_token_s, 3),
        "bottleneck": result.bottleneck, "formula": result.formula,
    }
    if not result.loads or not result.calibrated:
        # No speed to quote: the engine would not start, or nothing measured says how fast it runs (n/a, never a
        # figure nobody could stand behind).
        payload.update({key: None for key in ("decode_tokens_per_s", "decode_tokens_per_s_low", "decode_tokens_per_s_high",
                                               "aggregate_tokens_per_s", "prefill_tokens_per_s", "time_to_first_token_s")})
    if not result.loads:
        payload["bottleneck"] = "out_of_memory"
        payload["why"] = (f"{args.engine} keeps every layer on the GPU and will not start: its KV pool cannot hold one "
                          f"{args.context:,}-token sequence on {args.gpus} × {scenario.gpu.name if scenario.gpu else '?'}")
    elif not result.calibrated:
        payload["why"] = (f"{args.engine}'s own generation is not calibrated: too few published runs to fit its host "
                          f"cost or measure its error (engines calibrated: {', '.join(ENGINES_FITTED)})")
    if args.json:
        return json.dumps(payload)
    return "\n".join(f"{key:<24} {'n/a' if value is None else value}" for key, value in payload.items())


def _configure_recommend(parser: argparse.ArgumentParser) -> None:
    add_model_flags(parser)
    parser.add_argument("--engine", default="ollama", choices=ENGINES)
    parser.add_argument("--users", type=positive_int, default=1)
    parser.add_argument("--mode", default="inference", choices=MODES)
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--budget-krw", type=positive_float)
    budget.add_argument("--budget-usd", type=positive_float)
    parser.add_argument("--min-tokens-per-s", type=positive_float)
    parser.add_argument("--condition", default="new", choices=("new", "any"))
    parser.add_argument("--max-gpus", type=positive_int, default=4)
    parser.add_argument("--top", type=positive_int, default=10)
    parser.add_argument("--json", action="store_true")


def _run_recommend(args: argparse.Namespace) -> str:
    book = price_book()
    budget = args.budget_krw
    if args.budget_usd is not None:
        budget = book.to_krw(args.budget_usd)
        if budget is None:
            raise UsageError("--budget-usd needs a usd_krw rate in data/constants.csv; give --budget-krw instead")
    request = Request(models=(resolve_model(args),), quant=args.quant, context=args.context, users=args.users,
                      mode=args.mode, engine=args.engine, budget_krw=budget, min_tokens_per_s=args.min_tokens_per_s,
                      condition=args.condition, max_gpus=args.max_gpus)
    try:
        result = recommend(request, catalog(), book)
    except InputError as exc:
        raise UsageError(str(exc)) from None
    rate = book.usd_krw.value if book.usd_krw else None
    rows: list[dict[str, Any]] = [
        {
            "gpus": [{"id": o.gpu.id, "count": o.count}],
            "price_krw": None if o.price_krw is None else round(o.price_krw),
            "price_usd": None if o.price_krw is None or rate is None else round(o.price_krw / rate),
            "decode_tokens_per_s": None if o.decode_tokens_per_s is None else round(o.decode_tokens_per_s, 1),
            "decode_tokens_per_s_low": None if o.decode_tokens_per_s_low is None else round(o.decode_tokens_per_s_low, 1),
            "decode_tokens_per_s_high": None if o.decode_tokens_per_s_high is None else round(o.decode_tokens_per_s_high, 1),
            "tight": o.tight,
            "fits": o.fits, "headroom_gib": round(o.headroom_gib, 2),
            "power_w": None if o.workstation.power_w is None else round(o.workstation.power_w),
            "meets_target": o.meets_target, "reasons": [r.text("en") for r in o.reasons],
        }
        for o in result.options[: args.top]
    ]
    if args.json:
        return json.dumps(rows)
    if not rows:
        return "no configuration meets every condition"
    return "\n".join(
        f"{i + 1:>2}. {r['gpus'][0]['count']}x {r['gpus'][0]['id']:<24} {r['price_krw'] or 'n/a':>12} KRW  "
        f"{r['decode_tokens_per_s'] or 'n/a':>7} tok/s  {'; '.join(r['reasons'])}"
        for i, r in enumerate(rows)
    )


COMMANDS = (
    Command("speed", "estimate decode and prefill speed on a GPU", _configure_speed, _run_speed),
    Command("recommend", "rank GPU workstations for a model, budget and speed target", _configure_recommend,
            _run_recommend),
)
