"""The exported plan opens offline in Chromium and its charts draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.plan.catalog import catalog, find_gpu
from core.plan.estimate import Scenario
from core.plan.models import find_model
from core.plan.report import calculator_report
from core.plan.vram_report import vram_report
from tests.browser.helpers import SCREENSHOTS

pytestmark = pytest.mark.browser


def test_exported_html_renders_its_charts_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = calculator_report(vram_report(Scenario(model=find_model("llama3.1:70b"), context=8192,
                                                    gpu=find_gpu("rtx-4090"), gpus=2), catalog()), "ko")
    path = tmp_path / "plan.html"
    path.write_text(report.html("ko"), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_offline(True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.locator(".plotly-graph-div .main-svg").first.wait_for(timeout=20_000)
    assert page.locator(".plotly-graph-div .main-svg").count() >= 3
    assert "GPU 메모리 계획" in page.locator("h1").inner_text()
    assert [url for url in requests if not url.startswith("file:")] == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "plan_report_ko.png"), full_page=True)
    context.close()
