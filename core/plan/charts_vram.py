"""The VRAM calculator's figures: the memory by term, memory against context, and where it fits."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go

from core.chartstyle import SERIES_COLOURS, STATUS_COLOURS, axis, figure, limit_line
from core.i18n import t
from core.plan.vram_report import VramReport

COMPONENT_COLOURS = {
    "weights": "#2563eb", "kv_cache": "#f59e0b", "compute_buffer": "#10b981", "runtime": "#94a3b8",
    "activations": "#8b5cf6", "adapters": "#ec4899", "gradients": "#ef4444", "optimizer": "#0ea5e9",
}


def breakdown_chart(report: VramReport, lang: str) -> go.Figure:
    """One stacked bar per GPU (or one for the whole model), split into the estimate's terms."""
    est = report.estimate
    n = len(est.per_gpu_gib)
    total = est.total_gib
    shares = [v / total if total else 0 for v in est.per_gpu_gib]
    bars = [t("chart.total", lang)] if n == 1 else [f"GPU {i}" for i in range(n)]
    data = [
        {
            "type": "bar", "orientation": "h", "name": t(f"term.{key}", lang), "y": bars,
            "x": [gib] if n == 1 else [gib * share for share in shares],
            "marker": {"color": COMPONENT_COLOURS.get(key, "#64748b")},
            "hovertemplate": "%{x:.2f} GiB<extra>" + t(f"term.{key}", lang) + "</extra>",
        }
        for key, gib in est.components_gib.items()
    ]
    layout: dict[str, Any] = {"barmode": "stack", "bargap": 0.35, "xaxis": axis("GiB"), "yaxis": axis("")}
    if est.usable_gib_per_gpu is not None:
        shape, note = limit_line(est.usable_gib_per_gpu, t("chart.usable", lang, gib=f"{est.usable_gib_per_gpu:.1f}"),
                                 vertical=True)
        layout["shapes"], layout["annotations"] = [shape], [note]
    scenario = report.scenario
    title = t("chart.breakdown_title", lang, model=scenario.model.name, quant=scenario.quant,
              context=f"{scenario.context:,}")
    return figure(data, layout, title, t("chart.source_estimator", lang), height=220 + 40 * n)


def context_chart(report: VramReport, lang: str) -> go.Figure:
    """Memory against context for each weight format (or fine-tuning method), log2 context axis."""
    data = []
    for colour, (label, values) in zip(SERIES_COLOURS * 3, report.memory_by_variant.items(), strict=False):
        points = [(c, v) for c, v in zip(report.contexts, values, strict=True) if not math.isnan(v)]
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": label,
            "x": [c for c, _ in points], "y": [v for _, v in points],
            "line": {"color": colour, "width": 3 if label in (report.scenario.quant, report.scenario.mode) else 2},
            "hovertemplate": "%{x:,} tok: %{y:.1f} GiB<extra>" + label + "</extra>",
        })
    layout: dict[str, Any] = {
        "xaxis": axis(t("chart.context_axis", lang), type="log", tickvals=list(report.contexts),
                      ticktext=[f"{c // 1024}K" if c >= 1024 else str(c) for c in report.contexts]),
        "yaxis": axis("GiB", rangemode="tozero"),
    }
    gpu = report.scenario.gpu
    if gpu is not None and report.estimate.usable_gib_per_gpu is not None:
        usable = report.estimate.usable_gib_per_gpu * report.scenario.gpus
        shape, note = limit_line(usable, f"{gpu.name} ×{report.scenario.gpus}: {usable:.0f} GiB", vertical=False)
        layout["shapes"], layout["annotations"] = [shape], [note]
    title = t("chart.context_title", lang, model=report.scenario.model.name)
    return figure(data, layout, title, t("chart.source_estimator", lang))


def fits_chart(report: VramReport, lang: str, top: int = 25) -> go.Figure:
    """Headroom on each GPU that can hold the scenario (with the count it takes), coloured by status."""
    rows = [r for r in report.fits_on if r.count is not None][:top]
    labels = [f"{r.gpu.name} ×{r.count}" if r.count and r.count > 1 else r.gpu.name for r in rows]
    data = [{
        "type": "bar", "orientation": "h", "x": [r.headroom_gib for r in rows], "y": labels,
        "marker": {"color": [STATUS_COLOURS[r.status] for r in rows]},
        "hovertemplate": "%{y}: %{x:.1f} GiB<extra></extra>",
    }]
    layout = {"xaxis": axis(t("chart.headroom_axis", lang), rangemode="tozero"),
              "yaxis": axis("", autorange="reversed")}
    return figure(data, layout, t("chart.fits_title", lang), t("chart.source_catalog", lang),
                  height=140 + 22 * len(rows))
