"""The live source: NVML for the GPUs, psutil for the host. The host keeps reporting when NVML cannot."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from core.monitor.host import read_host
from core.monitor.nvml import NvmlSource
from core.monitor.sampler import Sampler
from core.monitor.types import (
    FastReading,
    GpuInfo,
    GpuProcess,
    HostReading,
    LostGpu,
    SlowReading,
    SourceStatus,
)


class LiveSource:
    def __init__(self, gpus: NvmlSource | None = None, host: Callable[[], HostReading] = read_host) -> None:
        self.gpus = gpus or NvmlSource()
        self._host = host

    def open(self) -> SourceStatus:
        return self.gpus.open()

    def close(self) -> None:
        self.gpus.close()

    def devices(self) -> tuple[GpuInfo, ...]:
        return self.gpus.devices()

    def read_fast(self, now: float) -> Mapping[str, FastReading | LostGpu]:
        return self.gpus.read_fast(now)

    def read_slow(self, now: float) -> Mapping[str, SlowReading | LostGpu]:
        return self.gpus.read_slow(now)

    def read_processes(self, now: float) -> tuple[GpuProcess, ...]:
        return self.gpus.read_processes(now)

    def read_host(self, now: float) -> HostReading:
        return self._host()


def live_sampler() -> Sampler:
    return Sampler(LiveSource())
