"""Served beyond loopback, the app asks for the server's password before showing anything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import free_port, screenshot, start_streamlit, wait_for_app, wait_healthy

pytestmark = pytest.mark.browser
PASSWORD = "team-demo-2026"


@pytest.fixture(scope="module")
def lan_url() -> Iterator[str]:
    port = free_port()
    # Listening on every interface; the test itself only ever connects through loopback.
    proc = start_streamlit(port, env={"PLANNER_PASSWORD": PASSWORD}, address="0.0.0.0")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_password_gate_refuses_then_admits(lan_url: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{lan_url}/?lang=en")
    wait_for_app(page)
    assert page.locator("h1").count() == 0  # nothing of the app before the password
    field = page.locator("input[type='password']")
    field.fill("guess")
    page.get_by_role("button", name="Enter").click()
    wait_for_app(page)
    assert "Wrong password" in page.locator("[data-testid='stAlert']").first.inner_text()
    screenshot(page, "lan_password_gate")
    field.fill(PASSWORD)
    page.get_by_role("button", name="Enter").click()
    wait_for_app(page)
    page.locator("h1").first.wait_for(timeout=20_000)
    assert "LLM workstation planner" in page.locator("h1").first.inner_text()
