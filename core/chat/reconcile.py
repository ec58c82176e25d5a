"""The memory estimate set beside what the engine really holds.

For a model Ollama has loaded: what the estimator predicts for that exact configuration (the model, its
quantization, the context Ollama gave it, this machine's GPUs), what `ollama ps` reports (size, and how much
of it sits in VRAM), and what NVML says the Ollama runner processes hold on the GPUs. The rest of the GPU's
used memory belongs to other processes and the driver. A large gap is flagged with its likely cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.chat.measurements import Machine
from core.chat.types import ModelInfo, RunningModel
from core.errors import InputError
from core.monitor.view import MonitorView
from core.plan.catalog import GpuSpec
from core.plan.estimate import Scenario, estimate
from core.units import GIB, MIB_PER_GIB

GAP_SHARE = 0.15
"""A difference beyond this share of what Ollama reports is flagged."""
RUNNER_CONTEXT_GIB = 0.5
"""The runner's CUDA context and kernels: NVML counts them, `ollama ps` does not."""


@dataclass(frozen=True)
class Reconciliation:
    model: str
    context: int | None
    estimate_gib: float | None  # the memory estimator, Ollama engine, this configuration
    ollama_gib: float  # `ollama ps` size
    ollama_vram_gib: float  # of which in VRAM
    runner_gib: float | None  # NVML: the Ollama runner processes on this machine's GPUs, all models together
    used_gib: float | None  # NVML: everything the GPUs hold
    causes: tuple[str, ...]  # string keys of the likely causes of a large gap

    @property
    def others_gib(self) -> float | None:
        """Other processes, the desktop and the driver's reserve: used memory the runner does not hold."""
        if self.used_gib is None or self.runner_gib is None:
            return None
        return max(0.0, self.used_gib - self.runner_gib)


def reconcile(running: RunningModel, info: ModelInfo | None, machine: Machine, gpus: Sequence[GpuSpec],
              view: MonitorView) -> Reconciliation:
    """NVML's figures only where Ollama runs on this machine (``machine`` knows its GPUs)."""
    gpu = next((g for g in gpus if g.id == machine.gpu_id), None)
    gpu_count = machine.gpu_count
    estimate_gib = None
    if info is not None and info.arch is not None and gpu is not None:
        try:
            est = estimate(Scenario(model=info.arch, quant=info.quantization or "Q4_K_M",
                                    context=running.context_length or 4096, engine="ollama", gpu=gpu, gpus=gpu_count))
            estimate_gib = est.total_gib
        except InputError:
            estimate_gib = None
    runner = used = None
    if machine.gpu_count and view.devices:
        mine = [p.gpu_memory_mib for p in view.processes if p.runtime == "ollama" and p.gpu_memory_mib is not None]
        runner = sum(mine) / MIB_PER_GIB if mine else None
        readings = [f.memory_used_mib for f in view.fast.values() if f.memory_used_mib is not None]
        used = sum(readings) / MIB_PER_GIB if readings else None
    ollama_gib = running.size_bytes / GIB
    causes = []
    if estimate_gib is not None and abs(estimate_gib - ollama_gib) > GAP_SHARE * ollama_gib:
        causes.append("reconcile.cause.budget_more" if ollama_gib > estimate_gib else "reconcile.cause.budget_less")
    if running.size_vram_bytes < running.size_bytes:
        causes.append("reconcile.cause.offload")
    if runner is not None and runner > running.size_vram_bytes / GIB + RUNNER_CONTEXT_GIB:
        causes.append("reconcile.cause.runner_extra")
    return Reconciliation(running.name, running.context_length, estimate_gib, ollama_gib, running.size_vram_bytes / GIB,
                          runner, used, tuple(causes))

