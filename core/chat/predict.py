"""What the speed estimator predicts for a model on the GPUs this server has, to set beside the measurement.

The answer is None, shown as "n/a", whenever a guess would be needed: no GPU detected, GPUs of different
kinds, a GPU the catalog lacks, a model whose architecture /api/show does not give, or a quantization the
estimator does not know.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.chat.types import ModelInfo
from core.monitor.types import GpuInfo
from core.plan.catalog import GpuSpec
from core.plan.estimate import Scenario
from core.plan.speed import SpeedEstimate, estimate_speed
from core.units import MIB_PER_GIB

OLLAMA_DEFAULT_CONTEXT = 4096


def _words(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", name.lower())) - {"nvidia"}


def _match(device: GpuInfo, gpus: Sequence[GpuSpec]) -> GpuSpec | None:
    """The catalog entry whose name holds every word of the driver's name, nearest in memory size.

    NVML says "NVIDIA GeForce RTX 4070" where the catalog says "GeForce RTX 4070", and it does not say which
    12 GB variant: the memory size and the fewest extra words ("Ti", "SUPER") decide.
    """
    wanted = _words(device.name)
    candidates = [gpu for gpu in gpus if wanted and wanted <= _words(gpu.name)]
    if not candidates:
        return None
    memory = device.memory_total_mib
    return min(candidates, key=lambda g: (abs(g.vram_gib * MIB_PER_GIB - memory) if memory else 0,
                                          len(_words(g.name) - wanted)))


def detected_gpu(devices: Sequence[GpuInfo], gpus: Sequence[GpuSpec]) -> tuple[GpuSpec, int] | None:
    """The server's GPU as a catalog entry and how many of it; None when absent, unknown or mixed."""
    matches = {_match(device, gpus) for device in devices}
    if len(matches) != 1:
        return None
    (gpu,) = matches
    return None if gpu is None else (gpu, len(devices))


def predicted_speed(info: ModelInfo, detected: tuple[GpuSpec, int] | None,
                    context: int | None = None) -> SpeedEstimate | None:
    """What core.plan.speed predicts for one user of Ollama on the detected GPUs, with its range."""
    if info.arch is None or detected is None:
        return None
    gpu, count = detected
    scenario = Scenario(model=info.arch, quant=info.quantization or "Q4_K_M", context=context or OLLAMA_DEFAULT_CONTEXT,
                        engine="ollama", gpu=gpu, gpus=count)
    try:
        return estimate_speed(scenario)
    except ValueError:  # InputError: a scenario the estimator refuses
        return None
