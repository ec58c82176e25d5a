"""What a source reads: GPUs, their processes and the host at one moment. ``None`` means n/a."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class State(StrEnum):
    """Whether a source can read GPUs at all, and if not, why (each has its own card on the page)."""

    OK = "ok"
    NO_LIBRARY = "no_library"  # the nvidia-ml-py module is missing or shadowed by another pynvml
    NO_DRIVER = "no_driver"  # libnvidia-ml.so.1 / nvml.dll not found: no NVIDIA driver
    DRIVER_NOT_LOADED = "driver_not_loaded"
    MISMATCH = "mismatch"  # driver upgraded without a reboot
    NO_PERMISSION = "no_permission"
    NO_GPUS = "no_gpus"
    ERROR = "error"  # anything else; the detail carries the library's words


@dataclass(frozen=True)
class Origin:
    """Where the readings come from. A trace carries its provenance so the page can say it."""

    kind: str  # "live" or "trace"
    label: str
    synthetic: bool = False
    recorded_at: str | None = None  # ISO 8601
    recorded_on: str | None = None  # machine and GPUs
    how: str | None = None  # the command that produced it
    duration_s: float | None = None


LIVE = Origin(kind="live", label="NVML + psutil")


@dataclass(frozen=True)
class SourceStatus:
    state: State
    detail: str = ""
    driver_version: str | None = None
    cuda_version: str | None = None
    library_version: str | None = None
    origin: Origin = LIVE

    @property
    def ok(self) -> bool:
        return self.state is State.OK


@dataclass(frozen=True)
class GpuInfo:
    """What does not change while a GPU runs."""

    index: int
    uuid: str
    name: str
    bus_id: str | None = None
    memory_total_mib: float | None = None  # None on unified-memory devices (DGX Spark, Jetson)
    unified_memory: bool = False
    temperature_slowdown_c: float | None = None


@dataclass(frozen=True)
class FastReading:
    """Read every second."""

    gpu_util_pct: float | None = None
    mem_util_pct: float | None = None  # memory-controller busy time, not capacity
    memory_used_mib: float | None = None
    memory_reserved_mib: float | None = None
    power_w: float | None = None
    sm_clock_mhz: float | None = None
    mem_clock_mhz: float | None = None
    energy_mj: float | None = None  # counter since the driver loaded


@dataclass(frozen=True)
class SlowReading:
    """Read every few seconds: slow to change, or slow to ask."""

    temperature_c: float | None = None
    fan_pct: float | None = None
    power_limit_w: float | None = None
    pstate: int | None = None
    throttle_reasons: tuple[str, ...] | None = None
    pcie_gen: int | None = None
    pcie_width: int | None = None


class LostGpu(NamedTuple):
    """A GPU that stopped answering (fell off the bus, driver trouble): a value, so other GPUs keep reporting."""

    reason: str


@dataclass(frozen=True)
class GpuProcess:
    gpu_uuid: str
    pid: int
    name: str
    command: str
    user: str | None
    gpu_memory_mib: float | None  # None under WDDM and on MIG
    kind: str  # "compute", "graphics" or "compute+graphics"
    runtime: str | None  # see core.monitor.runtimes
    note: str | None = None  # "outside_namespace" or "denied": why name or command are partial


@dataclass(frozen=True)
class HostReading:
    cpu_pct: float | None
    cpu_per_core_pct: tuple[float, ...]
    ram_total_mib: float
    ram_used_mib: float  # what programs hold, without the page cache
    ram_available_mib: float
    ram_cached_mib: float | None  # page cache and buffers: reclaimable, shown apart from "used"
    swap_total_mib: float
    swap_used_mib: float


GpuRead = FastReading | LostGpu
"""One GPU's answer to a fast poll."""
