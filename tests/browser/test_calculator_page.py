"""The VRAM calculator as a person uses it, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_calculator_renders_in_korean_with_charts(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/vram?lang=ko")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert "VRAM 계산기" in page.locator("h1").first.inner_text()
    # The memory by term, and the open tab's table of the cards that hold it, the share each keeps free drawn
    # as a bar; the other tab's chart is built when it is opened.
    expect(page.locator(".mb-title", has_text="GPU 메모리 구성")).to_have_count(1, timeout=30_000)
    expect(page.locator(".mb-legend", has_text="가중치")).to_have_count(1)
    expect(page.locator("[data-testid='stDataFrame']", has_text="남는 비율")).to_have_count(1, timeout=30_000)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(0)
    screenshot(page, "vram_calculator_ko")
    assert page.locator("[data-testid='stPlotlyChart']", has_text="컨텍스트에 따른 메모리").count() == 0
    page.get_by_role("tab", name="컨텍스트별 메모리").click()
    expect(page.locator("[data-testid='stPlotlyChart']", has_text="컨텍스트에 따른 메모리")).to_have_count(1, timeout=30_000)


def test_calculator_in_english_changes_and_rejects_bad_context(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/vram?lang=en&model=llama-3.1-8b&gpu=rtx-4090&ctx=8192")
    wait_for_app(page)
    total = page.locator("[data-testid='stMetric']").first
    before = total.inner_text()
    assert "GiB" in before
    # The link's model and GPU are applied: the verdict is against the 4090's 24 GiB.
    assert "/ 24.0 GiB" in page.locator("[data-testid='stMetric']", has_text="Per GPU").inner_text()
    expect(page.locator(".mb-title", has_text="Llama 3.1 8B")).to_have_count(1, timeout=20_000)
    expect(page.locator(".mb-limit-label", has_text="usable 24.0 GiB")).to_have_count(1)
    screenshot(page, "vram_calculator_en")

    field = page.get_by_role("spinbutton", name="Context (tokens)")
    field.fill("65536")
    field.press("Enter")
    # Poll rather than trust one look: on a loaded machine the rerun may start after the first check.
    expect(total).not_to_have_text(before, timeout=30_000)

    field.fill("9000000")
    field.press("Enter")
    alert = page.locator("[data-testid='stAlert']", has_text="exceeds")
    expect(alert).to_be_visible(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert field.input_value() == "9000000"  # what the user typed is still there
    screenshot(page, "vram_calculator_bad_input")


def test_presentation_mode_folds_the_controls_and_enlarges_the_type(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/vram?lang=ko&present=1&theme=dark")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    # The inputs sit in a closed expander; the answer and the memory by term are on screen.
    assert not page.get_by_role("spinbutton", name="컨텍스트 (토큰)").is_visible()
    page.locator(".mb-track").first.wait_for(timeout=20_000)
    size = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontSize")
    assert float(size.rstrip("px")) >= 40
    screenshot(page, "vram_calculator_present_dark")
