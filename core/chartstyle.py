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
    return {"title": {"text": title}, "gridcolor": GRID, "zerolinecolor": GRID, "linecolor": GRID, **extra}


def figure(data: list[dict[str, Any]], layout: dict[str, Any], title: str, source: str, height: int = 380) -> go.Figure:
    """Wrap traces and layout with the house style: title top left, legend top right, source below."""
    frame: dict[str, Any] = {
        # The source rides under the title: at the bottom it collided with axis titles that automargin moves.
        "title": {"text": title, "x": 0.0, "xanchor": "left", "yref": "container", "y": 1.0, "yanchor": "top",
                  "pad": {"t": 12}, "subtitle": {"text": source, "font": {"size": 11, "color": "#64748b"}}},
        "height": height, "margin": {"l": 60, "r": 10, "t": 100, "b": 50},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0.0},
        "font": {"family": FONT, "size": 13}, "paper_bgcolor": "white", "plot_bgcolor": "white",
        # No named template: loading plotly's default one costs more than drawing the figure.
        "template": "none",
    }
    if sum(1 for trace in data if trace.get("name") and trace.get("showlegend", True)) > 6:
        # A long legend wraps into the subtitle above the plot; beside it, it has room.
        frame["legend"] = {"orientation": "v", "yanchor": "top", "y": 1.0, "xanchor": "left", "x": 1.01}
    frame.update(layout)
    frame["margin"] = {**frame["margin"], **label_margins(frame, data), **layout.get("margin", {})}
    return go.Figure(data=data, layout=frame, _validate=False)


def text_px(text: str, size: float = 13) -> float:
    """About how wide ``text`` is drawn at ``size`` px: Hangul and CJK wide, Latin narrow (a generous guess)."""
    return sum(size * 1.6 if ord(c) >= 0x1100 else size * 0.56 for c in text)


def label_margins(layout: dict[str, Any], data: list[dict[str, Any]]) -> dict[str, int]:
    """Left and bottom margins wide enough for the tick labels, set rather than found: Plotly's automargin
    draws a figure, measures its labels and draws it again, which doubled a chart's draw time in the browser
    (about 60 → 30 ms for the calculator's breakdown, more inside Streamlit, which draws it twice).
    Category labels of horizontal bars (GPU names) set the left margin; a numeric axis needs 60 px, a date
    axis two lines of ticks."""
    labels = [str(v) for trace in data if trace.get("orientation") == "h" for v in trace.get("y") or ()]
    y_title = ((layout.get("yaxis") or {}).get("title") or {}).get("text")
    left = 24 + max(text_px(label) for label in labels) + (24 if y_title else 0) if labels else 60
    bottom = 64 if (layout.get("xaxis") or {}).get("type") == "date" else 50
    return {"l": round(min(left, 360)), "b": bottom}


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
