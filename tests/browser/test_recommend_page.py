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
    # The open tab's chart and the team's tiers; the other tabs' charts are built when opened.
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(2, timeout=30_000)
    expect(page.locator("[data-testid='stDataFrame']")).not_to_have_count(0, timeout=30_000)
    screenshot(page, f"recommendations_{lang}")
    price_title = {"ko": "GPU 가격과 메모리", "en": "GPU price against memory"}[lang]
    assert page.locator("[data-testid='stPlotlyChart']", has_text=price_title).count() == 0  # not built yet
    page.get_by_role("tab", name={"ko": "가격과 VRAM", "en": "Price and VRAM"}[lang]).click()
    expect(page.locator("[data-testid='stPlotlyChart']", has_text=price_title)).to_have_count(1, timeout=30_000)
