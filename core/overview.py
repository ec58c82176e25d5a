"""The home page's one-line answer: what a model needs and how it runs on this machine's GPUs."""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog import GpuSpec
from core.estimate import Scenario, estimate
from core.models import ModelArch
from core.speed import estimate_speed


@dataclass(frozen=True)
class Glance:
    total_gib: float
    gpu: GpuSpec
    count: int
    fits: bool
    decode_tokens_per_s: float


def glance(model: ModelArch, context: int, users: int, gpu: GpuSpec, count: int = 1) -> Glance:
    """Ollama defaults (Q4_K_M, f16 KV) on ``count`` × ``gpu``; the same figures the other pages give."""
    scenario = Scenario(model=model, quant="Q4_K_M", context=min(context, model.context_max), parallel=users,
                        engine="ollama", gpu=gpu, gpus=count)
    memory = estimate(scenario)
    speed = estimate_speed(Scenario(**{**scenario.__dict__, "parallel": 1}), users=users)
    return Glance(memory.total_gib, gpu, count, bool(memory.fits), speed.decode_tokens_per_s)
