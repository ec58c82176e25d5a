"""Predicted against measured on this team's machines: one point per counted run, the 45° line where a
perfect estimate would sit, and the error per model and GPU."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from core.chartstyle import SERIES_COLOURS, axis, figure
from core.chat.measurements import Measurement
from core.i18n import t


def measured_chart(rows: Sequence[Measurement], lang: str) -> go.Figure:
    counted = [r for r in rows if r.counts]
    top = max([1.0] + [max(r.decode_tokens_per_s or 0, r.predicted_tokens_per_s or 0) for r in counted]) * 1.1
    data: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "lines", "x": [0, top], "y": [0, top], "name": t("measured.legend.perfect", lang),
        "line": {"color": "#94a3b8", "dash": "dash", "width": 1}, "hoverinfo": "skip",
    }]
    for colour, source in zip(SERIES_COLOURS, ("chat", "bench", "import"), strict=False):
        mine = [r for r in counted if r.source == source]
        if mine:
            data.append({
                "type": "scatter", "mode": "markers", "name": t(f"measured.source.{source}", lang),
                "x": [r.predicted_tokens_per_s for r in mine], "y": [r.decode_tokens_per_s for r in mine],
                "text": [f"{r.model} · {r.gpu_count}× {r.gpu_names or r.gpu_id}" for r in mine],
                "marker": {"color": colour, "size": 9, "opacity": 0.8},
                "hovertemplate": "%{text}<br>%{x:.1f} → %{y:.1f} tok/s<extra></extra>",
            })
    layout = {"xaxis": axis(t("measured.axis.predicted", lang), range=[0, top]),
              "yaxis": axis(t("measured.axis.measured", lang), range=[0, top])}
    return figure(data, layout, t("measured.chart", lang, n=len(counted)), t("measured.source", lang), height=420)


def error_table(rows: Sequence[Measurement], lang: str) -> list[dict[str, object]]:
    """Per model and GPU: how many runs count, and the median and spread of the estimate's error."""
    groups: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        if r.counts and r.error_pct is not None:
            groups.setdefault((r.model, f"{r.gpu_count}× {r.gpu_names or r.gpu_id}"), []).append(r.error_pct)
    table: list[dict[str, object]] = []
    for (model, gpu), errors in sorted(groups.items()):
        worst: float = max(errors, key=abs)
        table.append({t("measured.col.model", lang): model, t("measured.col.gpu", lang): gpu,
                      t("measured.col.runs", lang): len(errors),
                      t("measured.col.median", lang): round(statistics.median(errors), 1),
                      t("measured.col.worst", lang): round(worst, 1)})
    return table
