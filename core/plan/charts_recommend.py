"""Charts of the recommendations page, ready for slides: title, units, source line on each."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from core.chartstyle import SERIES_COLOURS, STATUS_COLOURS, axis, figure
from core.i18n import t
from core.plan.catalog import GpuSpec
from core.plan.prices import PriceBook
from core.plan.recommend import POPULAR, Option
from core.plan.tiers import PricedTier

MAN = 10_000
VENDOR_COLOURS = {"NVIDIA": "#16a34a", "AMD": "#dc2626", "Apple": "#64748b"}


def _label(option: Option) -> str:
    return f"{option.count}× {option.gpu.name}" if option.count > 1 else option.gpu.name


def price_vram_chart(gpus: tuple[GpuSpec, ...], book: PriceBook, lang: str,
                     overrides: dict[str, float] | None = None) -> go.Figure:
    """Every priced GPU: memory against price, bubble area by bandwidth."""
    overrides = overrides or {}
    data = []
    for vendor, colour in VENDOR_COLOURS.items():
        points = []
        for gpu in gpus:
            price = overrides.get(gpu.id) or (p.krw if (p := book.gpu_price(gpu)) else None)
            if gpu.vendor == vendor and price:
                points.append((gpu, price))
        if points:
            data.append({
                "type": "scatter", "mode": "markers+text", "name": vendor,
                "x": [g.vram_gib for g, _ in points], "y": [p / MAN for _, p in points],
                # Names only for the cards people ask about, or the labels pile up; hover names every one.
                "text": [g.name.replace("GeForce ", "") if g.id in POPULAR else "" for g, _ in points],
                "hovertext": [g.name for g, _ in points], "textposition": "top center",
                "textfont": {"size": 9},
                "marker": {"size": [max(8, g.bandwidth_gbps ** 0.5 * 0.9) for g, _ in points], "color": colour,
                           "opacity": 0.7, "line": {"width": 1, "color": "white"}},
                "hovertemplate": "%{hovertext}: %{x} GB, %{y:,.0f}만 원<extra></extra>",
            })
    layout = {"xaxis": axis(t("plan.axis.vram", lang), type="log"), "yaxis": axis(t("plan.axis.price_man", lang), rangemode="tozero")}
    return figure(data, layout, t("plan.chart.price_vram", lang), t("plan.source.prices", lang), height=460)


def value_chart(options: tuple[Option, ...], lang: str, top: int = 12) -> go.Figure:
    """Tokens per second bought with each 10,000 won, for the ranked options."""
    rows = [o for o in options if o.price_krw and o.aggregate_tokens_per_s][:top]
    data = [{
        "type": "bar", "orientation": "h", "y": [_label(o) for o in rows],
        "x": [(o.aggregate_tokens_per_s or 0) / ((o.price_krw or 1) / MAN) for o in rows],
        "marker": {"color": [STATUS_COLOURS["green" if o.meets_target else "amber"] for o in rows]},
        "hovertemplate": "%{y}: %{x:.3f}<extra></extra>",
    }]
    layout = {"xaxis": axis(t("plan.axis.tps_per_man", lang)), "yaxis": axis("", autorange="reversed")}
    return figure(data, layout, t("plan.chart.value", lang), t("plan.source.estimate", lang),
                  height=160 + 26 * len(rows))


def pareto_front(options: tuple[Option, ...]) -> list[Option]:
    """Options no other option beats on both price and speed, cheapest first."""
    priced = sorted((o for o in options if o.price_krw and o.decode_tokens_per_s),
                    key=lambda o: (o.price_krw, -(o.decode_tokens_per_s or 0)))
    front: list[Option] = []
    for option in priced:
        if not front or (option.decode_tokens_per_s or 0) > (front[-1].decode_tokens_per_s or 0):
            front.append(option)
    return front


def _error_bars(options: list[Option]) -> dict[str, Any]:
    """The 80% range around each estimate, drawn as error bars."""
    return {"type": "data", "symmetric": False, "thickness": 1.2, "width": 3,
            "array": [(o.decode_tokens_per_s_high or 0) - (o.decode_tokens_per_s or 0) for o in options],
            "arrayminus": [(o.decode_tokens_per_s or 0) - (o.decode_tokens_per_s_low or 0) for o in options]}


def _label_positions(n: int) -> list[str]:
    """Neighbouring frontier points often sit a few won apart: their labels alternate above-left and
    below-right so they do not print over each other, and the cheapest one's label opens to the right,
    where it is not cut off at the axis."""
    positions = ["bottom right" if i % 2 else "top left" for i in range(n)]
    if n > 1:
        positions[0] = "top right"
    return positions


def pareto_chart(options: tuple[Option, ...], lang: str) -> go.Figure:
    front = pareto_front(options)
    others = [o for o in options if o not in front and o.price_krw and o.decode_tokens_per_s]
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "markers", "name": t("plan.legend.options", lang),
         "x": [(o.price_krw or 0) / MAN for o in others], "y": [o.decode_tokens_per_s for o in others],
         "text": [_label(o) for o in others], "marker": {"color": "#94a3b8", "size": 8},
         "error_y": {**_error_bars(others), "color": "#cbd5e1"},
         "hovertemplate": "%{text}: %{x:,.0f}만 원, %{y:.1f} tok/s<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers+text", "name": t("plan.legend.frontier", lang),
         "x": [(o.price_krw or 0) / MAN for o in front], "y": [o.decode_tokens_per_s for o in front],
         "text": [_label(o) for o in front], "textposition": _label_positions(len(front)), "textfont": {"size": 10},
         "line": {"color": SERIES_COLOURS[0], "width": 2}, "marker": {"size": 10},
         "error_y": {**_error_bars(front), "color": SERIES_COLOURS[0]},
         "hovertemplate": "%{text}: %{x:,.0f}만 원, %{y:.1f} tok/s<extra></extra>"},
    ]
    layout = {"xaxis": axis(t("plan.axis.total_man", lang)), "yaxis": axis(t("plan.axis.tps_user", lang), rangemode="tozero")}
    return figure(data, layout, t("plan.chart.pareto", lang), t("plan.source.estimate", lang), height=440)


def tier_chart(tiers: tuple[PricedTier, ...], lang: str) -> go.Figure:
    """The notes' budget range for each tier against what the same parts cost in today's data."""
    names = [t(f"tier.{p.tier.key}", lang) for p in tiers]
    low = [p.tier.notes_budget_krw[0] / MAN for p in tiers]
    high = [p.tier.notes_budget_krw[1] / MAN for p in tiers]
    data: list[dict[str, Any]] = [
        {"type": "bar", "name": t("plan.legend.notes_range", lang), "x": names, "y": [h - lo for h, lo in zip(high, low, strict=True)],
         "base": low, "customdata": high, "marker": {"color": "#cbd5e1"}, "width": 0.4,
         "hovertemplate": "%{base:,.0f}–%{customdata:,.0f}<extra></extra>"},
        {"type": "scatter", "mode": "markers+text", "name": t("plan.legend.today", lang), "x": names,
         "y": [(p.workstation.total_krw or 0) / MAN for p in tiers],
         "text": [f"{(p.workstation.total_krw or 0) / MAN:,.0f}" for p in tiers], "textposition": "middle right",
         "marker": {"color": SERIES_COLOURS[0], "size": 14, "symbol": "diamond"}},
    ]
    layout = {"yaxis": axis(t("plan.axis.total_man", lang), rangemode="tozero"), "xaxis": axis("")}
    return figure(data, layout, t("plan.chart.tiers", lang), t("plan.source.tiers", lang), height=380)
