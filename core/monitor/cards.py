"""What the monitor page shows, worded and formatted in the reader's language: GPU cards with their
thresholds, the banners they raise, the host's figures and the process table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from core.i18n import fmt_number, t
from core.monitor.runtimes import LABELS
from core.monitor.types import FastReading, GpuInfo, HostReading, SlowReading, State
from core.monitor.view import MonitorView
from core.units import MIB_PER_GIB

Level = Literal["ok", "warn", "critical"]

WINDOWS_S = (60, 300, 900, 3600, 6 * 3600, 24 * 3600)
VRAM_WARN = 0.90
SLOWDOWN_MARGIN_C = 5.0  # "near the slowdown point": within this many degrees of it
POWER_REASONS = frozenset({"sw_power_cap", "hw_power_brake"})
THERMAL_REASONS = frozenset({"sw_thermal", "hw_thermal", "hw_slowdown"})
ERROR_STATES = frozenset({State.MISMATCH, State.DRIVER_NOT_LOADED, State.NO_PERMISSION, State.ERROR})


@dataclass(frozen=True)
class Alert:
    level: Level
    text: str


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    note: str = ""
    level: Level = "ok"
    help: str | None = None


@dataclass(frozen=True)
class GpuCard:
    uuid: str
    title: str
    subtitle: str
    lost: str | None  # why it stopped answering
    unified: bool
    metrics: tuple[Metric, ...]
    details: str
    alerts: tuple[Alert, ...]


@dataclass(frozen=True)
class Notice:
    """A card above the panel: why there are no GPUs, or where a replay comes from."""

    level: Level
    text: str
    detail: str = ""  # a smaller second line


def when(iso: str | None) -> str:
    """'2026-11-21T22:26:20+00:00' → '2026-11-21 22:26 UTC+00:00': a trace's time, readable and with its zone."""
    if not iso:
        return "?"
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = moment.strftime("%z")
    return moment.strftime("%Y-%m-%d %H:%M") + (f" UTC{zone[:3]}:{zone[3:]}" if zone else "")


