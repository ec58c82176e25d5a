"""The team view worded and drawn: host cards, fleet totals, history figures, and where a model fits now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from core.chartstyle import SERIES_COLOURS, figure
from core.i18n import fmt_number, t
from core.monitor.team import TeamHost, TeamView, step_for
from core.plan.estimate import Scenario, estimate
from core.plan.models import ModelArch
from core.units import MIB_PER_GIB

HEIGHT = 300


@dataclass(frozen=True)
class HostCard:
    title: str
    subtitle: str
    stale_note: str | None  # why the figures are old, and since when
    gpu_lines: tuple[str, ...]  # a stale host's are its last readings, shown greyed


@dataclass(frozen=True)
class Placement:
    host: str
    verdict: str
    fits: bool
    freest_gib: float | None
    free_gib: float
    stale: bool = False  # not reporting: its free VRAM is old, so it is listed apart, never as "fits now"


def _clock(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp).astimezone().strftime("%H:%M:%S")


def _ago(view: TeamView, stamp: float, lang: str) -> str:
    minutes = max(0, round((view.now - stamp) / 60))
    if minutes < 120:
        return t("team.ago.minutes", lang, n=minutes)
    return t("team.ago.hours", lang, n=f"{minutes / 60:.0f}")


def stale_note(view: TeamView, host: TeamHost, lang: str) -> str | None:
    """"Not reporting since 14:05 (12 min ago)", or None for a host that reports."""
    if not host.stale:
        return None
    if host.last_seen is None:
        return t("team.host.stale_unknown", lang, hours=f"{view.lookback_s / 3600:g}")
    return t("team.host.stale", lang, when=_clock(host.last_seen)[:5], ago=_ago(view, host.last_seen, lang))


def gpu_count(n: int, lang: str) -> str:
    return t("team.gpus.one" if n == 1 else "team.gpus.many", lang, n=n)


def host_cards(view: TeamView, lang: str) -> tuple[HostCard, ...]:
    cards = []
    for host in view.hosts:
        note = stale_note(view, host, lang)
        lines = tuple(t("team.gpu.line", lang, index=g.info.index, name=g.info.name,
                        util=_unit(g.fast.gpu_util_pct, lang, "%"),
                        used=fmt_number(_gib(g.fast.memory_used_mib), lang, 1),
                        total=fmt_number(_gib(g.info.memory_total_mib), lang, 1),
                        free=fmt_number(_gib(g.free_mib), lang, 1),
                        temp=_unit(g.slow.temperature_c, lang, " °C"), power=_unit(g.fast.power_w, lang, " W"))
                      for g in host.gpus)
        exporter = "DCGM exporter" if host.exporter == "dcgm" else "nvitop exporter"
        cards.append(HostCard(host.name, t("team.host.subtitle", lang, exporter=exporter, instance=host.instance,
                                           gpus=gpu_count(len(host.gpus), lang)), note, lines))
    return tuple(cards)


def _gib(mib: float | None) -> float | None:
    return None if mib is None else mib / MIB_PER_GIB


def _unit(value: float | None, lang: str, unit: str) -> str:
    return fmt_number(value, lang) + unit if value is not None else "n/a"


def totals_metrics(view: TeamView, lang: str) -> tuple[tuple[str, str, str | None, str], ...]:
    """(label, value, note, level) for the fleet: hosts, VRAM used and free, mean utilization of live GPUs."""
    totals = view.totals()
    stale = t("team.total.stale", lang, n=totals.stale_hosts) if totals.stale_hosts else None
    return (
        (t("team.total.hosts", lang), fmt_number(totals.hosts, lang), stale, "warn" if stale else "ok"),
        (t("team.total.used", lang), f"{fmt_number(totals.used_mib / MIB_PER_GIB, lang, 1)} GiB",
         gpu_count(totals.gpus, lang), "ok"),
        (t("team.total.free", lang), f"{fmt_number(totals.free_mib / MIB_PER_GIB, lang, 1)} GiB", None, "ok"),
        (t("team.total.util", lang), _unit(totals.util_pct, lang, "%"), None, "ok"),
    )


def _placement(host: TeamHost, model: ModelArch, quant: str, context: int, need_gib: float, lang: str) -> Placement:
    free = sorted(((g.free_mib / MIB_PER_GIB, g.info.index) for g in host.gpus if g.free_mib is not None), reverse=True)
    total_free = sum(gib for gib, _ in free)
    if host.stale:
        when = _clock(host.last_seen)[:5] if host.last_seen is not None else "?"
        return Placement(host.name, t("team.where.stale", lang, when=when), False, None, total_free, stale=True)
    if not free:
        return Placement(host.name, t("team.where.no_reading", lang), False, None, total_free)
    if free[0][0] >= need_gib:
        return Placement(host.name, t("team.where.one_gpu", lang, index=free[0][1]), True, free[0][0], total_free)
    if len(free) > 1:
        # Ollama splits layers over the host's GPUs; the estimator says what each one then holds.
        split = estimate(Scenario(model=model, quant=quant, context=context, gpus=len(free)))
        if all(need <= have for need, (have, _) in zip(sorted(split.per_gpu_gib, reverse=True), free, strict=False)):
            return Placement(host.name, t("team.where.split", lang, n=len(free)), True, free[0][0], total_free)
    return Placement(host.name, t("team.where.no", lang), False, free[0][0], total_free)


def where_it_fits(view: TeamView, model: ModelArch, quant: str, context: int,
                  lang: str) -> tuple[float, tuple[Placement, ...]]:
    """The memory the model needs (the estimator, Ollama) and, per host, whether its free VRAM holds it now.
    Hosts that fit come first, the roomiest first; hosts that are not reporting come last, apart.
    Raises InputError for a combination the estimator refuses."""
    need = estimate(Scenario(model=model, quant=quant, context=context)).total_gib
    found = [_placement(h, model, quant, context, need, lang) for h in view.hosts]
    return need, tuple(sorted(found, key=lambda p: (p.stale, not p.fits, -(p.freest_gib or 0))))


def history_figures(view: TeamView, field: str, lang: str) -> dict[str, go.Figure]:
    """One figure per host for ``field`` ("gpu_util_pct" or "memory_used_mib"), a line per GPU."""
    scale = 1.0 if field == "gpu_util_pct" else 1 / MIB_PER_GIB
    title_key = "team.chart.util" if field == "gpu_util_pct" else "team.chart.memory"
    source = t("team.chart.source", lang, url=view.url, step=f"{step_for(view.window_s):g}")
    offset = (dt.datetime.fromtimestamp(view.now).astimezone().utcoffset() or dt.timedelta()).total_seconds()
    by_host: dict[str, list[dict[str, Any]]] = {}
    for line in view.history.get(field, ()):
        traces = by_host.setdefault(line.host, [])
        traces.append({
            "type": "scatter", "mode": "lines", "name": line.gpu,
            # Wall-clock time of the server, as the other monitor charts draw it.
            "x": [dt.datetime.fromtimestamp(s + offset, dt.UTC).replace(tzinfo=None) for s in line.times],
            "y": [None if v is None else round(v * scale, 2) for v in line.values],
            "line": {"color": SERIES_COLOURS[len(traces) % len(SERIES_COLOURS)], "width": 2},
        })
    y_axis = {"range": [0, 100], "ticksuffix": "%"} if field == "gpu_util_pct" else {"rangemode": "tozero",
                                                                                       "ticksuffix": " GiB"}
    return {host: figure(traces, {"yaxis": y_axis, "xaxis": {"type": "date"}},
                         t(title_key, lang, host=host), source, height=HEIGHT)
            for host, traces in by_host.items()}
