"""Read the tables ui.tables draws (escaped HTML) back into rows, as a test sees a data frame."""

from __future__ import annotations

import re
from html import unescape

from streamlit.testing.v1 import AppTest

CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>")


def html_tables(at: AppTest) -> list[list[dict[str, str]]]:
    """Every HTML table on the page, in order: its rows by column header, cells as the text shown."""
    tables = []
    for block in at.html:
        for table in re.findall(r'<table class="live-table">(.*?)</table>', block.value):
            rows = [[unescape(cell) for cell in CELL.findall(row)] for row in re.findall(r"<tr>(.*?)</tr>", table)]
            tables.append([dict(zip(rows[0], row, strict=True)) for row in rows[1:]])
    return tables
