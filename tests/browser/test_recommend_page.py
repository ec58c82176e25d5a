"""The recommendations page in Chromium: ranked options, charts, both languages."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_recommendations_render_with_charts(app_url: str, page, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/recommend?lang={lang}")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(timeout=20_000)
    assert page.locator("[data-testid='stPlotlyChart']").count() == 4
    assert page.locator("[data-testid='stDataFrame']").count() >= 1
    screenshot(page, f"recommendations_{lang}")
