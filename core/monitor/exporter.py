"""This machine's sampler readings in the Prometheus text format.

Metric names and labels are those of nvitop's exporter (``gpu_utilization_Percentage{hostname, index,
devicename, uuid}`` …) wherever it has one, so one Prometheus can aggregate workstations running either,
and a team without DCGM still gets a fleet view. Built on the official ``prometheus_client``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from core.monitor.types import FastReading, GpuInfo, HostReading, SlowReading

if TYPE_CHECKING:  # the sampler pulls in numpy, which a scrape of these metrics never needs
    from core.monitor.sampler import Sampler
    from core.monitor.view import Latest

GPU_LABELS = ("hostname", "index", "devicename", "uuid")


@dataclass(frozen=True)
class GpuMetric:
    name: str  # nvitop's gauge name; prometheus_client appends the unit, as nvitop's does
    unit: str
    help: str
    value: Callable[[GpuInfo, FastReading, SlowReading], float | None]


def _free(info: GpuInfo, fast: FastReading, _: SlowReading) -> float | None:
    if info.memory_total_mib is None or fast.memory_used_mib is None:
        return None
    return info.memory_total_mib - fast.memory_used_mib


def _percent(info: GpuInfo, fast: FastReading, _: SlowReading) -> float | None:
    if not info.memory_total_mib or fast.memory_used_mib is None:
        return None
    return 100 * fast.memory_used_mib / info.memory_total_mib


GPU_METRICS = (
    GpuMetric("gpu_utilization", "Percentage", "GPU utilization (%).", lambda i, f, s: f.gpu_util_pct),
    GpuMetric("gpu_memory_utilization", "Percentage", "GPU memory utilization (%).", lambda i, f, s: f.mem_util_pct),
    GpuMetric("gpu_memory_total", "MiB", "GPU memory total (MiB).", lambda i, f, s: i.memory_total_mib),
    GpuMetric("gpu_memory_used", "MiB", "GPU memory used (MiB).", lambda i, f, s: f.memory_used_mib),
    GpuMetric("gpu_memory_free", "MiB", "GPU memory free (MiB).", _free),
    GpuMetric("gpu_memory_percent", "Percentage", "GPU memory percent (%).", _percent),
    GpuMetric("gpu_clock_sm", "MHz", "GPU SM clock (MHz).", lambda i, f, s: f.sm_clock_mhz),
    GpuMetric("gpu_clock_memory", "MHz", "GPU memory clock (MHz).", lambda i, f, s: f.mem_clock_mhz),
    GpuMetric("gpu_power_usage", "W", "GPU power usage (W).", lambda i, f, s: f.power_w),
    GpuMetric("gpu_power_limit", "W", "GPU power limit (W).", lambda i, f, s: s.power_limit_w),
    GpuMetric("gpu_temperature", "C", "GPU temperature (C).", lambda i, f, s: s.temperature_c),
    GpuMetric("gpu_fan_speed", "Percentage", "GPU fan speed (%).", lambda i, f, s: s.fan_pct),
)

HOST_METRICS: tuple[tuple[str, str, str, Callable[[HostReading], float | None]], ...] = (
    ("host_cpu_percent", "Percentage", "Host CPU percent (%).", lambda h: h.cpu_pct),
    ("host_virtual_memory_total", "MiB", "Host virtual memory total (MiB).", lambda h: h.ram_total_mib),
    ("host_virtual_memory_used", "MiB", "Host virtual memory used (MiB).", lambda h: h.ram_used_mib),
    ("host_virtual_memory_free", "MiB", "Host virtual memory available (MiB).", lambda h: h.ram_available_mib),
    ("host_swap_memory_total", "MiB", "Host swap total (MiB).", lambda h: h.swap_total_mib),
    ("host_swap_memory_used", "MiB", "Host swap used (MiB).", lambda h: h.swap_used_mib),
)


class SamplerCollector(Collector):
    """Reads the sampler's newest values on each scrape; NVML is never called from a scrape, so a
    Prometheus scraping every second costs the GPUs nothing beyond the sampler's own polling."""

    def __init__(self, sampler: Sampler, hostname: str) -> None:
        self.sampler, self.hostname = sampler, hostname

    def collect(self) -> Iterator[GaugeMetricFamily]:
        return iter(families(self.sampler.latest(), self.hostname))


def families(latest: Latest, hostname: str) -> list[GaugeMetricFamily]:
    """n/a readings and lost GPUs are left out: an absent sample is how Prometheus says 'unknown'."""
    found = []
    for metric in GPU_METRICS:
        family = GaugeMetricFamily(metric.name, metric.help, labels=GPU_LABELS, unit=metric.unit)
        for info in latest.devices:
            fast = latest.fast.get(info.uuid)
            if fast is None or info.uuid in latest.lost:
                continue
            value = metric.value(info, fast, latest.slow.get(info.uuid, SlowReading()))
            if value is not None:
                family.add_metric((hostname, str(info.index), info.name, info.uuid), value)
        found.append(family)
    for name, unit, help_text, read in HOST_METRICS:
        family = GaugeMetricFamily(name, help_text, labels=("hostname",), unit=unit)
        value = None if latest.host is None else read(latest.host)
        if value is not None:
            family.add_metric((hostname,), value)
        found.append(family)
    return found


def registry_for(sampler: Sampler, hostname: str) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SamplerCollector(sampler, hostname))
    return registry


def serve(sampler: Sampler, host: str, port: int, hostname: str, stop: threading.Event | None = None,
          announce: Callable[[], None] = lambda: None) -> None:
    """Serve ``/metrics`` for a started sampler until ``stop`` is set (or Ctrl-C); OSError when the port is taken.

    ``announce`` runs once the socket listens, so a caller can say where it serves."""
    from prometheus_client import start_http_server  # only this command serves HTTP

    server, _ = start_http_server(port, addr=host, registry=registry_for(sampler, hostname))
    announce()
    try:
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
