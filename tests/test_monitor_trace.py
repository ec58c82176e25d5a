"""Traces: written and read back unchanged, replayed in a loop, recorded from the live source, and the shipped demo."""

from __future__ import annotations

import gzip
import itertools
import json
import sys
from pathlib import Path

import pytest

from core.cli import main
from core.monitor.live import LiveSource
from core.monitor.nvml import NvmlSource
from core.monitor.synth import synthesize
from core.monitor.trace import DEMO_TRACE, TraceSource, TraceWriter, demo_sampler, read_trace, record
from core.monitor.types import (
    FastReading,
    GpuInfo,
    GpuProcess,
    HostReading,
    LostGpu,
    Origin,
    SlowReading,
    SourceStatus,
    State,
)
from core.monitor.view import Poll
from tests.fakes import fake_nvml as fake
from tests.fakes.fake_nvml import FakeGpu, FakeNvml

GPU = GpuInfo(index=0, uuid="GPU-a", name="Test GPU", memory_total_mib=8192.0, temperature_slowdown_c=90.0)
HOST = HostReading(cpu_pct=12.5, cpu_per_core_pct=(10.0, 15.0), ram_total_mib=32768.0, ram_used_mib=4096.0,
                   ram_available_mib=20000.0, ram_cached_mib=None, swap_total_mib=0.0, swap_used_mib=0.0)
ORIGIN = Origin(kind="trace", label="unit test", recorded_at="2026-01-02T03:04:05+09:00", how="pytest")


def polls(n: int = 4) -> list[Poll]:
    return [
        Poll(
            t=100.0 + i,
            fast={"GPU-a": FastReading(gpu_util_pct=10.0 * i, memory_used_mib=1000.25, power_w=None),
                  "GPU-b": LostGpu("NVMLError_GpuIsLost: GPU is lost")},
            slow={"GPU-a": SlowReading(temperature_c=60.0, throttle_reasons=("sw_power_cap",))} if i % 2 == 0 else None,
            processes=(GpuProcess("GPU-a", 42, "ollama", "ollama serve", None, None, "compute", "ollama"),) if i == 1 else None,
            host=HOST,
        )
        for i in range(n)
    ]


def write(path: Path, items: list[Poll]) -> Path:
    with TraceWriter(path) as writer:
        writer.header(ORIGIN, SourceStatus(State.OK, driver_version="555.42"), (GPU,))
        for poll in items:
            writer.write(poll)
    return path


def test_a_trace_reads_back_what_was_written(tmp_path: Path) -> None:
    written = polls()
    trace = read_trace(write(tmp_path / "t.jsonl.gz", written))
    assert trace.devices == (GPU,)
    assert trace.status.driver_version == "555.42" and trace.origin.label == "unit test"
    assert trace.duration_s == 4.0 and trace.origin.duration_s == 4.0
    assert [p.t for p in trace.polls] == [0.0, 1.0, 2.0, 3.0]  # seconds from the start
    for before, after in zip(written, trace.polls, strict=True):
        assert (after.fast, after.slow, after.processes, after.host) == (
            before.fast, before.slow, before.processes, before.host)


def test_a_replay_loops_and_holds_each_tier_until_its_next_reading(tmp_path: Path) -> None:
    source = TraceSource(write(tmp_path / "t.jsonl.gz", polls()))
    status = source.open()
    assert status.ok and status.origin.kind == "trace" and source.devices() == (GPU,)
    assert source.read_fast(1.5)["GPU-a"].gpu_util_pct == 10.0
    assert source.read_fast(1.5 + 4 * 1000)["GPU-a"].gpu_util_pct == 10.0  # a thousand loops later
    assert source.read_slow(3.2)["GPU-a"].temperature_c == 60.0  # read at t=2, held through t=3
    assert source.read_processes(0.5)[0].pid == 42  # before the first list: the loop's last one
    assert isinstance(source.read_fast(2.0)["GPU-b"], LostGpu)
    assert source.read_host(2.0) == HOST


