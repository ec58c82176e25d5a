"""The team view: every workstation's GPUs as one Prometheus sees them, fed by NVIDIA's DCGM exporter or by
nvitop's exporter (``python -m core export`` serves the latter's names). Both map to the domain types the
NVML source produces; history comes from Prometheus itself, at a step that fits the window.

Five requests per refresh, whatever the number of hosts: the current values, ``up`` in the window (to tell a
host that stopped reporting and when it was last seen), the utilization and VRAM histories, and when each
scrape target last answered within the lookback. A host that stopped reporting stays on the board with the
readings of its last good scrape (one more request per such host, at that moment) until the lookback
(``TEAM_LOOKBACK_H``, default 24 h) has passed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.monitor.prometheus import PrometheusClient, PrometheusError, Sample, Series
from core.monitor.types import FastReading, GpuInfo, SlowReading

PROMETHEUS_URL_ENV = "PROMETHEUS_URL"
LOOKBACK_ENV = "TEAM_LOOKBACK_H"
DEFAULT_LOOKBACK_H = 24.0
LOOKBACK_POINTS = 1440  # the last-seen search steps through the lookback at this many points (1 min over 24 h)

# Domain field → (DCGM exporter name, nvitop exporter name); None where that exporter has no such metric.
METRICS: dict[str, tuple[str | None, str | None]] = {
    "gpu_util_pct": ("DCGM_FI_DEV_GPU_UTIL", "gpu_utilization_Percentage"),
    "mem_util_pct": ("DCGM_FI_DEV_MEM_COPY_UTIL", "gpu_memory_utilization_Percentage"),
    "memory_used_mib": ("DCGM_FI_DEV_FB_USED", "gpu_memory_used_MiB"),
    "memory_free_mib": ("DCGM_FI_DEV_FB_FREE", "gpu_memory_free_MiB"),
    "memory_reserved_mib": ("DCGM_FI_DEV_FB_RESERVED", None),
    "memory_total_mib": (None, "gpu_memory_total_MiB"),
    "power_w": ("DCGM_FI_DEV_POWER_USAGE", "gpu_power_usage_W"),
    "power_limit_w": ("DCGM_FI_DEV_POWER_MGMT_LIMIT", "gpu_power_limit_W"),
    "temperature_c": ("DCGM_FI_DEV_GPU_TEMP", "gpu_temperature_C"),
    "fan_pct": (None, "gpu_fan_speed_Percentage"),
    "sm_clock_mhz": ("DCGM_FI_DEV_SM_CLOCK", "gpu_clock_sm_MHz"),
    "mem_clock_mhz": ("DCGM_FI_DEV_MEM_CLOCK", "gpu_clock_memory_MHz"),
    "energy_mj": ("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", None),
}
BY_NAME = {name: field_ for field_, names in METRICS.items() for name in names if name}
HISTORY_FIELDS = ("gpu_util_pct", "memory_used_mib")
MAX_POINTS = 600  # Prometheus refuses over 11,000 points per series; 600 is about a pixel each
MIN_STEP_S = 1.0


def configured_url(env: Mapping[str, str] | None = None) -> str | None:
    """PROMETHEUS_URL from the server's environment (never from the browser); None when unset."""
    value = (os.environ if env is None else env).get(PROMETHEUS_URL_ENV, "").strip()
    return value or None


def lookback_s(env: Mapping[str, str] | None = None) -> float:
    """How long a host that stopped reporting stays on the board: TEAM_LOOKBACK_H hours from the server's
    environment (a bad value falls back to the default)."""
    raw = (os.environ if env is None else env).get(LOOKBACK_ENV, "").strip()
    try:
        hours = float(raw) if raw else DEFAULT_LOOKBACK_H
    except ValueError:
        hours = DEFAULT_LOOKBACK_H
    return 3600.0 * (hours if 0 < hours <= 24 * 90 else DEFAULT_LOOKBACK_H)


def selector(names: list[str], instance: str | None = None) -> str:
    where = f', instance="{instance}"' if instance is not None else ""
    return '{__name__=~"' + "|".join(names) + '"' + where + "}"


def step_for(window_s: float) -> float:
    return max(MIN_STEP_S, window_s / MAX_POINTS)


@dataclass(frozen=True)
class TeamGpu:
    info: GpuInfo
    fast: FastReading
    slow: SlowReading

    @property
    def free_mib(self) -> float | None:
        if self.info.memory_total_mib is None or self.fast.memory_used_mib is None:
            return None
        return max(0.0, self.info.memory_total_mib - self.fast.memory_used_mib - (self.fast.memory_reserved_mib or 0))


