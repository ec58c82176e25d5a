"""The exporter: nvitop-exporter names and labels from the sampler's readings, served by `python -m core export`."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from core.monitor.exporter import registry_for
from core.monitor.live import LiveSource
from core.monitor.nvml import NvmlSource
from core.monitor.sampler import Sampler
from core.monitor.types import HostReading
from tests.fakes import fake_nvml as fake
from tests.fakes.fake_nvml import FakeGpu, FakeNvml
from tests.support.net import free_port

ROOT = Path(__file__).resolve().parents[1]
HOST = HostReading(cpu_pct=12.5, cpu_per_core_pct=(12.5,), ram_total_mib=65536, ram_used_mib=8192,
                   ram_available_mib=50000, ram_cached_mib=None, swap_total_mib=0, swap_used_mib=0)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def scrape(gpus: list[FakeGpu]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    sampler = Sampler(LiveSource(NvmlSource(nvml=FakeNvml(gpus)), host=lambda: HOST))
    sampler.tick(0.0)
    return samples(generate_latest(registry_for(sampler, "ws-a")).decode())


def gpu(uuid: str, index: int, name: str = "NVIDIA GeForce RTX 4090") -> tuple[tuple[str, str], ...]:
    return tuple(sorted({"hostname": "ws-a", "index": str(index), "devicename": name, "uuid": uuid}.items()))


def test_readings_carry_nvitop_exporter_names_labels_and_units() -> None:
    found = scrape([FakeGpu(uuid="GPU-a-0", memory_used_mib=6144.0, util_gpu=37)])
    labels = gpu("GPU-a-0", 0)
    assert found[("gpu_utilization_Percentage", labels)] == 37
    assert found[("gpu_memory_used_MiB", labels)] == 6144
    assert found[("gpu_memory_total_MiB", labels)] == 24564
    assert found[("gpu_memory_free_MiB", labels)] == 24564 - 6144
    assert found[("gpu_temperature_C", labels)] == 55
    assert found[("gpu_power_usage_W", labels)] == 120
    assert found[("gpu_power_limit_W", labels)] == 450
    assert found[("gpu_clock_sm_MHz", labels)] == 2100
    assert found[("host_cpu_percent_Percentage", (("hostname", "ws-a"),))] == 12.5
    assert found[("host_virtual_memory_used_MiB", (("hostname", "ws-a"),))] == 8192


def test_na_readings_and_lost_gpus_are_left_out_not_zero() -> None:
    no_power = FakeGpu(uuid="GPU-a-0", errors={"nvmlDeviceGetPowerUsage": fake.NOT_SUPPORTED})
    lost = FakeGpu(uuid="GPU-a-1", name="NVIDIA GeForce RTX 3090", lost=True)
    found = scrape([no_power, lost])
    names = {name for name, labels in found if dict(labels).get("uuid") == "GPU-a-0"}
    assert "gpu_utilization_Percentage" in names and "gpu_power_usage_W" not in names
    assert not [key for key in found if dict(key[1]).get("uuid") == "GPU-a-1"]


def test_the_command_serves_metrics_over_http_until_stopped() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.export_fake", "export", "--port", str(port),
                             "--hostname", "ws-b"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, text = time.monotonic() + 30, ""
        while time.monotonic() < deadline and "gpu_utilization" not in text:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as reply:
                    text = reply.read().decode()
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(0.2)
        found = samples(text)
        assert found[("gpu_utilization_Percentage", tuple(sorted(
            {"hostname": "ws-b", "index": "1", "devicename": "NVIDIA GeForce RTX 3090", "uuid": "GPU-fake-1"}.items())))] == 5
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_busy_port_is_a_one_line_error() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "tests.fakes.export_fake", "export", "--port", str(port)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
