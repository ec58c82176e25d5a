"""NVIDIA GPUs through NVML (the nvidia-ml-py package, imported as ``pynvml``).

NVML is initialised once per open and handles are kept: re-initialising per poll is what made early
gpustat burn a core. Every metric is optional. NotSupported or NoPermission makes that metric n/a
and it is not asked again; a missing newer function falls back to the older one; GpuIsLost and
other driver failures mark only that GPU lost, until the sampler re-opens the source.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, TypeVar

from core.monitor.host import ProcessFacts, describe_process
from core.monitor.runtimes import tag_runtime
from core.monitor.types import LIVE, FastReading, GpuInfo, GpuProcess, LostGpu, SlowReading, SourceStatus, State
from core.units import MIB

T = TypeVar("T")

LOST_ERRORS = ("NVMLError_GpuIsLost", "NVMLError_Unknown", "NVMLError_Timeout", "NVMLError_ResetRequired",
               "NVMLError_Uninitialized", "NVMLError_GpuNotFound")
UNSUPPORTED_ERRORS = ("NVMLError_NotSupported", "NVMLError_NoPermission")
EMPTY_ERRORS = ("NVMLError_NotFound", "NVMLError_NoData")
INIT_STATES = (
    ("NVMLError_LibraryNotFound", State.NO_DRIVER),
    ("NVMLError_DriverNotLoaded", State.DRIVER_NOT_LOADED),
    ("NVMLError_LibRmVersionMismatch", State.MISMATCH),
    ("NVMLLibraryMismatchError", State.MISMATCH),
    ("NVMLError_NoPermission", State.NO_PERMISSION),
)
# nvmlClocksEventReason* bits; "idle" is the normal state of a GPU with nothing to do.
THROTTLE_BITS = {
    0x1: "idle", 0x2: "app_clocks", 0x4: "sw_power_cap", 0x8: "hw_slowdown", 0x10: "sync_boost",
    0x20: "sw_thermal", 0x40: "hw_thermal", 0x80: "hw_power_brake", 0x100: "display_clocks",
}


class _Lost(Exception):
    """Internal: the GPU being read stopped answering."""


def error_text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # NVMLError.__str__ asks the library, which may be the thing that is broken
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def load_pynvml() -> tuple[ModuleType | None, str]:
    """NVIDIA's binding, or None and why. An old ``pynvml`` package can shadow it with its own module."""
    try:
        module = importlib.import_module("pynvml")
    except ImportError as exc:
        return None, f"the nvidia-ml-py package is not installed ({exc})"
    if not hasattr(module, "_nvmlGetFunctionPointer"):
        where = getattr(module, "__file__", "?")
        return None, f"the pynvml module at {where} is not NVIDIA's nvidia-ml-py; reinstall nvidia-ml-py"
    return module, ""


def library_version() -> str | None:
    try:
        version = f"nvidia-ml-py {importlib.metadata.version('nvidia-ml-py')}"
    except importlib.metadata.PackageNotFoundError:
        return None
    try:
        return f"{version}; deprecated pynvml {importlib.metadata.version('pynvml')} also installed, uninstall it"
    except importlib.metadata.PackageNotFoundError:
        return version


def _cuda_text(version: int | None) -> str | None:
    return None if not version else f"{version // 1000}.{version % 1000 // 10}"


def _mib(value: float | None) -> float | None:
    return None if value is None else value / MIB


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


