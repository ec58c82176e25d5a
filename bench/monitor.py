"""GPU monitor: the sampler's CPU use at the default rates, the cost of one poll, and the memory it holds
after 24 simulated hours. Goals: under 1 % of one core, and a memory ceiling that does not move.

MONITOR_BENCH_SECONDS shortens the CPU measurement (default 60 s).
"""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from collections.abc import Callable

from core.monitor.live import LiveSource, live_sampler
from core.monitor.nvml import NvmlSource
from core.monitor.ringbuffer import History
from core.monitor.sampler import GPU_FIELDS, PROCESS_FIELDS, Sampler
from core.monitor.trace import DEMO_TRACE, TraceSource

MIB = 1024 * 1024
DAY_S = 24 * 3600


def _timings_ms(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and 99th percentile of ``runs`` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))]


def cpu_at_default_rates(sampler: Sampler, what: str, seconds: float) -> None:
    sampler.start()  # the first poll, which opens the source, runs here and is left out: it happens once
    before = time.process_time()
    time.sleep(seconds)  # the main thread sleeps: the process's CPU time is the sampler's
    used = time.process_time() - before
    view = sampler.view(60)
    sampler.stop()
    d = view.diagnostics
    print(f"sampler CPU over {seconds:.0f} s at {d.rates.fast_s:g}/{d.rates.processes_s:g}/{d.rates.slow_s:g} s, "
          f"{what}: {100 * used / seconds:.3f} % of one core (process), "
          f"{d.cpu_pct_of_core or 0:.3f} % (sampler thread)")
    print("  mean poll: " + ", ".join(f"{tier} {ms:.3f} ms" for tier, ms in d.mean_poll_ms.items()))


def poll_cost() -> None:
    source = NvmlSource()
    status = source.open()
    host = LiveSource(source)
    median, p99 = _timings_ms(lambda: host.read_host(0.0), 200)
    print(f"host poll (psutil CPU per core, RAM, swap): median {median:.3f} ms, p99 {p99:.3f} ms")
    if not status.ok:
        print(f"NVML poll per GPU: not measured, NVML is unavailable here ({status.state}: {status.detail})")
        adapter_overhead()
        return
    gpus = max(1, len(source.devices()))
    for name, read, runs in (("fast", source.read_fast, 500), ("slow", source.read_slow, 200),
                             ("processes", source.read_processes, 100)):
        median, p99 = _timings_ms(lambda read=read: read(0.0), runs)
        print(f"NVML {name} poll: median {median / gpus:.3f} ms per GPU, p99 {p99 / gpus:.3f} ms per GPU "
              f"({gpus} GPUs, driver {status.driver_version})")
    source.close()


def adapter_overhead() -> None:
    """Our side of a poll (error mapping, unit conversion, dataclasses) against the tests' stand-in for
    pynvml: a floor for the real cost, which adds the driver's time per call."""
    from tests.fakes.fake_nvml import FakeGpu, FakeNvml

    source = NvmlSource(nvml=FakeNvml(gpus=[FakeGpu()]), describe=lambda pid: None)
    source.open()
    for name, read in (("fast", source.read_fast), ("slow", source.read_slow), ("processes", source.read_processes)):
        median, p99 = _timings_ms(lambda read=read: read(0.0), 2000)
        print(f"  adapter overhead per GPU, {name} poll, without the driver: median {median:.3f} ms, p99 {p99:.3f} ms")


def memory_after_a_day() -> None:
    """24 h of the demo trace (two GPUs, their processes, the host) fast-forwarded through one sampler."""
    tracemalloc.start()
    sampler = Sampler(TraceSource(DEMO_TRACE), clock=lambda: 0.0)
    started, t, hour_bytes = time.perf_counter(), 0.0, 0
    while t < DAY_S:
        t = sampler.tick(t)
        if not hour_bytes and t >= 3600:
            hour_bytes = sampler.buffer_bytes()
    elapsed = time.perf_counter() - started
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    view = sampler.view(DAY_S, now=t)
    print(f"24 simulated hours ({DAY_S:,} fast ticks, {elapsed:.1f} s): history buffers {sampler.buffer_bytes() / MIB:.2f} MiB "
          f"at 24 h, {hour_bytes / MIB:.2f} MiB at 1 h ({len(view.history)} GPUs, "
          f"{len(view.process_history)} process series and the host, each allocated once)")
    print(f"  Python heap held by the sampler: {current / MIB:.2f} MiB (peak {peak / MIB:.2f} MiB)")
    r = sampler.retention
    per_gpu = History(GPU_FIELDS, r.fine, r.coarse).nbytes
    per_process = History(PROCESS_FIELDS, r.process_fine, r.process_coarse).nbytes
    print(f"  ceiling by construction: {per_gpu / MIB:.2f} MiB per GPU + {per_process / MIB:.3f} MiB per process series "
          f"(at most {r.max_processes}) + the host's {sampler.view(60, now=t).host_history.mean.shape[1]} series")


def run() -> None:
    seconds = float(os.environ.get("MONITOR_BENCH_SECONDS", "60"))
    poll_cost()
    memory_after_a_day()
    live = live_sampler()
    status = live.source.open()
    gpus = len(live.source.devices())
    live.source.close()
    cpu_at_default_rates(live, f"NVML ({gpus} GPUs) + psutil" if status.ok else f"psutil only, NVML {status.state}",
                         seconds)
    # The same sampler work for two GPUs and their processes, with the demo trace standing in for NVML.
    cpu_at_default_rates(Sampler(TraceSource(DEMO_TRACE)), "demo trace: 2 GPUs, processes, host", seconds / 2)
