"""A shared link opened first thing after the server starts gets the whole app: navigation, language
switch and the page it names, with no "Page not found" notice."""

from __future__ import annotations

import pytest

from tests.browser.conftest import free_port, start_streamlit, wait_for_app, wait_healthy

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("path", "title"), [("/recommend?lang=ko&users=3", "GPU 추천"),
                                             ("/vram?lang=en&model=qwen3-14b", "VRAM calculator")])
def test_first_visit_to_a_deep_link_runs_inside_the_app(browser, path: str, title: str) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    proc = start_streamlit(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + path)
        wait_for_app(page)
        page.wait_for_timeout(1000)
        assert title in page.locator("h1").first.inner_text()
        assert page.locator("[role='dialog']").count() == 0
        assert page.locator("[data-testid='stSidebarNavLink']").count() == 5
        assert page.get_by_text("Language / 언어").count() == 1
        context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
