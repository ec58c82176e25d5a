"""The calculator's memory by term as one HTML block: a stacked bar per GPU, the usable line, a legend with
each term's GiB.

On the page it is redrawn on every input change: a Plotly figure there is drawn from scratch each time
(Streamlit keys a chart by its figure) and cost the calculator about 100 ms a change in the browser; this
block costs a few (bench/browser.py). The exported plan keeps the Plotly figure
(core.plan.charts_vram.breakdown_chart), with the same title, colours and source line.
"""

from __future__ import annotations

import math
from html import escape

import streamlit as st

from core.i18n import t
from core.plan.charts_vram import COMPONENT_COLOURS
from core.plan.vram_report import VramReport

OTHER_COLOUR = "#64748b"
STEPS_GIB = (0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 100_000)
STYLE = """<style>
.mb-title {font-size: 1.1rem; margin: 0.5rem 0 0.1rem;}
.mb-source {font-size: 0.75rem; color: #64748b; margin-bottom: 0.6rem;}
.mb-legend {display: flex; flex-wrap: wrap; gap: 0.3rem 1.1rem; font-size: 0.85rem; margin-bottom: 0.5rem;}
.mb-legend i {display: inline-block; width: 0.75rem; height: 0.75rem; border-radius: 2px; margin-right: 0.35rem;
  vertical-align: -1px;}
.mb-row {display: flex; align-items: center; gap: 0.6rem; margin: 0.35rem 0;}
.mb-label {width: 3.5rem; font-size: 0.85rem; text-align: right; flex: none;}
.mb-track {position: relative; flex: 1; height: 2.1rem; background: rgba(100, 116, 139, 0.08); border-radius: 3px;}
.mb-seg {position: absolute; top: 0; bottom: 0;}
.mb-limit {position: absolute; top: -0.35rem; bottom: -0.35rem; border-left: 2px dashed #dc2626;}
.mb-limit-label {position: absolute; top: -1.45rem; transform: translateX(-100%); font-size: 0.75rem; color: #dc2626;
  white-space: nowrap; padding-right: 0.3rem;}
.mb-scale {position: relative; height: 1rem; margin-left: 4.1rem; font-size: 0.75rem; color: #64748b;}
.mb-scale span {position: absolute; transform: translateX(-50%); white-space: nowrap;}
.mb-scale span:last-child {transform: translateX(-100%);}
.mb-scale span:first-child {transform: none;}
.mb-gap {height: 1.1rem;}
</style>"""


def memory_bar(report: VramReport, lang: str) -> None:
    st.html(memory_bar_html(report, lang))


def memory_bar_html(report: VramReport, lang: str) -> str:
    est, scenario = report.estimate, report.scenario
    per_gpu = est.per_gpu_gib
    total = est.total_gib
    bars = ([(t("chart.total", lang), 1.0)] if len(per_gpu) == 1 else
            [(f"GPU {i}", gib / total if total else 0.0) for i, gib in enumerate(per_gpu)])
    usable = est.usable_gib_per_gpu
    widest = max(total * share for _, share in bars)
    step = next(s for s in STEPS_GIB if max(widest, usable or 0.0) * 1.04 / s <= 8)
    scale = step * max(1, math.ceil(max(widest, usable or 0.0) * 1.04 / step))
    rows = []
    for label, share in bars:
        left, segments = 0.0, []
        for key, gib in est.components_gib.items():
            part = gib * share
            width = 100 * part / scale
            segments.append(f'<span class="mb-seg" style="left: {100 * left / scale:.3f}%; width: {width:.3f}%; '
                            f'background: {COMPONENT_COLOURS.get(key, OTHER_COLOUR)}" '
                            f'title="{escape(t(f"term.{key}", lang))}: {part:.2f} GiB"></span>')
            left += part
        if usable is not None:
            note = escape(t("chart.usable", lang, gib=f"{usable:.1f}"))
            segments.append(f'<span class="mb-limit" style="left: {100 * usable / scale:.3f}%" title="{note}">'
                            f'<span class="mb-limit-label">{note if label == bars[0][0] else ""}</span></span>')
        rows.append(f'<div class="mb-row"><div class="mb-label">{escape(label)}</div>'
                    f'<div class="mb-track">{"".join(segments)}</div></div>')
    ticks = "".join(f'<span style="left: {100 * k * step / scale:.3f}%">{k * step:g}{" GiB" if k * step == scale else ""}'
                    '</span>' for k in range(round(scale / step) + 1))
    legend = "".join(f'<span><i style="background: {COMPONENT_COLOURS.get(key, OTHER_COLOUR)}"></i>'
                     f'{escape(t(f"term.{key}", lang))} {gib:.2f} GiB</span>' for key, gib in est.components_gib.items())
    title = t("chart.breakdown_title", lang, model=scenario.model.name, quant=scenario.quant,
              context=f"{scenario.context:,}")
    return (f'{STYLE}<div class="mb-title">{escape(title)}</div>'
            f'<div class="mb-source">{escape(t("chart.source_estimator", lang))}</div>'
            f'<div class="mb-legend">{legend}</div>{"<div class=mb-gap></div>" if usable is not None else ""}'
            f'{"".join(rows)}<div class="mb-scale">{ticks}</div>')
