"""What the VRAM calculator shows, computed in one call: the estimate and the catalog-wide views."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.plan import memory
from core.plan.catalog import GpuSpec
from core.plan.estimate import MemoryEstimate, Scenario, engine_ubatch, estimate, usable_gib
from core.plan.fits import max_context, memory_vs_context
from core.plan.memory import runtime_reserve
from core.plan.quant import find_quant
from core.units import GIB

CONTEXT_STEPS = (512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144)
GGUF_COMPARE = ("Q4_K_M", "Q5_K_M", "Q8_0", "F16")
TORCH_COMPARE = ("AWQ", "FP8", "BF16")
TRAINING_COMPARE = ("qlora", "lora", "full")
AMBER_HEADROOM_SHARE = 0.10
"""Less than 10% of the card left over is cutting it close: desktop, other processes, fragmentation."""


@dataclass(frozen=True)
class GpuFit:
    gpu: GpuSpec
    count: int | None
    headroom_gib: float | None
    status: str  # green | amber | red
    budget_gib: float  # what the engine may fill on each card

    @property
    def free_share(self) -> float | None:
        """The part of each card's usable memory left over on the fullest one."""
        return None if self.headroom_gib is None or self.budget_gib <= 0 else self.headroom_gib / self.budget_gib


@dataclass(frozen=True)
class VramReport:
    scenario: Scenario
    estimate: MemoryEstimate
    fits_on: tuple[GpuFit, ...]
    max_context_tokens: int | None
    contexts: tuple[int, ...]
    memory_by_variant: dict[str, list[float]]


def fit_status(count: int | None, headroom_gib: float | None, usable: float) -> str:
    if count is None or headroom_gib is None:
        return "red"
    return "green" if headroom_gib >= AMBER_HEADROOM_SHARE * usable else "amber"


def fits_across(scenario: Scenario, gpus: tuple[GpuSpec, ...], limit: int = 8) -> tuple[GpuFit, ...]:
    """For every GPU: how many it takes to hold the scenario, and what is left on the fullest one.

    Without offload, what each GPU must hold depends only on the count of GPUs (and on Metal's
    larger runtime reserve), so the scenario is estimated once per count and compared with every
    card's budget, instead of once per card and count. tests/test_planner.py checks this agrees
    with estimating each card on its own.
    """
    engine = scenario.effective_engine
    metal_extra_gib = (runtime_reserve(engine, metal=True).bytes - runtime_reserve(engine, metal=False).bytes) / GIB
    need: dict[tuple[int, int | None], MemoryEstimate] = {}
    llama_family = engine in ("ollama", "llama.cpp") and scenario.mode == "inference"
    weights_bytes = memory.weight_bytes(scenario.model, find_quant(scenario.quant), engine).bytes if llama_family else 0.0
    reserve_bytes = runtime_reserve(engine, metal=False).bytes

    def required(gpu: GpuSpec, count: int) -> float:
        """What the fullest GPU holds plus the free memory the engine insists on, for ``count`` of ``gpu``.
        Ollama's micro-batch depends on the card's memory, so it is worked out per card."""
        ubatch = (engine_ubatch(replace(scenario, gpu=gpu, gpus=count), weights_bytes, reserve_bytes)
                  if llama_family else scenario.ubatch)
        if (count, ubatch) not in need:
            need[count, ubatch] = estimate(replace(scenario, gpu=None, gpus=count, ubatch=ubatch))
        est = need[count, ubatch]
        extra = metal_extra_gib if gpu.segment == "apple" else 0.0
        return max(est.per_gpu_gib) + extra + est.margin_gib

    share = scenario.gpu_memory_utilization if scenario.engine == "vllm" and scenario.mode == "inference" else 1.0
    rows = []
    for gpu in gpus:
        metal = gpu.segment == "apple"
        budget = usable_gib(gpu, engine) * share
        counts = (1,) if metal else range(1, limit + 1)
        count = next((n for n in counts if required(gpu, n) <= budget), None)
        headroom = budget - required(gpu, count) if count else None
        rows.append(GpuFit(gpu, count, headroom, fit_status(count, headroom, usable_gib(gpu, engine)), budget))
    order = {"green": 0, "amber": 1, "red": 2}
    rows.sort(key=lambda r: (order[r.status], r.count or 99, r.gpu.vram_gib, r.gpu.name))
    return tuple(rows)


def vram_report(scenario: Scenario, gpus: tuple[GpuSpec, ...]) -> VramReport:
    """Estimate, fits across the catalog, longest context on the chosen GPU, memory vs context."""
    est = estimate(scenario)
    longest = max_context(scenario, scenario.gpu, scenario.gpus) if scenario.gpu is not None else None
    contexts = tuple(c for c in CONTEXT_STEPS if c <= scenario.model.context_max) or (scenario.model.context_max,)
    return VramReport(
        scenario=scenario, estimate=est, fits_on=fits_across(scenario, gpus),
        max_context_tokens=longest, contexts=contexts,
        memory_by_variant=memory_vs_context(comparison_variants(scenario), list(contexts)),
    )


def comparison_variants(scenario: Scenario) -> dict[str, Scenario]:
    """Inference compares weight formats; training compares the three fine-tuning methods."""
    if scenario.mode != "inference":
        return {mode: replace(scenario, mode=mode) for mode in TRAINING_COMPARE}
    names = list(GGUF_COMPARE if scenario.engine in ("ollama", "llama.cpp") else TORCH_COMPARE)
    if scenario.quant not in names:
        names.insert(0, scenario.quant)
    return {name: replace(scenario, quant=name) for name in names}
