"""The sampler driven by a simulated clock: its rates, its back-off after failures, what it keeps and for how long."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from core.monitor.live import LiveSource
from core.monitor.nvml import NvmlSource
from core.monitor.ringbuffer import Resolution
from core.monitor.sampler import Sampler
from core.monitor.types import FastReading, HostReading, State
from core.monitor.view import Poll, Retention
from tests.fakes import fake_nvml as fake
from tests.fakes.fake_nvml import FakeGpu, FakeNvml, FakeProcess

HOST = HostReading(cpu_pct=10.0, cpu_per_core_pct=(5.0, 15.0), ram_total_mib=65536.0, ram_used_mib=8000.0,
                   ram_available_mib=50000.0, ram_cached_mib=7000.0, swap_total_mib=0.0, swap_used_mib=0.0)


def sampler_for(nvml: FakeNvml, **kwargs: object) -> Sampler:
    source = LiveSource(NvmlSource(nvml=nvml, describe=lambda pid: None), host=lambda: HOST)
    return Sampler(source, clock=lambda: 0.0, **kwargs)  # type: ignore[arg-type]


def run_until(sampler: Sampler, end: float, start: float = 0.0) -> float:
    """Ticks exactly when the sampler asks to be woken, as its thread does; returns the next wake-up."""
    t = start
    while t < end:
        t = sampler.tick(t)
    return t


def test_each_tier_is_polled_at_its_own_rate() -> None:
    nvml = FakeNvml()
    sampler = sampler_for(nvml)
    run_until(sampler, 60.0)
    assert nvml.calls["nvmlDeviceGetUtilizationRates"] == 60  # fast: every second
    assert nvml.calls["nvmlDeviceGetComputeRunningProcesses"] == 30  # processes: every 2 s
    assert nvml.calls["nvmlDeviceGetFanSpeed"] == 12  # slow: every 5 s
    assert nvml.calls["nvmlInit"] == 1


def test_readers_never_reach_the_source() -> None:
    nvml = FakeNvml()
    sampler = sampler_for(nvml)
    run_until(sampler, 10.0)
    asked = nvml.device_calls()
    for tab in range(50):  # fifty open tabs, each redrawing
        view = sampler.view(window_s=60 + tab, now=10.0)
        assert view.fast["GPU-fake-0"].gpu_util_pct == 37
    assert nvml.device_calls() == asked


def test_history_rows_carry_the_latest_slow_values() -> None:
    sampler = sampler_for(FakeNvml())
    run_until(sampler, 12.0)
    window = sampler.view(60, now=12.0).history["GPU-fake-0"]
    assert len(window) == 12
    assert list(window.column("temperature_c")) == [55.0] * 12
    assert list(window.column("power_w")) == [120.0] * 12


def test_a_lost_gpu_is_re_initialised_with_growing_pauses_then_recovers() -> None:
    gpu = FakeGpu()
    nvml = FakeNvml(gpus=[gpu])
    sampler = sampler_for(nvml)
    t = run_until(sampler, 10.0)
    gpu.lost = True
    inits = []
    for end in (12.0, 16.0, 24.0, 40.0):
        t = run_until(sampler, end, start=t)
        inits.append(nvml.calls["nvmlInit"])
    assert inits == [2, 3, 4, 5]  # re-opened at 11, 13, 17 and 25 s: pauses of 1, 2, 4, 8 s
    view = sampler.view(60, now=40.0)
    assert "GPU-fake-0" in view.lost and view.diagnostics.retry_in_s == pytest.approx(1.0)  # next at 41 s
    gpu.lost = False
    run_until(sampler, 42.0, start=t)
    view = sampler.view(60, now=42.0)
    assert view.lost == {} and view.diagnostics.retry_in_s is None
    assert [e.kind for e in view.diagnostics.events] == ["state", "gpu_lost", "gpu_back"]


def test_without_a_driver_the_host_is_still_sampled_and_nvml_retried_at_most_every_minute() -> None:
    nvml = FakeNvml(init_error=fake.LIBRARY_NOT_FOUND)
    sampler = sampler_for(nvml)
    t = run_until(sampler, 300.0)
    view = sampler.view(600, now=300.0)
    assert view.status.state is State.NO_DRIVER
    assert len(view.host_history) == 300 and view.host.cpu_pct == 10.0
    assert nvml.calls["nvmlInit"] == 10  # at 0, 1, 3, 7, 15, 31, 63, 123, 183, 243 s
    nvml.init_error = None  # the driver appears: picked up at the next try
    run_until(sampler, 305.0, start=t)
    assert sampler.status().ok and sampler.view(60, now=305.0).devices


def test_energy_comes_from_the_counter_and_falls_back_to_power_when_it_restarts_or_is_missing() -> None:
    gpu = FakeGpu(power_mw=200_000, energy_mj=5_000_000)
    sampler = sampler_for(FakeNvml(gpus=[gpu]))
    sampler.tick(0.0)
    gpu.energy_mj += 150_000  # 150 J in a second, whatever the instantaneous power says
    sampler.tick(1.0)
    assert sampler.energy_j()["GPU-fake-0"] == pytest.approx(150.0)
    gpu.energy_mj = 0  # driver reloaded: the counter restarted
    sampler.tick(2.0)
    assert sampler.energy_j()["GPU-fake-0"] == pytest.approx(350.0)


def test_energy_integrates_power_where_there_is_no_counter() -> None:
    gpu = FakeGpu(power_mw=300_000, errors={"nvmlDeviceGetTotalEnergyConsumption": fake.NOT_SUPPORTED})
    sampler = sampler_for(FakeNvml(gpus=[gpu]))
    run_until(sampler, 11.0)
    assert sampler.energy_j()["GPU-fake-0"] == pytest.approx(300.0 * 10)


def test_process_histories_are_bounded_dropping_the_least_recently_seen() -> None:
    gpu = FakeGpu()
    retention = Retention(max_processes=3)
    sampler = sampler_for(FakeNvml(gpus=[gpu]), retention=retention)
    for step, pid in enumerate(range(100, 106)):
        gpu.compute = [FakeProcess(pid, 1024 * 1024 * 1024), FakeProcess(1, 1024)]
        sampler.tick(2.0 * step)
    kept = sampler.view(3600, now=12.0).process_history
    assert sorted(kept) == ["GPU-fake-0/1", "GPU-fake-0/104", "GPU-fake-0/105"]


def test_buffers_stop_growing_once_allocated() -> None:
    small = Retention(fine=Resolution(1.0, 60), coarse=Resolution(10.0, 30),
                      process_fine=Resolution(2.0, 30), process_coarse=Resolution(60.0, 10))
    sampler = sampler_for(FakeNvml(gpus=[FakeGpu(compute=[FakeProcess(7, 1024)])]), retention=small)
    t = run_until(sampler, 10.0)
    size = sampler.buffer_bytes()
    run_until(sampler, 2000.0, start=t)
    assert sampler.buffer_bytes() == size
    assert len(sampler.view(60, now=2000.0).history["GPU-fake-0"]) == 60


def test_a_clock_that_jumps_back_does_not_stall_the_schedule() -> None:
    sampler = sampler_for(FakeNvml())
    run_until(sampler, 1000.0)
    assert 10.0 < sampler.tick(10.0) <= 11.0


def test_the_listener_sees_each_tick_with_the_tiers_read_at_it() -> None:
    polls: list[Poll] = []
    sampler = sampler_for(FakeNvml(), listener=polls.append)
    run_until(sampler, 6.0)
    assert [p.t for p in polls] == [0, 1, 2, 3, 4, 5]
    assert [p.slow is not None for p in polls] == [True, False, False, False, False, True]
    assert [p.processes is not None for p in polls] == [True, False, True, False, True, False]
    assert all(isinstance(p.fast["GPU-fake-0"], FastReading) and p.host == HOST for p in polls)


def test_start_is_idempotent_and_a_failing_source_does_not_end_the_thread() -> None:
    class Broken(LiveSource):
        def read_fast(self, now: float):  # type: ignore[no-untyped-def]
            raise RuntimeError("driver returned garbage")

    times = itertools.count(0.0, 0.5)
    sampler = Sampler(Broken(NvmlSource(nvml=FakeNvml(), describe=lambda pid: None), host=lambda: HOST),
                      clock=lambda: next(times))

    def errors() -> list[str]:
        return [e.detail for e in sampler.view(60, now=0.0).diagnostics.events if e.kind == "error"]

    sampler.start()
    sampler.start()
    assert [t.name for t in threading.enumerate()].count("gpu-monitor-sampler") == 1
    deadline = time.monotonic() + 30  # generous: the thread keeps ticking after each failure
    while len(errors()) < 3 and time.monotonic() < deadline:
        threading.Event().wait(0.01)
    sampler.stop()
    assert "RuntimeError: driver returned garbage" in errors()[0]
    assert [t.name for t in threading.enumerate()].count("gpu-monitor-sampler") == 0
