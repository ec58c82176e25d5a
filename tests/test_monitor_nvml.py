"""The NVML source against a fake pynvml that fails in every way NVML can: each failure is a value, never a crash."""

from __future__ import annotations

import sys
import types

import pytest

from core.monitor.host import ProcessFacts
from core.monitor.nvml import NvmlSource, load_pynvml
from core.monitor.types import FastReading, LostGpu, SlowReading, State
from tests.fakes import fake_nvml as fake
from tests.fakes.fake_nvml import FakeGpu, FakeNvml, FakeProcess

MIB = 1024 * 1024


def opened(nvml: FakeNvml, **kwargs: object) -> NvmlSource:
    source = NvmlSource(nvml=nvml, describe=lambda pid: None, **kwargs)  # type: ignore[arg-type]
    assert source.open().state is State.OK
    return source


@pytest.mark.parametrize(
    ("code", "state"),
    [
        (fake.LIBRARY_NOT_FOUND, State.NO_DRIVER),
        (fake.DRIVER_NOT_LOADED, State.DRIVER_NOT_LOADED),
        (fake.MISMATCH, State.MISMATCH),
        (fake.NO_PERMISSION, State.NO_PERMISSION),
        (fake.UNKNOWN, State.ERROR),
    ],
)
def test_init_failures_become_states_with_the_library_words(code: int, state: State) -> None:
    nvml = FakeNvml(init_error=code)
    source = NvmlSource(nvml=nvml)
    status = source.open()
    assert status.state is state
    assert status.detail.startswith("NVMLError_")
    assert source.devices() == ()
    assert source.read_fast(0.0) == {} and source.read_processes(0.0) == ()
    source.close()  # nothing was initialised, so nothing to shut down
    assert nvml.calls["nvmlShutdown"] == 0


def test_a_missing_binding_is_its_own_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import pynvml → ImportError
    module, why = load_pynvml()
    assert module is None and "nvidia-ml-py package is not installed" in why
    assert NvmlSource().open().state is State.NO_LIBRARY


def test_a_shadowing_pynvml_module_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    impostor = types.ModuleType("pynvml")
    impostor.__file__ = "/somewhere/old/pynvml.py"
    monkeypatch.setitem(sys.modules, "pynvml", impostor)
    status = NvmlSource().open()
    assert status.state is State.NO_LIBRARY
    assert "/somewhere/old/pynvml.py" in status.detail and "nvidia-ml-py" in status.detail


def test_zero_gpus_is_a_state_and_keeps_the_driver_version() -> None:
    status = NvmlSource(nvml=FakeNvml(gpus=[])).open()
    assert status.state is State.NO_GPUS
    assert status.driver_version == "550.54.14" and status.cuda_version == "12.4"


def test_a_healthy_gpu_reads_in_the_units_its_fields_name() -> None:
    gpu = FakeGpu(throttle=0x4 | 0x1)
    source = opened(FakeNvml(gpus=[gpu]))
    (info,) = source.devices()
    assert (info.name, info.uuid, info.memory_total_mib, info.temperature_slowdown_c) == (
        "NVIDIA GeForce RTX 4090", "GPU-fake-0", 24564.0, 88.0)
    assert not info.unified_memory
    fast = source.read_fast(0.0)["GPU-fake-0"]
    assert fast == FastReading(gpu_util_pct=37, mem_util_pct=12, memory_used_mib=1024.0, memory_reserved_mib=341.0,
                               power_w=120.0, sm_clock_mhz=2100, mem_clock_mhz=10501, energy_mj=1_000_000)
    slow = source.read_slow(0.0)["GPU-fake-0"]
    assert slow == SlowReading(temperature_c=55, fan_pct=30, power_limit_w=450.0, pstate=2,
                               throttle_reasons=("idle", "sw_power_cap"), pcie_gen=4, pcie_width=16)


FAST_METRICS = [
    ("nvmlDeviceGetUtilizationRates", ("gpu_util_pct", "mem_util_pct")),
    ("nvmlDeviceGetPowerUsage", ("power_w",)),
    ("nvmlDeviceGetClockInfo", ("sm_clock_mhz", "mem_clock_mhz")),
    ("nvmlDeviceGetTotalEnergyConsumption", ("energy_mj",)),
]
SLOW_METRICS = [
    ("nvmlDeviceGetFanSpeed", ("fan_pct",)),
    ("nvmlDeviceGetPerformanceState", ("pstate",)),
    ("nvmlDeviceGetCurrPcieLinkGeneration", ("pcie_gen",)),
    ("nvmlDeviceGetCurrPcieLinkWidth", ("pcie_width",)),
]


