"""The recommendations page in Chromium: ranked options, charts, both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import screenshot, wait_for_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_recommendations_render_with_charts(app_url: str, page, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/recommend?lang={lang}")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(timeout=20_000)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(4, timeout=30_000)
    expect(page.locator("[data-testid='stDataFrame']")).not_to_have_count(0, timeout=30_000)
    screenshot(page, f"recommendations_{lang}")
