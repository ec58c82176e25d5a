"""Fit the activation coefficient of the fine-tuning estimator to published peak-memory measurements,
and report the error on sources kept out of the fit (data/training_memory.csv, docs/calibration.md).

The fit uses the Qwen README's LoRA/QLoRA table only; ms-swift, LitGPT and torchtune measure other
models with other code and are the held-out test.
"""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass
from pathlib import Path

from core.plan import training
from core.plan.estimate import Scenario, estimate
from core.plan.models import ModelArch
from core.units import GIB

ROOT = Path(__file__).resolve().parents[1]
FIT_SOURCES = ("QwenLM/Qwen",)
# Vocabulary sizes from each family's config.json: the fp32 logits of the loss scale with them.
VOCAB = {"qwen": 151936, "llama-3": 128256, "llama-2": 32000, "phi-1.5": 51200, "stablelm": 50688}


@dataclass(frozen=True)
class Row:
    source: str
    scenario: Scenario
    peak_gib: float


def _vocab(name: str) -> int:
    lowered = name.lower()
    return next((v for prefix, v in VOCAB.items() if lowered.startswith(prefix)), 32000)


def load_rows(path: Path = ROOT / "data" / "training_memory.csv") -> list[Row]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for raw in csv.DictReader(handle):
            usable = (raw["layers"] and raw["hidden"] and raw["method"] in ("lora", "qlora")
                      and raw["grad_checkpointing"] in ("true", "false") and raw["optimizer"] != "unknown"
                      and "unsloth" not in raw["source_url"] and "LoRA (emb)" not in raw["notes"])
            if not usable:
                continue
            hidden, layers = int(raw["hidden"]), int(raw["layers"])
            model = ModelArch(id=raw["model"], name=raw["model"], params_b=float(raw["params_b"]), layers=layers,
                              hidden=hidden, heads=hidden // 128, kv_heads=hidden // 128, head_dim=128,
                              vocab=_vocab(raw["model"]), context_max=1 << 20)
            scenario = Scenario(model=model, context=int(raw["seq_len"]), batch=int(raw["batch"]), mode=raw["method"],
                                optimizer=raw["optimizer"], grad_checkpointing=raw["grad_checkpointing"] == "true")
            source = "/".join(raw["source_url"].split("/")[3:5])
            rows.append(Row(source, scenario, float(raw["peak_gib"])))
    return rows


def parts(row: Row) -> tuple[float, float, float]:
    """(everything but activations, the formula's saved activations at k = 1, the logits) in GiB."""
    unit = training.TrainingSetup(mode=row.scenario.mode, grad_checkpointing=row.scenario.grad_checkpointing,
                                  batch=row.scenario.batch, seq_len=row.scenario.context)
    logits = training.activations(row.scenario.model, unit, fit=0.0).bytes / GIB
    saved = training.activations(row.scenario.model, unit, fit=1.0).bytes / GIB - logits
    est = estimate(row.scenario)
    rest = est.total_gib - est.components_gib["activations"] - est.components_gib["runtime"]
    return rest, saved, logits


def least_squares(rows: list[Row]) -> tuple[float, float]:
    """Fit measured = rest + logits + CUDA context + c·P_B + k·saved for c (GiB per billion
    parameters) and k, by ordinary least squares without an intercept (the context is measured)."""
    a11 = a12 = a22 = b1 = b2 = 0.0
    context_gib = training.CUDA_CONTEXT_BYTES / GIB
    for row in rows:
        rest, saved, logits = parts(row)
        p, y = row.scenario.model.params_b, row.peak_gib - rest - logits - context_gib
        a11, a12, a22, b1, b2 = a11 + p * p, a12 + p * saved, a22 + saved * saved, b1 + p * y, b2 + saved * y
    det = a11 * a22 - a12 * a12
    return (b1 * a22 - b2 * a12) / det, (a11 * b2 - a12 * b1) / det


def errors(rows: list[Row]) -> list[float]:
    return [abs(estimate(r.scenario).total_gib - r.peak_gib) / r.peak_gib * 100 for r in rows]


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def run() -> None:
    rows = load_rows()
    fit_rows = [r for r in rows if r.source in FIT_SOURCES]
    held_out = [r for r in rows if r.source not in FIT_SOURCES]
    per_b, k = least_squares([r for r in fit_rows if r.scenario.grad_checkpointing])
    print(f"least-squares fit (gradient checkpointing): framework {per_b:.3f} GiB per B params, k = {k:.3f}")
    print(f"shipped: {training.FRAMEWORK_GIB_PER_B_PARAMS} GiB per B params, k = {training.ACTIVATION_FIT_CHECKPOINTED} "
          f"(checkpointed), {training.ACTIVATION_FIT} (not: no such rows in the fit set, the formula as published)")
    for label, subset in (("fit set", fit_rows), ("held out", held_out)):
        errs = errors(subset)
        print(f"{label:>9}: median abs error {statistics.median(errs):.1f}%, p90 {p90(errs):.1f}% (n={len(errs)})")
    for source in sorted({r.source for r in held_out}):
        errs = errors([r for r in held_out if r.source == source])
        print(f"   {source:<28} median {statistics.median(errs):.1f}%  p90 {p90(errs):.1f}%  n={len(errs)}")
    worst = sorted(zip(errors(held_out), held_out, strict=True), key=lambda p: -p[0])[:3]
    for err, row in worst:
        s = row.scenario
        print(f"   worst: {row.source} {s.model.id} {s.mode} seq {s.context} bs {s.batch} "
              f"ckpt {s.grad_checkpointing}: measured {row.peak_gib} GiB, off by {err:.0f}%")
