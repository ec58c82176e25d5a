"""Monitor figures: a view in, a plotly figure out, redrawn every second, so written as plain dicts (see
core.plan.charts_vram). Axes are fixed (0–100 %, the largest card's memory, above the power limit, a temperature
scale that holds the slowdown point) so slides and side-by-side screens compare."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.chartstyle import SERIES_COLOURS, axis, figure
from core.i18n import fmt_number, t
from core.monitor.cards import when, window_label
from core.monitor.ringbuffer import Window
from core.monitor.view import MonitorView
from core.units import MIB_PER_GIB

HEIGHT = 320
GAP_STEPS = 3  # more than this many steps without a reading is a gap, not a slope
CACHE_COLOUR = "#94a3b8"
# Processes outnumber GPUs: a longer palette (D3's ten) so no two lines share a colour.
PROCESS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22", "#17becf")


@dataclass(frozen=True)
class Scale:
    title_key: str
    unit: str
    factor: float  # stored unit → shown unit


SCALES = {
    "gpu_util_pct": Scale("mon.chart.util", "%", 1.0),
    "memory_used_mib": Scale("mon.chart.memory", "GiB", 1 / MIB_PER_GIB),
    "temperature_c": Scale("mon.chart.temperature", "°C", 1.0),
    "power_w": Scale("mon.chart.power", "W", 1.0),
}


def _local(stamps: np.ndarray | float, now: float) -> np.ndarray:
    """Epoch seconds as milliseconds of the server's wall-clock time, for a date axis (plotly draws datetimes as
    given, without a zone)."""
    offset = dt.datetime.fromtimestamp(now).astimezone().utcoffset() or dt.timedelta()
    return (np.asarray(stamps, dtype=float) + offset.total_seconds()) * 1000


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _values(column: np.ndarray, factor: float) -> np.ndarray:
    """NaN (n/a) becomes a gap in the line."""
    return np.round(column.astype(float) * factor, 2)


REDRAW_STEPS = 60
"""A chart is redrawn each time its window has moved by 1/60 of its span, about a dozen pixels of a
half-width plot: each redraw of the seven charts costs the browser over half a second of one core
(bench/browser.py), and the cards above show the current values every second."""


def redraw_s(window_s: float, fastest_s: float, steps: int = REDRAW_STEPS) -> float:
    """How often the charts of this window are redrawn: never faster than the cards above them."""
    return max(fastest_s, window_s / steps)


BAND_MIN_SAMPLES = 4
"""A point's min–max band is drawn from this many samples a point on. Below it the band shows little that the
line does not, and its filled shape costs the browser about two fifths of a history chart's redraw
(bench/browser.py's monitor case)."""


def has_band(window: Window) -> bool:
    return window.low is not None and window.merged >= BAND_MIN_SAMPLES


def source_line(view: MonitorView, lang: str, band: bool = True) -> str:
    """Short enough for a half-width chart: what was read, over which window, at which step."""
    origin = view.status.origin
    if origin.kind == "trace":
        key = "mon.chart.source_synthetic" if origin.synthetic else "mon.chart.source_trace"
        source = t(key, lang, when=when(origin.recorded_at))
    elif view.status.ok:
        source = t("mon.chart.source_live", lang, driver=view.status.driver_version or "n/a")
    else:
        source = t("mon.chart.source_host", lang)
    windows = [*view.history.values(), view.host_history]
    parts = [source, t("mon.chart.window", lang, window=window_label(int(view.window_s), lang),
                       step=fmt_number(max(w.step_s for w in windows), lang))]
    if band and any(has_band(w) for w in windows):
        parts.append(t("mon.chart.band", lang))
    return " · ".join(parts)


def series(window: Window, field: str, factor: float, name: str, colour: str, now: float,
           band: bool = True) -> list[dict[str, Any]]:
    """A mean line, with the band of each point's min–max behind it when the point folds several samples.
    Where readings stop (a process ended, the server was down) the line breaks instead of bridging."""
    gaps = np.flatnonzero(np.diff(window.t) > GAP_STEPS * window.step_s) + 1
    x = _local(np.insert(window.t, gaps, window.t[gaps - 1] + window.step_s), now)

    def y(part: str) -> np.ndarray:
        return _values(np.insert(window.column(field, part).astype(float), gaps, np.nan), factor)

    line = {"type": "scatter", "mode": "lines", "name": name, "legendgroup": name, "x": x, "y": y("mean"),
            "line": {"color": colour, "width": 2}, "hovertemplate": f"%{{y:.1f}}<extra>{name}</extra>"}
    if not band or not has_band(window):
        return [line]
    spread = {"type": "scatter", "mode": "lines", "legendgroup": name, "showlegend": False, "hoverinfo": "skip",
              "x": x, "line": {"width": 0}}
    return [{**spread, "y": y("high")},
            {**spread, "y": y("low"), "fill": "tonexty", "fillcolor": _rgba(colour, 0.18)},
            line]


def _dashed(value: float, colour: str) -> dict[str, Any]:
    return {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": value, "y1": value,
            "line": {"dash": "dash", "color": colour, "width": 1}}


def fixed_range(view: MonitorView, field: str) -> tuple[float, float]:
    """The y range for ``field``: set by the hardware, never by the data, except power drawn above the limit."""
    if field == "memory_used_mib":
        totals = [d.memory_total_mib for d in view.devices if d.memory_total_mib]
        return 0.0, (max(totals) / MIB_PER_GIB if totals else 1.0) * 1.05
    if field == "temperature_c":
        slowdowns = [d.temperature_slowdown_c for d in view.devices if d.temperature_slowdown_c]
        return 20.0, max([100.0, *(s + 5 for s in slowdowns)])
    if field == "power_w":
        limits = [s.power_limit_w for s in view.slow.values() if s.power_limit_w]
        drawn = [float(np.nanmax(w.column("power_w"))) for w in view.history.values()
                 if len(w) and not np.all(np.isnan(w.column("power_w")))]
        return 0.0, max([*limits, *drawn, 100.0]) * 1.1
    return 0.0, 100.0


def _layout(view: MonitorView, y_range: Sequence[float], unit: str, shapes: list[dict[str, Any]]) -> dict[str, Any]:
    x_range = _local(np.array([view.now - view.window_s, view.now]), view.now)
    return {
        "xaxis": axis("", range=x_range.tolist(), fixedrange=True, type="date"),
        "yaxis": axis(unit, range=list(y_range), fixedrange=True),
        "shapes": shapes, "hovermode": "x unified", "uirevision": "fixed",
    }


def history_chart(view: MonitorView, field: str, lang: str, legend: bool = True) -> go.Figure:
    """One line per GPU over the chosen window; dashed in its colour, the GPU's limit for this quantity.
    ``legend`` False leaves the key to a chart beside it that draws the same GPUs in the same colours."""
    scale = SCALES[field]
    data, shapes = [], []
    for i, info in enumerate(sorted(view.devices, key=lambda d: d.index)):
        window = view.history.get(info.uuid)
        if window is None:
            continue
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        data += series(window, field, scale.factor, f"GPU {info.index}", colour, view.now)
        slow = view.slow.get(info.uuid)
        limit = {
            "memory_used_mib": None if info.memory_total_mib is None else info.memory_total_mib / MIB_PER_GIB,
            "temperature_c": info.temperature_slowdown_c,
            "power_w": None if slow is None else slow.power_limit_w,
        }.get(field)
        if limit is not None:
            shapes.append(_dashed(limit, colour))
    layout = _layout(view, fixed_range(view, field), scale.unit, shapes)
    if not legend:
        layout["showlegend"] = False
    return figure(data, layout, t(scale.title_key, lang), source_line(view, lang), height=HEIGHT)


def process_memory_chart(view: MonitorView, lang: str, top: int = 8) -> go.Figure:
    """GPU memory of the processes that held the most in the window: which model ate the VRAM."""
    peaks = {key: float(np.nanmax(w.column("gpu_memory_mib", "high"))) for key, w in view.process_history.items()
             if not np.all(np.isnan(w.column("gpu_memory_mib")))}
    index = {d.uuid: d.index for d in view.devices}
    data = []
    for i, key in enumerate(sorted(peaks, key=peaks.__getitem__, reverse=True)[:top]):
        name = f"{view.process_labels.get(key, key)} · GPU {index.get(key.split('/', 1)[0], '?')}"
        # No band: a process's memory moves in steps, and eight bands would bury the lines.
        data += series(view.process_history[key], "gpu_memory_mib", 1 / MIB_PER_GIB, name,
                       PROCESS_COLOURS[i % len(PROCESS_COLOURS)], view.now, band=False)
    layout = _layout(view, fixed_range(view, "memory_used_mib"), "GiB", [])
    return figure(data, layout, t("mon.chart.processes", lang), source_line(view, lang, band=False),
                  height=HEIGHT + 40)


def host_chart(view: MonitorView, lang: str) -> go.Figure:
    """CPU and RAM as shares of the machine, on one 0–100 % axis."""
    window, host = view.host_history, view.host
    data = []
    if len(window) and host is not None and host.ram_total_mib:
        share = 100 / host.ram_total_mib
        data += series(window, "cpu_pct", 1.0, t("mon.chart.cpu", lang), SERIES_COLOURS[0], view.now)
        data += series(window, "ram_used_mib", share, t("mon.chart.ram", lang), SERIES_COLOURS[2], view.now)
        data += series(window, "ram_cached_mib", share, t("mon.chart.cache", lang), CACHE_COLOUR, view.now)
    layout = _layout(view, (0, 100), "%", [])
    return figure(data, layout, t("mon.chart.host", lang), source_line(view, lang), height=HEIGHT)


def cores_chart(view: MonitorView, lang: str) -> go.Figure:
    per_core = list(view.host.cpu_per_core_pct) if view.host else []
    data = [{"type": "bar", "x": list(range(len(per_core))), "y": per_core, "marker": {"color": SERIES_COLOURS[0]},
             "hovertemplate": "%{x}: %{y:.0f} %<extra></extra>"}]
    # No x title: the bars are numbered, and a title there would sit on the source line.
    layout = {"xaxis": axis("", fixedrange=True, dtick=1 if len(per_core) <= 32 else None),
              "yaxis": axis("%", range=[0, 100], fixedrange=True), "bargap": 0.15}
    return figure(data, layout, t("mon.chart.cores", lang), source_line(view, lang), height=HEIGHT)
