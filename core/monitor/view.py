"""What the sampler hands out: its rates and retention, one tick's readings, and the consistent copy a page draws."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.monitor.ringbuffer import Resolution, Window
from core.monitor.types import FastReading, GpuInfo, GpuProcess, HostReading, LostGpu, SlowReading, SourceStatus


@dataclass(frozen=True)
class Rates:
    fast_s: float = 1.0  # utilization, memory, power, clocks, energy: microseconds per call
    processes_s: float = 2.0  # process lists take milliseconds per call
    slow_s: float = 5.0  # temperature, fan, limits, P-state, throttle reasons, PCIe link

    def period(self, tier: str) -> float:
        return {"fast": self.fast_s, "processes": self.processes_s, "slow": self.slow_s}[tier]


@dataclass(frozen=True)
class Retention:
    fine: Resolution = Resolution(step_s=1.0, capacity=3600)  # the last hour at 1 s
    coarse: Resolution = Resolution(step_s=10.0, capacity=8640)  # 24 h of 10 s min/mean/max
    process_fine: Resolution = Resolution(step_s=2.0, capacity=1800)
    process_coarse: Resolution = Resolution(step_s=60.0, capacity=1440)
    max_processes: int = 32  # the least recently seen process history is dropped first


@dataclass(frozen=True)
class Event:
    t: float
    kind: str  # "state", "gpu_lost", "gpu_back" or "error"
    uuid: str | None
    detail: str


@dataclass(frozen=True)
class Poll:
    """What one tick read; None for a tier that was not due. A recorder writes these out."""

    t: float
    fast: Mapping[str, FastReading | LostGpu] | None = None
    slow: Mapping[str, SlowReading | LostGpu] | None = None
    processes: tuple[GpuProcess, ...] | None = None
    host: HostReading | None = None


@dataclass(frozen=True)
class Diagnostics:
    rates: Rates
    polls: Mapping[str, int]
    mean_poll_ms: Mapping[str, float]
    cpu_pct_of_core: float | None  # the sampler thread's CPU time over wall time
    buffer_bytes: int
    running_s: float
    retry_in_s: float | None
    events: tuple[Event, ...]


@dataclass(frozen=True, eq=False)
class MonitorView:
    """A consistent copy of everything a page shows, taken under the sampler's lock."""

    now: float
    window_s: float
    status: SourceStatus
    devices: tuple[GpuInfo, ...]  # every GPU seen, lost ones included
    fast: Mapping[str, FastReading]
    slow: Mapping[str, SlowReading]
    lost: Mapping[str, str]
    history: Mapping[str, Window]
    processes: tuple[GpuProcess, ...]
    process_history: Mapping[str, Window]
    process_labels: Mapping[str, str]
    host: HostReading | None
    host_history: Window
    energy_j: Mapping[str, float]
    diagnostics: Diagnostics


@dataclass(frozen=True)
class Latest:
    status: SourceStatus
    devices: tuple[GpuInfo, ...]
    fast: Mapping[str, FastReading]
    slow: Mapping[str, SlowReading]
    lost: Mapping[str, str]
    host: HostReading | None