@pytest.mark.parametrize("content", [b"", b"not gzip at all", gzip.compress(b'{"format": "other"}\n'),
                                     gzip.compress(b'{"format": "gpu-monitor-trace", "version": 1}\n')])
def test_a_broken_trace_is_an_error_state_naming_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(content)
    status = TraceSource(path).open()
    assert status.state is State.ERROR and str(path) in status.detail


def test_the_shipped_demo_is_synthetic_and_says_how_it_was_made() -> None:
    trace = read_trace(DEMO_TRACE)
    assert trace.origin.synthetic and "SYNTHETIC" in trace.origin.label
    assert trace.origin.how.startswith("python -m core.monitor.synth") and trace.origin.recorded_at
    assert len(trace.devices) == 2 and trace.duration_s >= 600
    runtimes = {p.runtime for poll in trace.polls for p in poll.processes or ()}
    assert {"ollama", "vllm", "llama.cpp", "comfyui", "python"} <= runtimes


def test_the_demo_sampler_starts_with_a_loop_of_history() -> None:
    sampler = demo_sampler(now=1_000_000.0)
    view = sampler.view(900, now=1_000_000.0)
    assert view.status.origin.synthetic
    assert all(len(w) > 400 for w in view.history.values()) and len(view.history) == 2


def test_synthesis_is_deterministic_for_a_seed() -> None:
    assert synthesize(seconds=60, seed=3) == synthesize(seconds=60, seed=3)
    assert synthesize(seconds=60, seed=3) != synthesize(seconds=60, seed=4)


def live_source(nvml: FakeNvml) -> LiveSource:
    return LiveSource(NvmlSource(nvml=nvml, describe=lambda pid: None), host=lambda: HOST)


def test_record_writes_one_line_a_second_with_provenance(tmp_path: Path) -> None:
    clock = itertools.count(5000.0, 0.25)  # each look at the clock moves it on a quarter second
    nvml = FakeNvml(gpus=[FakeGpu()])
    out = tmp_path / "rec.jsonl.gz"
    ticks = record(live_source(nvml), 10, out, lambda status, devices: ORIGIN, clock=lambda: next(clock),
                   sleep=lambda s: None)
    trace = read_trace(out)
    assert ticks == len(trace.polls) == 10
    assert trace.devices[0].uuid == "GPU-fake-0" and trace.status.driver_version == "550.54.14"
    assert trace.origin.label == "unit test"
    assert nvml.initialised == 0  # NVML shut down at the end


def test_record_refuses_before_writing_when_nvml_is_unavailable(tmp_path: Path) -> None:
    from core.monitor.trace import SourceUnavailable

    out = tmp_path / "rec.jsonl.gz"
    with pytest.raises(SourceUnavailable) as caught:
        record(live_source(FakeNvml(init_error=fake.DRIVER_NOT_LOADED)), 10, out, lambda s, d: ORIGIN)
    assert caught.value.status.state is State.DRIVER_NOT_LOADED
    assert not out.exists()


def test_the_record_command_without_nvml_exits_2_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml(init_error=fake.LIBRARY_NOT_FOUND))
    out = tmp_path / "rec.jsonl.gz"
    assert main(["record", "--seconds", "5", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: NVML is unavailable: No NVIDIA driver found")
    assert "NVMLError_LibraryNotFound" in lines[0] and not out.exists()


def test_the_record_command_with_zero_gpus_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml(gpus=[]))
    assert main(["record", "--seconds", "5", "--out", str(tmp_path / "x.jsonl.gz")]) == 2
    assert "The driver sees no NVIDIA GPU" in capsys.readouterr().err


def test_the_trace_format_is_plain_json_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl.gz", polls(2))
    with gzip.open(path, "rt") as file:
        header, first, _ = (json.loads(line) for line in file)
    assert header["format"] == "gpu-monitor-trace" and header["devices"][0]["uuid"] == "GPU-a"
    assert first["fast"]["GPU-b"] == {"lost": "NVMLError_GpuIsLost: GPU is lost"}
    assert "power_w" not in first["fast"]["GPU-a"]  # n/a is left out, not written as null
