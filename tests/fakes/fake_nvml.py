"""A stand-in for NVIDIA's ``pynvml`` module: GPUs described in Python, and every failure NVML gives on demand.

It carries the real binding's error classes and constants (nvidia-ml-py imports fine without a driver),
so the code under test catches exactly what it would catch on a real machine.
"""

from __future__ import annotations

import types
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pynvml as real

MIB = 1024 * 1024

LIBRARY_NOT_FOUND = real.NVML_ERROR_LIBRARY_NOT_FOUND
DRIVER_NOT_LOADED = real.NVML_ERROR_DRIVER_NOT_LOADED
MISMATCH = real.NVML_ERROR_LIB_RM_VERSION_MISMATCH
NOT_SUPPORTED = real.NVML_ERROR_NOT_SUPPORTED
NO_PERMISSION = real.NVML_ERROR_NO_PERMISSION
FUNCTION_NOT_FOUND = real.NVML_ERROR_FUNCTION_NOT_FOUND
GPU_IS_LOST = real.NVML_ERROR_GPU_IS_LOST
NOT_FOUND = real.NVML_ERROR_NOT_FOUND
UNKNOWN = real.NVML_ERROR_UNKNOWN
INVALID_ARGUMENT = real.NVML_ERROR_INVALID_ARGUMENT


@dataclass
class FakeProcess:
    pid: int
    used_bytes: int | None  # None as under WDDM / MIG


@dataclass
class FakeGpu:
    name: str = "NVIDIA GeForce RTX 4090"
    uuid: str = "GPU-fake-0"
    memory_total_mib: float = 24564.0
    memory_used_mib: float = 1024.0
    memory_reserved_mib: float = 341.0
    util_gpu: int = 37
    util_memory: int = 12
    temperature_c: int = 55
    slowdown_c: int = 88
    power_mw: int = 120_000
    limit_mw: int = 450_000
    fan_pct: int = 30
    sm_mhz: int = 2100
    mem_mhz: int = 10501
    pstate: int = 2
    throttle: int = 0
    energy_mj: int = 1_000_000
    pcie_gen: int = 4
    pcie_width: int = 16
    compute: list[FakeProcess] = field(default_factory=list)
    graphics: list[FakeProcess] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)  # function name → the NVML error code it raises
    lost: bool = False  # every call about this GPU raises GpuIsLost


def _memory(gpu: FakeGpu, version: int | None = None) -> Any:
    fields = {"total": int(gpu.memory_total_mib * MIB), "used": int(gpu.memory_used_mib * MIB)}
    fields["free"] = fields["total"] - fields["used"]
    if version:
        fields["reserved"] = int(gpu.memory_reserved_mib * MIB)
    return types.SimpleNamespace(**fields)


def _processes(listed: list[FakeProcess]) -> list[Any]:
    return [types.SimpleNamespace(pid=p.pid, usedGpuMemory=p.used_bytes) for p in listed]


# What each per-GPU function answers when nothing goes wrong.
DEVICE_CALLS: dict[str, Callable[..., Any]] = {
    "nvmlDeviceGetUUID": lambda g: g.uuid,
    "nvmlDeviceGetName": lambda g: g.name,
    "nvmlDeviceGetPciInfo_v3": lambda g: types.SimpleNamespace(busId=f"00000000:{int(g.uuid[-1], 16) + 1:02x}:00.0"),
    "nvmlDeviceGetMemoryInfo": _memory,
    "nvmlDeviceGetTemperatureThreshold": lambda g, kind: g.slowdown_c,
    "nvmlDeviceGetUtilizationRates": lambda g: types.SimpleNamespace(gpu=g.util_gpu, memory=g.util_memory),
    "nvmlDeviceGetPowerUsage": lambda g: g.power_mw,
    "nvmlDeviceGetClockInfo": lambda g, kind: g.sm_mhz if kind == real.NVML_CLOCK_SM else g.mem_mhz,
    "nvmlDeviceGetTotalEnergyConsumption": lambda g: g.energy_mj,
    "nvmlDeviceGetTemperatureV": lambda g, sensor: g.temperature_c,
    "nvmlDeviceGetTemperature": lambda g, sensor: g.temperature_c,
    "nvmlDeviceGetFanSpeed": lambda g: g.fan_pct,
    "nvmlDeviceGetEnforcedPowerLimit": lambda g: g.limit_mw,
    "nvmlDeviceGetPowerManagementLimit": lambda g: g.limit_mw,
    "nvmlDeviceGetPerformanceState": lambda g: g.pstate,
    "nvmlDeviceGetCurrentClocksEventReasons": lambda g: g.throttle,
    "nvmlDeviceGetCurrentClocksThrottleReasons": lambda g: g.throttle,
    "nvmlDeviceGetCurrPcieLinkGeneration": lambda g: g.pcie_gen,
    "nvmlDeviceGetCurrPcieLinkWidth": lambda g: g.pcie_width,
    "nvmlDeviceGetComputeRunningProcesses": lambda g: _processes(g.compute),
    "nvmlDeviceGetComputeRunningProcesses_v2": lambda g: _processes(g.compute),
    "nvmlDeviceGetGraphicsRunningProcesses": lambda g: _processes(g.graphics),
    "nvmlDeviceGetGraphicsRunningProcesses_v2": lambda g: _processes(g.graphics),
}


