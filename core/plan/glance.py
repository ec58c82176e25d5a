"""The home page's one-line answer: what a model needs and how it runs on this machine's GPUs."""

from __future__ import annotations

from dataclasses import dataclass

from core.plan.catalog import GpuSpec
from core.plan.estimate import Scenario, estimate
from core.plan.models import ModelArch
from core.plan.speed import estimate_speed


@dataclass(frozen=True)
class Glance:
    total_gib: float
    gpu: GpuSpec
    count: int
    fits: bool
    decode_tokens_per_s: float
    decode_tokens_per_s_low: float
    decode_tokens_per_s_high: float


FALLBACK_GPU = "rtx-4090"
"""The team's mid tier: the home page's scenario runs on it when this machine has no GPU the catalog knows."""


def scenario_gpus(detected: tuple[GpuSpec, int] | None, gpus: tuple[GpuSpec, ...]) -> tuple[GpuSpec, int]:
    """This machine's GPUs when the catalog knows them, else one card of the mid tier (else the first card)."""
    if detected:
        return detected
    return next((g for g in gpus if g.id == FALLBACK_GPU), gpus[0]), 1


def glance(model: ModelArch, context: int, users: int, gpu: GpuSpec, count: int = 1) -> Glance:
    """Ollama defaults (Q4_K_M, f16 KV) on ``count`` × ``gpu``; the same figures the other pages give."""
    scenario = Scenario(model=model, quant="Q4_K_M", context=min(context, model.context_max), parallel=users,
                        engine="ollama", gpu=gpu, gpus=count)
    memory = estimate(scenario)
    speed = estimate_speed(Scenario(**{**scenario.__dict__, "parallel": 1}), users=users)
    return Glance(memory.total_gib, gpu, count, bool(memory.fits), speed.decode_tokens_per_s,
                  speed.decode_tokens_per_s_low, speed.decode_tokens_per_s_high)
