"""Searches over the memory estimate: how many cards, how long a context, memory against context."""

from __future__ import annotations

import math
from dataclasses import replace

from core.plan.catalog import GpuSpec
from core.plan.estimate import Scenario, estimate


def gpus_needed(s: Scenario, gpu: GpuSpec, limit: int = 8) -> int | None:
    """Smallest count of this GPU that holds the scenario entirely in GPU memory (None above ``limit``)."""
    for count in range(1, limit + 1):
        if gpu.segment == "apple" and count > 1:
            return None
        if estimate(replace(s, gpu=gpu, gpus=count)).fits:
            return count
    return None


def max_context(s: Scenario, gpu: GpuSpec, gpus: int = 1) -> int:
    """Longest context (tokens) that still fits entirely on the GPU(s); 0 when even 512 does not."""
    probe = replace(s, gpu=gpu, gpus=gpus)
    low, high = 0, s.model.context_max
    if estimate(replace(probe, context=high)).fits:
        return high
    while high - low > 256:
        mid = (low + high) // 2
        if estimate(replace(probe, context=max(mid, 1))).fits:
            low = mid
        else:
            high = mid
    return low // 256 * 256


def memory_vs_context(variants: dict[str, Scenario], contexts: list[int]) -> dict[str, list[float]]:
    """Total estimate in GiB for each labelled variant at each context (no GPU, so nothing offloads)."""
    out: dict[str, list[float]] = {}
    for label, variant in variants.items():
        base = replace(variant, gpu=None)
        out[label] = [
            estimate(replace(base, context=c)).total_gib if c <= variant.model.context_max else math.nan
            for c in contexts
        ]
    return out
