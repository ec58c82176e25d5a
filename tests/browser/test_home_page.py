"""Home in Chromium: the landing page, and a link that opens the calculator on the same scenario."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_home_links_carry_the_scenario_to_the_calculator(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/?lang=en&model=qwen2.5-32b&ctx=16384")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert "LLM workstation planner" in page.locator("h1").first.inner_text()
    screenshot(page, "home_en")
    page.get_by_role("link", name="Memory for this model").click()
    expect(page).to_have_url(re.compile(r"/vram\?.*model=qwen2\.5-32b"), timeout=30_000)
    wait_for_app(page)
    expect(page.get_by_role("spinbutton", name="Context (tokens)")).to_have_value("16384", timeout=30_000)
    expect(page.locator(".mb-title", has_text="Qwen2.5 32B")).to_have_count(1, timeout=20_000)


def test_home_in_korean(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/?lang=ko")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert "플래너" in page.locator("h1").first.inner_text()
    screenshot(page, "home_ko")
