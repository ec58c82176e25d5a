"""Plotly figure builders: data in, figure out. Every figure carries a title, units and a source line,
because these charts end up on slides far from the app that drew them."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from core.i18n import t
from core.planner import VramReport

COMPONENT_COLOURS = {
    "weights": "#2563eb", "kv_cache": "#f59e0b", "compute_buffer": "#10b981", "runtime": "#94a3b8",
    "activations": "#8b5cf6", "adapters": "#ec4899", "gradients": "#ef4444", "optimizer": "#0ea5e9",
}
STATUS_COLOURS = {"green": "#16a34a", "amber": "#d97706", "red": "#dc2626"}
SERIES_COLOURS = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0ea5e9")


def _frame(fig: go.Figure, title: str, source: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        height=height, margin={"l": 10, "r": 10, "t": 60, "b": 84},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        font={"family": "Noto Sans CJK KR, Noto Sans KR, sans-serif", "size": 13},
        template="plotly_white",
    )
    fig.add_annotation(
        # Pinned in pixels below the axis title, so it never collides with it whatever the height.
        text=source, xref="paper", yref="paper", x=0, y=0, yshift=-52, showarrow=False,
        xanchor="left", yanchor="top", font={"size": 10, "color": "#64748b"},
    )
    return fig


def breakdown_chart(report: VramReport, lang: str) -> go.Figure:
    """One stacked bar per GPU (or one for the whole model), split into the estimate's terms."""
    est = report.estimate
    n = len(est.per_gpu_gib)
    fig = go.Figure()
    total = est.total_gib
    shares = [v / total if total else 0 for v in est.per_gpu_gib]
    bars = [t("chart.total", lang)] if n == 1 else [f"GPU {i}" for i in range(n)]
    for key, gib in est.components_gib.items():
        values = [gib] if n == 1 else [gib * share for share in shares]
        fig.add_bar(
            name=t(f"term.{key}", lang), y=bars, x=values, orientation="h",
            marker_color=COMPONENT_COLOURS.get(key, "#64748b"),
            hovertemplate="%{x:.2f} GiB<extra>" + t(f"term.{key}", lang) + "</extra>",
        )
    if est.usable_gib_per_gpu is not None:
        fig.add_vline(
            x=est.usable_gib_per_gpu, line_dash="dash", line_color="#dc2626",
            annotation_text=t("chart.usable", lang, gib=f"{est.usable_gib_per_gpu:.1f}"),
            annotation_position="top",
        )
    fig.update_layout(barmode="stack", xaxis_title="GiB", bargap=0.35)
    model = report.scenario.model
    title = t("chart.breakdown_title", lang, model=model.name, quant=report.scenario.quant,
              context=f"{report.scenario.context:,}")
    return _frame(fig, title, t("chart.source_estimator", lang), height=220 + 40 * n)


def context_chart(report: VramReport, lang: str) -> go.Figure:
    """Memory against context for each weight format (or fine-tuning method), log2 context axis."""
    fig = go.Figure()
    for colour, (label, values) in zip(SERIES_COLOURS * 3, report.memory_by_variant.items(), strict=False):
        points = [(c, v) for c, v in zip(report.contexts, values, strict=True) if not math.isnan(v)]
        fig.add_scatter(
            x=[c for c, _ in points], y=[v for _, v in points], mode="lines+markers", name=label,
            line={"color": colour, "width": 3 if label == report.scenario.quant else 2},
            hovertemplate="%{x:,} tok: %{y:.1f} GiB<extra>" + label + "</extra>",
        )
    gpu = report.scenario.gpu
    if gpu is not None and report.estimate.usable_gib_per_gpu is not None:
        usable = report.estimate.usable_gib_per_gpu * report.scenario.gpus
        fig.add_hline(
            y=usable, line_dash="dash", line_color="#dc2626",
            annotation_text=f"{gpu.name} ×{report.scenario.gpus}: {usable:.0f} GiB",
            annotation_position="top left",
        )
    fig.update_xaxes(type="log", tickvals=list(report.contexts),
                     ticktext=[f"{c // 1024}K" if c >= 1024 else str(c) for c in report.contexts],
                     title=t("chart.context_axis", lang))
    fig.update_yaxes(title="GiB", rangemode="tozero")
    title = t("chart.context_title", lang, model=report.scenario.model.name)
    return _frame(fig, title, t("chart.source_estimator", lang))


def fits_chart(report: VramReport, lang: str, top: int = 25) -> go.Figure:
    """Headroom on each GPU that can hold the scenario (with the count it takes), coloured by status."""
    rows = [r for r in report.fits_on if r.count is not None][:top]
    labels = [f"{r.gpu.name} ×{r.count}" if r.count and r.count > 1 else r.gpu.name for r in rows]
    fig = go.Figure(go.Bar(
        x=[r.headroom_gib for r in rows], y=labels, orientation="h",
        marker_color=[STATUS_COLOURS[r.status] for r in rows],
        hovertemplate="%{y}: %{x:.1f} GiB<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("chart.headroom_axis", lang), rangemode="tozero")
    return _frame(fig, t("chart.fits_title", lang), t("chart.source_catalog", lang), height=140 + 22 * len(rows))
