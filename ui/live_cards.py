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
.live-table {width: 100%; border-collapse: collapse; font-size: 0.875rem; table-layout: auto;}
.live-table th {text-align: left; font-weight: 400; color: rgba(49, 51, 63, 0.6); padding: 0.3rem 0.5rem;
  border-bottom: 1px solid rgba(49, 51, 63, 0.2); white-space: nowrap;}
.live-table td {padding: 0.3rem 0.5rem; border-bottom: 1px solid rgba(49, 51, 63, 0.08); white-space: nowrap;}
.live-table td.live-num {text-align: right; font-variant-numeric: tabular-nums;}
.live-table td.live-wide {max-width: 28rem; overflow: hidden; text-overflow: ellipsis;}
</style>"""


def live_card_style() -> None:
    """The cards' CSS, once per page (outside the panel that redraws every second)."""
    st.html(STYLE)


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


def process_table(rows: Sequence[dict[str, object]], wide: str) -> None:
    """The processes as a plain table: numbers right-aligned, the ``wide`` column cut to the width with its full
    text as a tooltip. Missing readings show as "n/a"."""
    if rows:
        st.html(table_html(rows, wide))


def table_html(rows: Sequence[dict[str, object]], wide: str) -> str:
    head = "".join(f"<th>{escape(str(name))}</th>" for name in rows[0])
    body = []
    for row in rows:
        cells = []
        for name, value in row.items():
            text = "n/a" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)
            if name == wide:
                cells.append(f'<td class="live-wide" title="{escape(text)}">{escape(text)}</td>')
            else:
                cls = ' class="live-num"' if isinstance(value, int | float) else ""
                cells.append(f"<td{cls}>{escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="live-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def gpu_card(card: GpuCard) -> None:
    """A working GPU's card: title, identity, its four figures and a line of details, in one bordered block."""
    st.html(card_html(card))


def card_html(card: GpuCard) -> str:
    return (f'<div class="live-card"><div class="live-title">{escape(card.title)}</div>'
            f'<div class="live-caption">{escape(card.subtitle)}</div>{_row(card.metrics)}'
            f'<div class="live-caption">{escape(card.details)}</div></div>')