@dataclass(frozen=True)
class TeamHost:
    name: str
    instance: str
    exporter: str  # "dcgm" or "nvitop"
    gpus: tuple[TeamGpu, ...]
    stale: bool  # stopped reporting: its figures are the last ones seen
    last_seen: float | None  # unix time of the last successful scrape within the lookback


@dataclass(frozen=True)
class HistoryLine:
    host: str
    gpu: str  # "0 · RTX 4090"
    times: tuple[float, ...]
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Totals:
    hosts: int
    stale_hosts: int
    gpus: int
    used_mib: float
    free_mib: float
    util_pct: float | None  # mean over the GPUs that report it


@dataclass(frozen=True)
class TeamView:
    state: str  # "ok", "unreachable", "timeout", "bad_answer" or "empty"
    detail: str
    url: str
    now: float
    window_s: float
    lookback_s: float = DEFAULT_LOOKBACK_H * 3600
    hosts: tuple[TeamHost, ...] = ()
    history: Mapping[str, tuple[HistoryLine, ...]] = field(default_factory=dict)  # field → lines

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def totals(self) -> Totals:
        live = [g for h in self.hosts if not h.stale for g in h.gpus]
        utils = [g.fast.gpu_util_pct for g in live if g.fast.gpu_util_pct is not None]
        return Totals(
            hosts=len(self.hosts), stale_hosts=sum(h.stale for h in self.hosts), gpus=len(live),
            used_mib=sum(g.fast.memory_used_mib or 0 for g in live), free_mib=sum(g.free_mib or 0 for g in live),
            util_pct=sum(utils) / len(utils) if utils else None,
        )


def host_of(labels: Mapping[str, str]) -> str:
    # DCGM renamed Hostname to hostname in May 2026; both are read. Without either, the scrape target names it.
    return labels.get("hostname") or labels.get("Hostname") or labels.get("instance", "?")


def _gpu_key(labels: Mapping[str, str]) -> tuple[str, str]:
    index = labels.get("gpu") or labels.get("index") or "0"
    return host_of(labels), labels.get("UUID") or labels.get("uuid") or f"{host_of(labels)}/gpu{index}"


def _build_gpu(labels: Mapping[str, str], values: Mapping[str, float | None]) -> TeamGpu:
    used, free = values.get("memory_used_mib"), values.get("memory_free_mib")
    total = values.get("memory_total_mib")
    if total is None and used is not None and free is not None:
        total = used + free + (values.get("memory_reserved_mib") or 0)
    index = labels.get("gpu") or labels.get("index") or "0"
    info = GpuInfo(index=int(index) if index.isdigit() else 0, uuid=_gpu_key(labels)[1],
                   name=labels.get("modelName") or labels.get("devicename") or "GPU",
                   bus_id=labels.get("pci_bus_id"), memory_total_mib=total)
    fast = FastReading(**{k: values.get(k) for k in ("gpu_util_pct", "mem_util_pct", "memory_used_mib",
                                                      "memory_reserved_mib", "power_w", "sm_clock_mhz",
                                                      "mem_clock_mhz", "energy_mj")})
    slow = SlowReading(temperature_c=values.get("temperature_c"), fan_pct=values.get("fan_pct"),
                       power_limit_w=values.get("power_limit_w"))
    return TeamGpu(info, fast, slow)


def _last_seen(up: list[Series]) -> dict[str, float]:
    seen: dict[str, float] = {}
    for series in up:
        times = [t for t, v in series.points if v == 1]
        if times:
            instance = series.labels.get("instance", "?")
            seen[instance] = max(times[-1], seen.get(instance, 0.0))
    return seen


def _add_values(values: dict[tuple[str, str], dict[str, float | None]], labels_of: dict[tuple[str, str], dict[str, str]],
                samples: list[Sample]) -> None:
    """Readings a GPU does not have yet (a fresher source came first); its labels from the first sample."""
    for sample in samples:
        name = sample.labels.get("__name__", "")
        if name not in BY_NAME:
            continue
        key = _gpu_key(sample.labels)
        labels_of.setdefault(key, sample.labels)
        values.setdefault(key, {}).setdefault(BY_NAME[name], sample.value)


