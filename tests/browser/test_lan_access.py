"""Who can reach the app: started the plain Streamlit way it listens on loopback only; served beyond
loopback it asks for the server's password first, also on a deep link opened first after a start."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import psutil
import pytest

from tests.browser.helpers import screenshot, wait_for_app
from tests.support.server import streamlit_server

pytestmark = pytest.mark.browser
PASSWORD = "team-demo-2026"


def listening_addresses(pid: int) -> set[str]:
    """The addresses the server process accepts connections on, read from the kernel; nothing is sent."""
    return {c.laddr.ip for c in psutil.Process(pid).net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}


def test_plain_streamlit_run_listens_on_loopback_only() -> None:
    with streamlit_server(address=None) as (_, proc):
        addresses = listening_addresses(proc.pid)
    assert addresses and addresses <= {"127.0.0.1", "::1"}, addresses


@pytest.fixture(scope="module")
def lan_url() -> Iterator[str]:
    # Listening on every interface; the test itself only ever connects through loopback.
    with streamlit_server({"PLANNER_PASSWORD": PASSWORD}, address="0.0.0.0") as (url, _):
        yield url


def test_no_framing_page_may_command_the_app(lan_url: str) -> None:
    """Streamlit obeys postMessage commands (rerun, stop, auth token) from the origins its host config lists;
    by default its cloud's domains. Ours lists none, so a page that frames the app cannot drive it."""
    with urllib.request.urlopen(f"{lan_url}/_stcore/host-config", timeout=5) as reply:
        assert json.load(reply)["allowedOrigins"] == []


def test_password_gate_refuses_then_admits(lan_url: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{lan_url}/?lang=en")
    wait_for_app(page)
    assert page.locator("h1").count() == 0  # nothing of the app before the password
    assert page.locator("[data-testid='stSidebarNavLink']").count() == 0  # nor its page list
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


def test_a_reload_does_not_reset_the_back_off(lan_url: str, page) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):  # a new session each time: the wait still grows, because the server counts
        page.goto(f"{lan_url}/chat?lang=en")
        wait_for_app(page)
        page.locator("input[type='password']").fill("wrong")
        page.get_by_role("button", name="Enter").click()
        wait_for_app(page)
    alert = page.locator("[data-testid='stAlert']").first.inner_text()
    assert "Wrong password" in alert and "after 2 s" in alert, alert  # a per-session count would say 1 s
    assert page.locator("h1").count() == 0
