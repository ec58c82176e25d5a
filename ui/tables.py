"""Small tables as one escaped HTML block: a handful of rows that change on every rerun cost the browser less
this way than an interactive data grid, which is rebuilt on each change (the monitor's processes, the team
view's hosts; bench/browser.py and bench/team.py measure both)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import streamlit as st

TABLE_STYLE = """<style>
.live-table {width: 100%; border-collapse: collapse; font-size: 0.875rem; table-layout: auto;}
.live-table th {text-align: left; font-weight: 400; color: rgba(49, 51, 63, 0.6); padding: 0.3rem 0.5rem;
  border-bottom: 1px solid rgba(49, 51, 63, 0.2); white-space: nowrap;}
.live-table td {padding: 0.3rem 0.5rem; border-bottom: 1px solid rgba(49, 51, 63, 0.08);}
.live-table td.live-num {text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;}
.live-table td.live-wide {max-width: 28rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap;}
</style>"""
"""Injected with the monitor's cards (ui.live_cards.live_card_style)."""


def html_table(rows: Sequence[dict[str, object]], wide: str | None = None, decimals: int = 2) -> None:
    """``rows`` as a plain table: numbers right-aligned (fractions to ``decimals`` places), the ``wide`` column
    cut to the width with its full text as a tooltip. Missing readings show as "n/a"."""
    if rows:
        st.html(table_html(rows, wide, decimals))


def table_html(rows: Sequence[dict[str, object]], wide: str | None = None, decimals: int = 2) -> str:
    head = "".join(f"<th>{escape(str(name))}</th>" for name in rows[0])
    body = []
    for row in rows:
        cells = []
        for name, value in row.items():
            text = "n/a" if value is None else f"{value:,.{decimals}f}" if isinstance(value, float) else str(value)
            if name == wide:
                cells.append(f'<td class="live-wide" title="{escape(text)}">{escape(text)}</td>')
            else:
                cls = ' class="live-num"' if isinstance(value, int | float) else ""
                cells.append(f"<td{cls}>{escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="live-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