def assemble(now: float, window_s: float, url: str, current: list[Sample], up: list[Series],
             histories: Mapping[str, list[Series]], seen_in_lookback: Mapping[str, float] | None = None,
             last_readings: list[Sample] | None = None, lookback: float = DEFAULT_LOOKBACK_H * 3600) -> TeamView:
    """Pure: the answers in, hosts with their GPUs, staleness and history lines out.

    ``seen_in_lookback`` is each scrape target's last good scrape within the lookback, and ``last_readings``
    what the hosts that stopped reporting held then; a stale host keeps those figures, all of them."""
    values: dict[tuple[str, str], dict[str, float | None]] = {}
    labels_of: dict[tuple[str, str], dict[str, str]] = {}
    _add_values(values, labels_of, current)
    seen = {**(seen_in_lookback or {})}
    for instance, when in _last_seen(up).items():
        seen[instance] = max(when, seen.get(instance, 0.0))
    up_now = {s.labels.get("instance"): s.points[-1][1] == 1 for s in up if s.points}
    reporting = {host_of(s.labels) for s in current if s.labels.get("__name__", "") in BY_NAME}
    # A host that stopped reporting: its last good scrape first, then the last points of its history.
    _add_values(values, labels_of, last_readings or [])
    for series_list in histories.values():
        _add_values(values, labels_of, [Sample(series.labels, last) for series in series_list
                                        if (last := next((v for _, v in reversed(series.points) if v is not None),
                                                         None)) is not None])
    hosts: dict[str, list[tuple[str, TeamGpu]]] = {}
    for key, labels in labels_of.items():
        hosts.setdefault(key[0], []).append((labels.get("instance", "?"), _build_gpu(labels, values.get(key, {}))))
    found = []
    for name, gpus in sorted(hosts.items()):
        instance = gpus[0][0]
        stale = name not in reporting or up_now.get(instance) is False
        labels = labels_of[next(k for k in labels_of if k[0] == name)]
        exporter = "dcgm" if labels.get("__name__", "").startswith("DCGM_") else "nvitop"
        found.append(TeamHost(name=name, instance=instance, exporter=exporter,
                              gpus=tuple(sorted((g for _, g in gpus), key=lambda g: g.info.index)),
                              stale=stale, last_seen=seen.get(instance)))
    lines = {
        field_: tuple(
            HistoryLine(host=host_of(s.labels), gpu=f"{_index(s.labels)} · "
                        f"{s.labels.get('modelName') or s.labels.get('devicename') or 'GPU'}",
                        times=tuple(t for t, _ in s.points), values=tuple(v for _, v in s.points))
            for s in sorted(histories.get(field_, []), key=lambda s: (host_of(s.labels), _index(s.labels))))
        for field_ in HISTORY_FIELDS
    }
    state = "ok" if found else "empty"
    return TeamView(state=state, detail="", url=url, now=now, window_s=window_s, lookback_s=lookback,
                    hosts=tuple(found), history=lines)


def _index(labels: Mapping[str, str]) -> int:
    """The GPU's index on its host, for ordering: GPU 0 before GPU 1, whatever their UUIDs."""
    raw = labels.get("gpu") or labels.get("index") or "0"
    return int(raw) if raw.isdigit() else 0


def team_view(client: PrometheusClient, window_s: float, now: float | None = None,
              lookback: float | None = None) -> TeamView:
    """Everything the team view shows, or a view whose state says why Prometheus could not answer."""
    now = time.time() if now is None else now
    lookback = lookback_s() if lookback is None else lookback
    step = step_for(window_s)
    start = now - window_s
    resolution = max(step, lookback / LOOKBACK_POINTS)
    names = sorted(BY_NAME)
    try:
        current = client.query(selector(names), now)
        up = client.query_range("up", start, now, step)
        histories = {f: client.query_range(selector([n for n in METRICS[f] if n]), start, now, step)
                     for f in HISTORY_FIELDS}
        # Each step of the subquery where `up` was 1: the latest is the target's last good scrape (to a step).
        seen = {s.labels.get("instance", "?"): s.value for s in client.query(
            f"max_over_time(timestamp(up == 1)[{lookback:.0f}s:{resolution:.0f}s])", now) if s.value is not None}
        # Within the window, up's own points say it to the step: a host gone for less than a minute is found too.
        for instance, when in _last_seen(up).items():
            seen[instance] = max(when, seen.get(instance, 0.0))
        reporting = {s.labels.get("instance") for s in current}
        # Read at the moment of the last good scrape: later, Prometheus has marked those series stale.
        last = [sample for instance, when in seen.items() if instance not in reporting
                for sample in client.query(selector(names, instance), when)]
    except PrometheusError as exc:
        return TeamView(state=exc.kind, detail=exc.detail, url=client.url, now=now, window_s=window_s,
                        lookback_s=lookback)
    return assemble(now, window_s, client.url, current, up, histories, seen, last, lookback)