def window_label(seconds: int, lang: str) -> str:
    if seconds < 3600:
        return t("mon.window.min", lang, n=seconds // 60)
    return t("mon.window.h", lang, n=seconds // 3600)


def _num(value: float | None, lang: str, decimals: int = 0, unit: str = "") -> str:
    text = fmt_number(value, lang, decimals)
    if value is None or not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _gib(mib: float | None) -> float | None:
    return None if mib is None else mib / MIB_PER_GIB


def _vram_share(info: GpuInfo, fast: FastReading) -> float | None:
    if not info.memory_total_mib or fast.memory_used_mib is None:
        return None
    return fast.memory_used_mib / info.memory_total_mib


def _temperature_level(info: GpuInfo, slow: SlowReading) -> Level:
    """Unknown slowdown points raise nothing: guessing one would cry wolf on some cards and miss on others."""
    slowdown, temp = info.temperature_slowdown_c, slow.temperature_c
    if slowdown is None or temp is None or temp < slowdown - SLOWDOWN_MARGIN_C:
        return "ok"
    return "critical" if temp >= slowdown else "warn"


def gpu_alerts(info: GpuInfo, fast: FastReading, slow: SlowReading, lang: str) -> tuple[Alert, ...]:
    """The thresholds that tripped: memory nearly full, temperature near slowdown, clocks held back."""
    name = f"GPU {info.index} ({info.name})"
    alerts = []
    share = _vram_share(info, fast)
    if share is not None and share > VRAM_WARN:
        alerts.append(Alert("warn", t("mon.alert.vram", lang, gpu=name, pct=_num(100 * share, lang))))
    temp_level = _temperature_level(info, slow)
    if temp_level != "ok":
        alerts.append(Alert(temp_level, t("mon.alert.temperature", lang, gpu=name, temp=_num(slow.temperature_c, lang),
                                          slowdown=_num(info.temperature_slowdown_c, lang))))
    reasons = set(slow.throttle_reasons or ())
    if reasons & THERMAL_REASONS:
        alerts.append(Alert("critical", t("mon.alert.thermal", lang, gpu=name)))
    if reasons & POWER_REASONS:
        alerts.append(Alert("warn", t("mon.alert.power", lang, gpu=name, limit=_num(slow.power_limit_w, lang))))
    return tuple(alerts)


def _memory_metric(view: MonitorView, info: GpuInfo, fast: FastReading, lang: str) -> Metric:
    if info.unified_memory:
        # GB10 and Jetson have no VRAM of their own: NVML has no memory figures; the host's RAM is the pool.
        host = view.host
        used, total = (host.ram_used_mib, host.ram_total_mib) if host else (None, None)
        return Metric(t("mon.card.unified", lang), f"{_num(_gib(used), lang, 1)} / {_num(_gib(total), lang, 1)} GiB",
                      t("mon.card.unified_note", lang), "ok")
    share = _vram_share(info, fast)
    level: Level = "warn" if share is not None and share > VRAM_WARN else "ok"
    used, total = _gib(fast.memory_used_mib), _gib(info.memory_total_mib)
    return Metric(t("mon.card.vram", lang), f"{_num(used, lang, 1)} / {_num(total, lang, 1)} GiB",
                  t("mon.card.vram_note", lang, pct=_num(None if share is None else 100 * share, lang, unit="%")), level)


def _card(view: MonitorView, info: GpuInfo, lang: str, energy_j: float | None) -> GpuCard:
    title = f"GPU {info.index} · {info.name}"
    subtitle = " · ".join(x for x in (info.uuid, info.bus_id) if x)
    if info.uuid in view.lost:
        return GpuCard(info.uuid, title, subtitle, view.lost[info.uuid], info.unified_memory, (), "", ())
    fast = view.fast.get(info.uuid, FastReading())
    slow = view.slow.get(info.uuid, SlowReading())
    alerts = gpu_alerts(info, fast, slow, lang)
    capped = bool(set(slow.throttle_reasons or ()) & POWER_REASONS)
    metrics = (
        Metric(t("mon.card.util", lang), _num(fast.gpu_util_pct, lang, unit="%"),
               t("mon.card.util_note", lang, pct=_num(fast.mem_util_pct, lang, unit="%")), "ok"),
        _memory_metric(view, info, fast, lang),
        Metric(t("mon.card.temperature", lang), _num(slow.temperature_c, lang, unit="°C"),
               t("mon.card.slowdown", lang, temp=_num(info.temperature_slowdown_c, lang, unit="°C")),
               _temperature_level(info, slow)),
        Metric(t("mon.card.power", lang), _num(fast.power_w, lang, unit="W"),
               t("mon.card.power_note", lang, limit=_num(slow.power_limit_w, lang, unit="W")), "warn" if capped else "ok"),
    )
    reasons = [t(f"mon.throttle.{r}", lang) for r in slow.throttle_reasons or () if r != "idle"]
    pcie = None if slow.pcie_gen is None else f"PCIe Gen{slow.pcie_gen} ×{slow.pcie_width or '?'}"
    details = " · ".join(x for x in (
        None if slow.pstate is None else f"P{slow.pstate}",
        t("mon.card.clocks", lang, sm=_num(fast.sm_clock_mhz, lang, unit="MHz"), mem=_num(fast.mem_clock_mhz, lang, unit="MHz")),
        t("mon.card.fan", lang, pct=_num(slow.fan_pct, lang, unit="%")),
        pcie,
        t("mon.card.energy", lang, wh=_num(None if energy_j is None else energy_j / 3600, lang, 2, "Wh")),
        t("mon.card.throttle", lang, reasons=", ".join(reasons)) if reasons else None,
    ) if x)
    return GpuCard(info.uuid, title, subtitle, None, info.unified_memory, metrics, details, alerts)


def energy_since(view: MonitorView, baseline_j: Mapping[str, float]) -> dict[str, float]:
    """Joules per GPU since the reader opened the page (``baseline_j``: the sampler's totals then)."""
    return {uuid: j - baseline_j.get(uuid, 0.0) for uuid, j in view.energy_j.items()}


def gpu_cards(view: MonitorView, lang: str, baseline_j: Mapping[str, float]) -> tuple[GpuCard, ...]:
    energy = energy_since(view, baseline_j)
    return tuple(_card(view, info, lang, energy.get(info.uuid)) for info in sorted(view.devices, key=lambda d: d.index))


def host_metrics(host: HostReading | None, view: MonitorView, lang: str, baseline_j: Mapping[str, float]) -> tuple[Metric, ...]:
    energy = () if not view.energy_j else (Metric(
        t("mon.host.energy", lang), _num(sum(energy_since(view, baseline_j).values()) / 3600, lang, 2, "Wh"),
        t("mon.host.energy_note", lang)),)
    if host is None:
        return energy
    return (
        Metric(t("mon.host.cpu", lang), _num(host.cpu_pct, lang, unit="%"),
               t("mon.host.cores", lang, n=len(host.cpu_per_core_pct))),
        Metric(t("mon.host.ram", lang), f"{_num(_gib(host.ram_used_mib), lang, 1)} / {_num(_gib(host.ram_total_mib), lang, 1)} GiB",
               t("mon.host.ram_note", lang, cache=_num(_gib(host.ram_cached_mib), lang, 1)),
               help=t("mon.host.ram_help", lang, available=_num(_gib(host.ram_available_mib), lang, 1))),
        Metric(t("mon.host.swap", lang), f"{_num(_gib(host.swap_used_mib), lang, 1)} / {_num(_gib(host.swap_total_mib), lang, 1)} GiB",
               level="warn" if host.swap_used_mib > 0.25 * host.swap_total_mib > 0 else "ok"),
        *energy,
    )


def banners(view: MonitorView, lang: str) -> tuple[Alert, ...]:
    """Every tripped threshold across GPUs, the lost GPUs first."""
    by_uuid = {d.uuid: d for d in view.devices}
    retry = view.diagnostics.retry_in_s
    lost = tuple(
        Alert("critical", t("mon.alert.lost", lang, gpu=f"GPU {by_uuid[u].index} ({by_uuid[u].name})", reason=reason,
                            retry=_num(retry, lang) if retry is not None else "…"))
        for u, reason in view.lost.items() if u in by_uuid
    )
    tripped = tuple(
        alert for info in view.devices if info.uuid not in view.lost
        for alert in gpu_alerts(info, view.fast.get(info.uuid, FastReading()), view.slow.get(info.uuid, SlowReading()), lang)
    )
    return lost + tripped


def process_rows(view: MonitorView, lang: str) -> list[dict[str, object]]:
    """One row per process and GPU, biggest GPU memory first, with the runtime it belongs to."""
    index = {d.uuid: d.index for d in view.devices}
    rows: list[dict[str, object]] = []
    for p in sorted(view.processes, key=lambda p: (index.get(p.gpu_uuid, 99), -(p.gpu_memory_mib or 0))):
        rows.append({
            t("mon.proc.gpu", lang): index.get(p.gpu_uuid),
            t("mon.proc.pid", lang): p.pid,
            t("mon.proc.runtime", lang): LABELS.get(p.runtime or "", ""),
            t("mon.proc.name", lang): p.name,
            t("mon.proc.memory", lang): None if p.gpu_memory_mib is None else round(p.gpu_memory_mib / MIB_PER_GIB, 2),
            t("mon.proc.kind", lang): " + ".join(t(f"mon.proc.kind.{k}", lang) for k in p.kind.split("+")),
            t("mon.proc.user", lang): p.user or "",
            t("mon.proc.command", lang): p.command if not p.note else f"{p.command} ({t(f'mon.proc.note.{p.note}', lang)})",
        })
    return rows


def notice_is_steady(view: MonitorView, demo: bool) -> bool:
    """A replay's notice, or live readings' one line, stays as drawn; a failing reader's counts down its retry."""
    return demo or view.status.ok


def notice_state(view: MonitorView, demo: bool) -> tuple[bool, bool, str]:
    """What decides which notice is drawn: when it changes, the notice must be drawn again."""
    return demo, view.status.ok, view.status.state


def source_notice(view: MonitorView, demo: bool, lang: str) -> Notice | None:
    """DEMO and where the replay comes from; or why no GPU can be read; None when live readings flow."""
    status, origin = view.status, view.status.origin
    if demo:
        key = "mon.demo.synthetic" if origin.synthetic else "mon.demo.recorded"
        return Notice("warn", t(key, lang, when=when(origin.recorded_at), how=origin.how or "?"),
                      t("mon.demo.about", lang, label=origin.label, where=origin.recorded_on or "?"))
    if status.ok:
        return None
    retry = view.diagnostics.retry_in_s
    text = (f"**{t(f'mon.state.{status.state}.title', lang)}**\n\n"
            + t(f"mon.state.{status.state}.body", lang, detail=status.detail, driver=status.driver_version or "n/a")
            + ("" if retry is None else " " + t("mon.state.retry", lang, retry=_num(retry, lang))))
    return Notice("critical" if status.state in ERROR_STATES else "warn", text)


def diagnostic_lines(view: MonitorView, lang: str) -> tuple[str, ...]:
    """What the sampler costs and where its numbers come from, for the diagnostics expander."""
    d, status = view.diagnostics, view.status

    def ms(tier: str) -> str:
        return _num(d.mean_poll_ms.get(tier), lang, 2)

    return (
        t("mon.diag.shared", lang),
        t("mon.diag.source", lang, source=status.origin.label, driver=status.driver_version or "n/a",
          cuda=status.cuda_version or "n/a", library=status.library_version or "n/a"),
        t("mon.diag.rates", lang, fast=_num(d.rates.fast_s, lang), processes=_num(d.rates.processes_s, lang),
          slow=_num(d.rates.slow_s, lang)),
        t("mon.diag.cost", lang, cpu=_num(d.cpu_pct_of_core, lang, 2), fast=ms("fast"), processes=ms("processes"),
          slow=ms("slow"), host=ms("host")),
        t("mon.diag.memory", lang, mib=_num(d.buffer_bytes / 2**20, lang, 1), hours=_num(d.running_s / 3600, lang, 1),
          polls=_num(sum(d.polls.values()), lang)),
    )


def event_lines(view: MonitorView, last: int = 10) -> str:
    return "\n".join(f"{dt.datetime.fromtimestamp(e.t):%H:%M:%S}  {e.kind:<9} {e.uuid or '':<40} {e.detail}"
                     for e in view.diagnostics.events[-last:])
