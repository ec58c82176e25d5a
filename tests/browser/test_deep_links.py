"""A shared link opened first thing after the server starts gets the whole app: navigation, language
switch and the page it names, with no "Page not found" notice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import wait_for_app
from tests.support.server import streamlit_server

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("path", "title"), [("/recommend?lang=ko&users=3", "GPU 추천"),
                                             ("/vram?lang=en&model=qwen3-14b", "VRAM calculator")])
def test_first_visit_to_a_deep_link_runs_inside_the_app(browser, path: str, title: str) -> None:  # type: ignore[no-untyped-def]
    with streamlit_server() as (url, _):
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + path)
        wait_for_app(page)
        # Polled: the first run hands over to app.py with a rerun, which a loaded machine may start late.
        expect(page.locator("[data-testid='stSidebarNavLink']")).to_have_count(5, timeout=30_000)
        expect(page.locator("h1").first).to_contain_text(title, timeout=30_000)
        expect(page.get_by_text("Language / 언어")).to_have_count(1, timeout=30_000)
        assert page.locator("[role='dialog']").count() == 0
        context.close()
