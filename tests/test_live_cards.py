"""The monitor's live cards are HTML built from what the host reports: nothing in it may become markup."""

from __future__ import annotations

from core.monitor.cards import GpuCard, Metric
from ui.live_cards import card_html
from ui.tables import table_html

HOSTILE = '<img src=x onerror="alert(1)">'


def test_a_process_named_like_markup_is_shown_as_text() -> None:
    rows = [{"GPU": 0, "PID": 4242, "Process": HOSTILE, "GPU memory (GiB)": None, "Command": f'python "{HOSTILE}"'}]
    html = table_html(rows, wide="Command")
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert html.count("<tr>") == 2 and "<td>n/a</td>" in html  # a missing reading is a value, not an error
    assert '<td class="live-num">4242</td>' in html


def test_a_card_escapes_its_device_name_and_tooltips() -> None:
    card = GpuCard(uuid="GPU-1", title=f"GPU 0 · {HOSTILE}", subtitle="GPU-1", lost=None, unified=False,
                   metrics=(Metric("VRAM", "6.8 / 24.0 GiB", "28% used", "warn", help='"quoted" <b>help</b>'),),
                   details="P2 · fan 0%", alerts=())
    html = card_html(card)
    assert "<img" not in html and "<b>" not in html
    assert 'title="&quot;quoted&quot; &lt;b&gt;help&lt;/b&gt;"' in html
    assert '<span class="live-note live-warn">28% used</span>' in html