class FakeNvml(types.ModuleType):
    """Use as ``NvmlSource(nvml=FakeNvml(...))`` or put it in ``sys.modules['pynvml']``.

    ``calls`` counts every call by function name, so tests can tell what was (not) asked."""

    def __init__(self, gpus: list[FakeGpu] | None = None, init_error: int | None = None, driver: str = "550.54.14",
                 cuda: int = 12040, process_names: dict[int, str] | None = None) -> None:
        super().__init__("pynvml")
        for name in dir(real):
            if name.startswith(("NVMLError", "NVML_")) or name in ("NVMLLibraryMismatchError", "nvmlMemory_v2"):
                setattr(self, name, getattr(real, name))
        self._nvmlGetFunctionPointer = lambda name: None  # marks NVIDIA's binding, as the real one has it
        self.gpus = gpus if gpus is not None else [FakeGpu()]
        self.init_error = init_error
        self.driver, self.cuda = driver, cuda
        self.process_names = process_names or {}
        self.calls: Counter[str] = Counter()
        self.calls_per_gpu: Counter[str] = Counter()
        self.initialised = 0

    def _fail(self, code: int) -> None:
        raise real.NVMLError(code)

    def nvmlInit(self) -> None:
        self.calls["nvmlInit"] += 1
        if self.init_error is not None:
            self._fail(self.init_error)
        self.initialised += 1

    def nvmlShutdown(self) -> None:
        self.calls["nvmlShutdown"] += 1
        if self.initialised <= 0:
            self._fail(real.NVML_ERROR_UNINITIALIZED)
        self.initialised -= 1

    def nvmlSystemGetDriverVersion(self) -> str:
        return self.driver

    def nvmlSystemGetCudaDriverVersion_v2(self) -> int:
        return self.cuda

    def nvmlSystemGetProcessName(self, pid: int) -> str:
        if pid not in self.process_names:
            self._fail(NOT_FOUND)
        return self.process_names[pid]

    def nvmlDeviceGetCount(self) -> int:
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> FakeGpu:
        gpu = self.gpus[index]
        self._check("nvmlDeviceGetHandleByIndex", gpu)
        return gpu

    def _check(self, name: str, gpu: FakeGpu) -> None:
        self.calls[name] += 1
        self.calls_per_gpu[gpu.uuid] += 1
        if self.initialised <= 0:
            self._fail(real.NVML_ERROR_UNINITIALIZED)
        if gpu.lost:
            self._fail(GPU_IS_LOST)
        if name in gpu.errors:
            self._fail(gpu.errors[name])

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in DEVICE_CALLS:
            raise AttributeError(name)

        def call(gpu: FakeGpu, *args: Any, **kwargs: Any) -> Any:
            # The binding reaches nvmlDeviceGetMemoryInfo_v2 when given a version: a separate driver function.
            self._check(f"{name}_v2" if kwargs.get("version") else name, gpu)
            return DEVICE_CALLS[name](gpu, *args, **kwargs)

        return call

    def device_calls(self) -> int:
        """Calls that reached a GPU (not init, shutdown or driver queries)."""
        return sum(self.calls_per_gpu.values())