@pytest.mark.parametrize("code", [fake.NOT_SUPPORTED, fake.NO_PERMISSION])
@pytest.mark.parametrize(("function", "fields"), FAST_METRICS + SLOW_METRICS)
def test_an_unsupported_metric_is_na_and_not_asked_again(function: str, fields: tuple[str, ...], code: int) -> None:
    nvml = FakeNvml(gpus=[FakeGpu(errors={function: code})])
    source = opened(nvml)
    for _ in range(3):
        fast, slow = source.read_fast(0.0)["GPU-fake-0"], source.read_slow(0.0)["GPU-fake-0"]
    reading = {**vars(fast), **vars(slow)}
    assert all(reading[f] is None for f in fields)
    assert sum(v is not None for k, v in reading.items() if k not in fields) >= 8  # the rest still reads
    assert nvml.calls[function] == (2 if function == "nvmlDeviceGetClockInfo" else 1)  # SM and memory clocks


@pytest.mark.parametrize(
    ("missing", "older", "field"),
    [
        ("nvmlDeviceGetTemperatureV", "nvmlDeviceGetTemperature", "temperature_c"),
        ("nvmlDeviceGetCurrentClocksEventReasons", "nvmlDeviceGetCurrentClocksThrottleReasons", "throttle_reasons"),
        ("nvmlDeviceGetEnforcedPowerLimit", "nvmlDeviceGetPowerManagementLimit", "power_limit_w"),
    ],
)
def test_an_older_driver_falls_back_to_the_older_call(missing: str, older: str, field: str) -> None:
    nvml = FakeNvml(gpus=[FakeGpu(errors={missing: fake.FUNCTION_NOT_FOUND})])
    source = opened(nvml)
    source.read_slow(0.0)
    slow = source.read_slow(0.0)["GPU-fake-0"]
    assert getattr(slow, field) is not None
    assert nvml.calls[missing] == 1 and nvml.calls[older] == 2  # the newer call is not retried


def test_memory_falls_back_from_v2_to_v1_without_the_reserved_figure() -> None:
    source = opened(FakeNvml(gpus=[FakeGpu(errors={"nvmlDeviceGetMemoryInfo_v2": fake.FUNCTION_NOT_FOUND})]))
    fast = source.read_fast(0.0)["GPU-fake-0"]
    assert fast.memory_used_mib == 1024.0 and fast.memory_reserved_mib is None


def test_a_passing_error_is_na_once_and_asked_again() -> None:
    gpu = FakeGpu(errors={"nvmlDeviceGetPowerUsage": fake.INVALID_ARGUMENT})
    nvml = FakeNvml(gpus=[gpu])
    source = opened(nvml)
    assert source.read_fast(0.0)["GPU-fake-0"].power_w is None
    del gpu.errors["nvmlDeviceGetPowerUsage"]
    assert source.read_fast(0.0)["GPU-fake-0"].power_w == 120.0


def test_unified_memory_devices_report_no_memory_and_say_so() -> None:
    spark = FakeGpu(name="NVIDIA GB10", errors={"nvmlDeviceGetMemoryInfo_v2": fake.NOT_SUPPORTED})
    source = opened(FakeNvml(gpus=[spark]))
    (info,) = source.devices()
    assert info.unified_memory and info.memory_total_mib is None
    fast = source.read_fast(0.0)["GPU-fake-0"]
    assert fast.memory_used_mib is None and fast.gpu_util_pct == 37


def test_a_zero_total_is_read_as_unified_memory_too() -> None:
    source = opened(FakeNvml(gpus=[FakeGpu(memory_total_mib=0, memory_used_mib=0)]))
    assert source.devices()[0].unified_memory
    assert source.read_fast(0.0)["GPU-fake-0"].memory_used_mib is None


