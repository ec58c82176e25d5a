"""The recommendations page in Chromium: ranked options, charts, both languages."""

from __future__ import annotations

import re

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


def test_a_planner_change_keeps_what_is_compared(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    """The cards and models compared sit outside the planner's fragment: a context change reruns only the planner,
    which must still rank with the cards chosen above it."""
    page.goto(f"{app_url}/recommend?lang=en&extra=db-geforce-rtx-2080&max_gpus=1")
    wait_for_app(page)
    why_not = page.locator("[data-testid='stMarkdown']", has_text="GeForce RTX 2080: ")
    expect(why_not).to_have_count(1, timeout=30_000)
    context = page.get_by_label("Context (tokens)", exact=True)
    context.fill("16384")
    context.press("Enter")
    expect(page).to_have_url(re.compile(r"ctx=16384"), timeout=30_000)
    wait_for_app(page)
    expect(why_not).to_have_count(1, timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
