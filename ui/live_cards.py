"""The monitor's per-second cards as one HTML block each, instead of a Streamlit element per line and figure.

A GPU card of title, subtitle, four `st.metric` and a details line is seven components, each styled and
reconciled by the browser every second; one `st.html` block is one element whose text changes. The live
panel's share of a core is what bench/browser.py measures. Everything shown is escaped: device names, and
the figures' labels, come from the host and the translations.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import streamlit as st

from core.monitor.cards import GpuCard, Metric
from ui.tables import TABLE_STYLE

LEVEL_CLASS = {"ok": "live-ok", "warn": "live-warn", "critical": "live-critical"}
# Sizes follow st.metric and st.caption in Streamlit's light theme; presentation mode scales them (ui.widgets).
STYLE = """<style>
.live-card {border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 1rem; margin-bottom: 0.5rem;}
.live-title {font-weight: 600; margin-bottom: 0.25rem;}
.live-caption {font-size: 0.875rem; color: rgba(49, 51, 63, 0.6); margin: 0.25rem 0;}
.live-row {display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1rem; margin: 0.75rem 0 0.5rem;}
.live-label {font-size: 0.875rem; line-height: 1.4;}
.live-label[title] {text-decoration: underline dotted rgba(49, 51, 63, 0.4); text-underline-offset: 3px; cursor: help;}
.live-value {font-size: 2.25rem; line-height: 1.35; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
.live-note {display: inline-block; font-size: 0.75rem; line-height: 1.6; padding: 0 0.5rem; border-radius: 0.5rem;}
.live-ok {color: rgba(49, 51, 63, 0.75); background: rgba(49, 51, 63, 0.07);}
.live-warn {color: rgb(170, 90, 0); background: rgba(255, 164, 33, 0.16);}
.live-critical {color: rgb(190, 30, 30); background: rgba(255, 43, 43, 0.12);}
</style>"""


def live_card_style() -> None:
    """The cards' CSS, once per page (outside the panel that redraws every second)."""
    st.html(STYLE + TABLE_STYLE)


def _row(metrics: Sequence[Metric]) -> str:
    cells = []
    for metric in metrics:
        tip = f' title="{escape(metric.help)}"' if metric.help else ""
        note = f'<span class="live-note {LEVEL_CLASS[metric.level]}">{escape(metric.note)}</span>' if metric.note else ""
        cells.append(f'<div><div class="live-label"{tip}>{escape(metric.label)}</div>'
                     f'<div class="live-value">{escape(metric.value)}</div>{note}</div>')
    return f'<div class="live-row">{"".join(cells)}</div>'


def metric_row(metrics: Sequence[Metric]) -> None:
    """Up to four figures side by side: label (its help as a tooltip), value, and a note tinted by its level."""
    st.html(_row(metrics))


def gpu_card(card: GpuCard) -> None:
    """A working GPU's card: title, identity, its four figures and a line of details, in one bordered block."""
    st.html(card_html(card))


def card_html(card: GpuCard) -> str:
    return (f'<div class="live-card"><div class="live-title">{escape(card.title)}</div>'
            f'<div class="live-caption">{escape(card.subtitle)}</div>{_row(card.metrics)}'
            f'<div class="live-caption">{escape(card.details)}</div></div>')