def test_a_gpu_lost_mid_run_is_marked_and_no_longer_asked_while_the_other_keeps_reading() -> None:
    first, second = FakeGpu(uuid="GPU-fake-0"), FakeGpu(uuid="GPU-fake-1")
    nvml = FakeNvml(gpus=[first, second])
    source = opened(nvml)
    assert all(isinstance(r, FastReading) for r in source.read_fast(0.0).values())
    second.lost = True
    readings = source.read_fast(1.0)
    assert isinstance(readings["GPU-fake-0"], FastReading)
    assert isinstance(readings["GPU-fake-1"], LostGpu) and "GpuIsLost" in readings["GPU-fake-1"].reason
    asked = nvml.calls_per_gpu["GPU-fake-1"]
    for _ in range(5):
        assert isinstance(source.read_slow(2.0)["GPU-fake-1"], LostGpu)
        assert isinstance(source.read_slow(2.0)["GPU-fake-0"], SlowReading)
    assert all(p.gpu_uuid == "GPU-fake-0" for p in source.read_processes(2.0))
    assert nvml.calls_per_gpu["GPU-fake-1"] == asked  # a lost GPU is not asked again until re-opened


def test_re_opening_after_a_loss_reads_the_gpu_again() -> None:
    gpu = FakeGpu()
    nvml = FakeNvml(gpus=[gpu])
    source = opened(nvml)
    gpu.lost = True
    assert isinstance(source.read_fast(0.0)["GPU-fake-0"], LostGpu)
    gpu.lost = False
    assert source.open().ok
    assert isinstance(source.read_fast(1.0)["GPU-fake-0"], FastReading)
    assert nvml.initialised == 1  # the old session was shut down before the new one began


def test_a_gpu_lost_before_its_handle_is_listed_as_unreachable() -> None:
    nvml = FakeNvml(gpus=[FakeGpu(), FakeGpu(uuid="GPU-fake-1", errors={"nvmlDeviceGetHandleByIndex": fake.GPU_IS_LOST})])
    source = opened(nvml)
    assert [d.uuid for d in source.devices()] == ["GPU-fake-0", "unreachable-1"]
    assert isinstance(source.read_fast(0.0)["unreachable-1"], LostGpu)


def test_processes_merge_both_lists_name_the_runtime_and_keep_na_memory() -> None:
    gpu = FakeGpu(compute=[FakeProcess(4242, 6 * 1024 * MIB), FakeProcess(777, None)],
                  graphics=[FakeProcess(4242, 6 * 1024 * MIB), FakeProcess(1873, 300 * MIB)])
    facts = {
        4242: ProcessFacts("ollama", "/usr/local/bin/ollama runner --model x", "ollama", None),
        1873: ProcessFacts("Xorg", "/usr/lib/xorg/Xorg vt2", "gdm", None),
    }
    nvml = FakeNvml(gpus=[gpu], process_names={777: "/usr/bin/python3"})
    source = NvmlSource(nvml=nvml, describe=facts.get)
    source.open()
    by_pid = {p.pid: p for p in source.read_processes(0.0)}
    assert by_pid[4242].kind == "compute+graphics" and by_pid[4242].gpu_memory_mib == 6144.0
    assert by_pid[4242].runtime == "ollama" and by_pid[4242].user == "ollama"
    assert by_pid[1873].runtime is None and by_pid[1873].kind == "graphics"
    # Not visible from here (another PID namespace): NVML's name for it, and the reason.
    assert by_pid[777].gpu_memory_mib is None and by_pid[777].note == "outside_namespace"
    assert by_pid[777].name == "python3" and by_pid[777].runtime == "python"


def test_old_drivers_without_v3_process_lists_fall_back_to_v2() -> None:
    gpu = FakeGpu(compute=[FakeProcess(1, MIB)], errors={"nvmlDeviceGetComputeRunningProcesses": fake.FUNCTION_NOT_FOUND})
    source = NvmlSource(nvml=FakeNvml(gpus=[gpu]), describe=lambda pid: ProcessFacts("llama-server", "", None, None))
    source.open()
    assert [p.runtime for p in source.read_processes(0.0)] == ["llama.cpp"]


def test_close_shuts_nvml_down_once() -> None:
    nvml = FakeNvml()
    source = opened(nvml)
    source.close()
    source.close()
    assert nvml.calls["nvmlShutdown"] == 1 and nvml.initialised == 0
