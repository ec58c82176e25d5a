"""Browser suite: `streamlit run` on a free loopback port, driven by Playwright in Debian's Chromium.

Under CI=true a missing Chromium is a failure, never a skip: these tests are what a user sees.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser.helpers import find_chromium
from tests.support.server import streamlit_server

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def _chromium() -> str:
    path = find_chromium()
    if path:
        return path
    message = "Chromium is not installed (Debian package 'chromium'); .ci/run installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    with streamlit_server() as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ko-KR")
    tab = context.new_page()
    yield tab
    context.close()
