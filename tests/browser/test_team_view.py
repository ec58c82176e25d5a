"""The team view in Chromium, over a real Prometheus scraping two workstations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import screenshot, wait_for_app
from tests.fakes.prometheus_stack import DCGM_HOST, NVITOP_HOST, Stack, start_stack
from tests.support.server import streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.prometheus]


@pytest.fixture(scope="module")
def team_app() -> Iterator[tuple[str, Stack]]:
    stack = start_stack()
    try:
        with streamlit_server({"PROMETHEUS_URL": stack.url}) as (url, _):
            yield url, stack
    finally:
        stack.close()


def test_team_view_lists_both_workstations_and_draws_their_history(team_app, page) -> None:  # type: ignore[no-untyped-def]
    url, _ = team_app
    page.set_viewport_size({"width": 1440, "height": 2400})
    page.goto(f"{url}/monitor?scope=team&lang=en")
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text(DCGM_HOST, timeout=30_000)
    expect(main).to_contain_text(NVITOP_HOST, timeout=30_000)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(4, timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "team_view_en")


def test_a_workstation_that_stops_stays_greyed_with_its_last_readings(team_app, page) -> None:  # type: ignore[no-untyped-def]
    url, stack = team_app
    stack.dcgm.stop()  # the last test of the module: the DCGM workstation goes quiet for good
    page.set_viewport_size({"width": 1440, "height": 2400})
    page.goto(f"{url}/monitor?scope=team&lang=ko")
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("부터 응답 없음", timeout=60_000)
    expect(main).to_contain_text("VRAM 39.1 / 79.6 GiB")  # its last readings, still on the board
    expect(main).to_contain_text("응답 없는 워크스테이션")  # left out of "fits now", listed apart
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "team_view_stale_ko")
