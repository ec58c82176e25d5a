"""The house style every chart shares: colours, axes, the title with its source line.

Figures are written as plain dicts and wrapped without plotly's per-property validation or a named
template, which together cost tens of milliseconds per figure on every rerun; the house style is set
explicitly instead, and tests/test_charts.py validates every figure fully. Every figure carries a title,
units and a source line, because these charts end up on slides far from the app that drew them.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

STATUS_COLOURS = {"green": "#16a34a", "amber": "#d97706", "red": "#dc2626"}
GRID = "#e5e7eb"
LIMIT = "#dc2626"
SERIES_COLOURS = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0ea5e9")
FONT = "Noto Sans CJK KR, Noto Sans KR, sans-serif"


def axis(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title}, "gridcolor": GRID, "zerolinecolor": GRID, "linecolor": GRID, "automargin": True,
            **extra}


def figure(data: list[dict[str, Any]], layout: dict[str, Any], title: str, source: str, height: int = 380) -> go.Figure:
    """Wrap traces and layout with the house style: title top left, legend top right, source below."""
    frame: dict[str, Any] = {
        # The source rides under the title: at the bottom it collided with axis titles that automargin moves.
        "title": {"text": title, "x": 0.0, "xanchor": "left", "yref": "container", "y": 1.0, "yanchor": "top",
                  "pad": {"t": 12}, "subtitle": {"text": source, "font": {"size": 11, "color": "#64748b"}}},
        "height": height, "margin": {"l": 10, "r": 10, "t": 100, "b": 50},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0.0},
        "font": {"family": FONT, "size": 13}, "paper_bgcolor": "white", "plot_bgcolor": "white",
        # No named template: loading plotly's default one costs more than drawing the figure.
        "template": "none",
    }
    if sum(1 for trace in data if trace.get("name") and trace.get("showlegend", True)) > 6:
        # A long legend wraps into the subtitle above the plot; beside it, it has room.
        frame["legend"] = {"orientation": "v", "yanchor": "top", "y": 1.0, "xanchor": "left", "x": 1.01}
    frame.update(layout)
    for name in ("xaxis", "yaxis"):
        # Tick labels decide the margin: a fixed one cuts "100%" or "80 GiB" off the left edge.
        if isinstance(frame.get(name), dict):
            frame[name] = {"automargin": True, **frame[name]}
    return go.Figure(data=data, layout=frame, _validate=False)


def limit_line(value: float, label: str, vertical: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """A dashed line at a memory limit, with its label, as a shape and an annotation."""
    if vertical:
        shape = {"type": "line", "x0": value, "x1": value, "y0": 0, "y1": 1, "yref": "paper"}
        note = {"x": value, "y": 1, "yref": "paper", "yanchor": "bottom", "text": label, "showarrow": False}
    else:
        shape = {"type": "line", "y0": value, "y1": value, "x0": 0, "x1": 1, "xref": "paper"}
        note = {"y": value, "x": 0, "xref": "paper", "xanchor": "left", "yanchor": "bottom", "text": label,
                "showarrow": False}
    shape["line"] = {"dash": "dash", "color": LIMIT, "width": 2}
    note["font"] = {"color": LIMIT, "size": 11}
    return shape, note