class NvmlSource:
    """The live GPU source. ``nvml`` is the binding module (tests pass a fake); ``describe`` names PIDs."""

    def __init__(self, nvml: ModuleType | None = None,
                 describe: Callable[[int], ProcessFacts | None] = describe_process) -> None:
        self._given = nvml
        self._describe = describe
        self._nvml: Any = None
        self._initialised = False
        self._handles: dict[str, Any] = {}
        self._devices: tuple[GpuInfo, ...] = ()
        self._lost: dict[str, str] = {}
        self._known: dict[int, GpuInfo] = {}  # by index, across re-opens: a GPU lost at its handle keeps its UUID
        # (uuid, metric) → index of the first call variant to try; past the last one: not supported
        self._variant: dict[tuple[str, str], int] = {}

    # --- connection ---------------------------------------------------------------------------
    def open(self) -> SourceStatus:
        self.close()
        nvml, why = (self._given, "") if self._given is not None else load_pynvml()
        if nvml is None:
            return SourceStatus(State.NO_LIBRARY, why)
        self._nvml = nvml
        self._errors = {
            group: tuple(getattr(nvml, name) for name in names if hasattr(nvml, name))
            for group, names in (("lost", LOST_ERRORS), ("unsupported", UNSUPPORTED_ERRORS), ("empty", EMPTY_ERRORS))
        }
        try:
            nvml.nvmlInit()
        except Exception as exc:  # the binding raises NVMLError subclasses and its own mismatch error
            state = next((s for name, s in INIT_STATES if isinstance(exc, getattr(nvml, name, ()))), State.ERROR)
            return SourceStatus(state, error_text(exc), library_version=library_version())
        self._initialised = True
        driver = self._system(nvml.nvmlSystemGetDriverVersion)
        cuda = _cuda_text(self._system(nvml.nvmlSystemGetCudaDriverVersion_v2))
        try:
            count = nvml.nvmlDeviceGetCount()
        except nvml.NVMLError as exc:
            return SourceStatus(State.ERROR, error_text(exc), driver, cuda, library_version())
        self._devices = tuple(self._probe(index) for index in range(count))
        state = State.OK if self._devices else State.NO_GPUS
        return SourceStatus(state, "", driver, cuda, library_version(), LIVE)

    def close(self) -> None:
        if self._initialised:
            try:
                self._nvml.nvmlShutdown()
            except self._nvml.NVMLError:
                pass  # already gone; a later open starts clean either way
        self._initialised = False
        self._handles, self._devices, self._lost = {}, (), {}

    def devices(self) -> tuple[GpuInfo, ...]:
        return self._devices

    def _system(self, call: Callable[[], T]) -> T | None:
        try:
            return call()
        except (self._nvml.NVMLError, AttributeError):
            return None

    def _probe(self, index: int) -> GpuInfo:
        nvml = self._nvml
        try:
            handle = nvml.nvmlDeviceGetHandleByIndex(index)
            uuid = nvml.nvmlDeviceGetUUID(handle)
        except self._errors["lost"] as exc:
            info = self._known.get(index) or GpuInfo(index=index, uuid=f"unreachable-{index}", name=f"GPU {index}")
            self._lost[info.uuid] = error_text(exc)
            return info
        self._handles[uuid] = handle
        try:
            name = self._query(uuid, "name", lambda: nvml.nvmlDeviceGetName(handle)) or f"GPU {index}"
            bus = self._query(uuid, "bus_id", lambda: nvml.nvmlDeviceGetPciInfo_v3(handle).busId)
            memory = self._memory(uuid, handle)
            slowdown = self._query(uuid, "slowdown", lambda: nvml.nvmlDeviceGetTemperatureThreshold(
                handle, nvml.NVML_TEMPERATURE_THRESHOLD_SLOWDOWN))
        except _Lost as exc:
            self._lost[uuid] = str(exc)
            return self._known.get(index) or GpuInfo(index=index, uuid=uuid, name=f"GPU {index}")
        # No memory answer, or a total of 0, is how GB10 (DGX Spark) and Jetson report their shared memory.
        unified = memory is None or not memory.total
        info = GpuInfo(
            index=index, uuid=uuid, name=name, bus_id=bus, unified_memory=unified,
            memory_total_mib=None if unified else memory.total / MIB,
            temperature_slowdown_c=None if slowdown is None else float(slowdown),
        )
        self._known[index] = info
        return info

    # --- one metric ---------------------------------------------------------------------------
    def _query(self, uuid: str, metric: str, *calls: Callable[[], T]) -> T | None:
        """The first call variant the driver has; None when the metric is n/a (then, if for good, never asked again)."""
        key = (uuid, metric)
        for position in range(self._variant.get(key, 0), len(calls)):
            try:
                return calls[position]()
            except (self._nvml.NVMLError_FunctionNotFound, AttributeError):
                self._variant[key] = position + 1  # an older driver or binding: use the older call from now on
            except self._errors["unsupported"]:
                self._variant[key] = len(calls)
                return None
            except self._errors["empty"]:
                return None
            except self._errors["lost"] as exc:
                raise _Lost(error_text(exc)) from None
            except self._nvml.NVMLError:
                return None  # a passing failure of one metric: n/a this time, asked again next time
        return None

    def _memory(self, uuid: str, handle: Any) -> Any:
        nvml = self._nvml
        return self._query(uuid, "memory", lambda: nvml.nvmlDeviceGetMemoryInfo(handle, version=nvml.nvmlMemory_v2),
                           lambda: nvml.nvmlDeviceGetMemoryInfo(handle))

    # --- reads --------------------------------------------------------------------------------
    def _each(self, read: Callable[[str, Any], T]) -> dict[str, T | LostGpu]:
        out: dict[str, T | LostGpu] = {}
        for info in self._devices:
            if info.uuid in self._lost:  # stop asking a lost GPU: each failed call can stall the driver
                out[info.uuid] = LostGpu(self._lost[info.uuid])
                continue
            try:
                out[info.uuid] = read(info.uuid, self._handles[info.uuid])
            except _Lost as exc:
                self._lost[info.uuid] = str(exc)
                out[info.uuid] = LostGpu(str(exc))
        return out

    def read_fast(self, now: float) -> Mapping[str, FastReading | LostGpu]:
        return self._each(self._fast)

    def read_slow(self, now: float) -> Mapping[str, SlowReading | LostGpu]:
        return self._each(self._slow)

    def read_host(self, now: float) -> None:
        return None  # the host has its own source; see core.monitor.live

    def _fast(self, uuid: str, handle: Any) -> FastReading:
        nvml = self._nvml
        util = self._query(uuid, "utilization", lambda: nvml.nvmlDeviceGetUtilizationRates(handle))
        memory = self._memory(uuid, handle)
        if memory is not None and not memory.total:
            memory = None
        return FastReading(
            gpu_util_pct=None if util is None else float(util.gpu),
            mem_util_pct=None if util is None else float(util.memory),
            memory_used_mib=None if memory is None else memory.used / MIB,
            memory_reserved_mib=None if memory is None else _mib(getattr(memory, "reserved", None)),
            power_w=_scaled(self._query(uuid, "power", lambda: nvml.nvmlDeviceGetPowerUsage(handle)), 1e-3),
            sm_clock_mhz=self._query(uuid, "sm_clock", lambda: nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_SM)),
            mem_clock_mhz=self._query(uuid, "mem_clock",
                                      lambda: nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_MEM)),
            energy_mj=self._query(uuid, "energy", lambda: nvml.nvmlDeviceGetTotalEnergyConsumption(handle)),
        )

    def _slow(self, uuid: str, handle: Any) -> SlowReading:
        nvml = self._nvml
        gpu_sensor = nvml.NVML_TEMPERATURE_GPU
        reasons = self._query(uuid, "throttle", lambda: nvml.nvmlDeviceGetCurrentClocksEventReasons(handle),
                              lambda: nvml.nvmlDeviceGetCurrentClocksThrottleReasons(handle))
        limit = self._query(uuid, "power_limit", lambda: nvml.nvmlDeviceGetEnforcedPowerLimit(handle),
                            lambda: nvml.nvmlDeviceGetPowerManagementLimit(handle))
        return SlowReading(
            temperature_c=self._query(uuid, "temperature", lambda: nvml.nvmlDeviceGetTemperatureV(handle, gpu_sensor),
                                      lambda: nvml.nvmlDeviceGetTemperature(handle, gpu_sensor)),
            fan_pct=self._query(uuid, "fan", lambda: nvml.nvmlDeviceGetFanSpeed(handle)),
            power_limit_w=_scaled(limit, 1e-3),
            pstate=self._query(uuid, "pstate", lambda: nvml.nvmlDeviceGetPerformanceState(handle)),
            throttle_reasons=None if reasons is None else tuple(n for b, n in THROTTLE_BITS.items() if reasons & b),
            pcie_gen=self._query(uuid, "pcie_gen", lambda: nvml.nvmlDeviceGetCurrPcieLinkGeneration(handle)),
            pcie_width=self._query(uuid, "pcie_width", lambda: nvml.nvmlDeviceGetCurrPcieLinkWidth(handle)),
        )

    def read_processes(self, now: float) -> tuple[GpuProcess, ...]:
        found = self._each(self._gpu_processes)
        return tuple(p for listing in found.values() if not isinstance(listing, LostGpu) for p in listing)

    def _gpu_processes(self, uuid: str, handle: Any) -> tuple[GpuProcess, ...]:
        nvml = self._nvml
        kinds: dict[int, list[str]] = {}
        memory: dict[int, float | None] = {}
        for kind, calls in (
            ("compute", (lambda: nvml.nvmlDeviceGetComputeRunningProcesses(handle),
                         lambda: nvml.nvmlDeviceGetComputeRunningProcesses_v2(handle))),
            ("graphics", (lambda: nvml.nvmlDeviceGetGraphicsRunningProcesses(handle),
                          lambda: nvml.nvmlDeviceGetGraphicsRunningProcesses_v2(handle))),
        ):
            for proc in self._query(uuid, f"{kind}_processes", *calls) or ():
                kinds.setdefault(proc.pid, []).append(kind)
                used = getattr(proc, "usedGpuMemory", None)  # None under WDDM and on MIG
                if used is None:
                    memory.setdefault(proc.pid, None)
                else:
                    memory[proc.pid] = max(memory.get(proc.pid) or 0, used)
        return tuple(self._process(uuid, pid, "+".join(k), _mib(memory[pid])) for pid, k in kinds.items())

    def _process(self, uuid: str, pid: int, kind: str, memory_mib: float | None) -> GpuProcess:
        facts = self._describe(pid)
        if facts is None:  # a host PID this namespace cannot see (a container without --pid=host)
            name = self._system(lambda: self._nvml.nvmlSystemGetProcessName(pid)) or ""
            facts = ProcessFacts(name=str(name).rsplit("/", 1)[-1], command=str(name), user=None,
                                 note="outside_namespace")
        return GpuProcess(
            gpu_uuid=uuid, pid=pid, name=facts.name or f"pid {pid}", command=facts.command, user=facts.user,
            gpu_memory_mib=memory_mib, kind=kind, runtime=tag_runtime(facts.name, facts.command), note=facts.note,
        )
