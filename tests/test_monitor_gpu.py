"""The NVML source and the recorder against a real NVIDIA GPU. Skipped where NVML cannot be opened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.cli import main
from core.monitor.nvml import NvmlSource
from core.monitor.trace import read_trace
from core.monitor.types import FastReading, LostGpu, SlowReading

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def nvml() -> Iterator[NvmlSource]:
    source = NvmlSource()
    status = source.open()
    if not status.ok:
        pytest.skip(f"NVML is unavailable here: {status.state} ({status.detail})")
    yield source
    source.close()


def test_every_gpu_answers_with_readings_in_range(nvml: NvmlSource) -> None:
    for info in nvml.devices():
        assert info.uuid.startswith(("GPU-", "MIG-")) and info.name
        fast = nvml.read_fast(0.0)[info.uuid]
        slow = nvml.read_slow(0.0)[info.uuid]
        assert isinstance(fast, FastReading) and isinstance(slow, SlowReading), (fast, slow)
        assert not isinstance(fast, LostGpu)
        if fast.gpu_util_pct is not None:
            assert 0 <= fast.gpu_util_pct <= 100
        if info.memory_total_mib and fast.memory_used_mib is not None:
            assert 0 < fast.memory_used_mib <= info.memory_total_mib
        if slow.temperature_c is not None:
            assert 0 < slow.temperature_c < 120
        if fast.power_w is not None and slow.power_limit_w is not None:
            assert 0 < fast.power_w <= slow.power_limit_w * 1.5


def test_processes_name_their_gpu(nvml: NvmlSource) -> None:
    uuids = {d.uuid for d in nvml.devices()}
    assert all(p.gpu_uuid in uuids and p.pid > 0 for p in nvml.read_processes(0.0))


def test_the_recorder_writes_a_readable_trace(nvml: NvmlSource, tmp_path: Path) -> None:
    out = tmp_path / "gpu.jsonl.gz"
    assert main(["record", "--seconds", "3", "--out", str(out)]) == 0
    trace = read_trace(out)
    assert len(trace.polls) >= 2
    assert not trace.origin.synthetic and trace.status.driver_version
    assert {d.uuid for d in trace.devices} == {d.uuid for d in nvml.devices()}
