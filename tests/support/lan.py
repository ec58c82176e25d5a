"""Page tests of the app as served beyond loopback: the real server option, a password, a signed-in session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from ui.auth import AUTH_KEY

PASSWORD = "team-demo-2026"


@contextmanager
def served_on_lan(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``server.address`` = 0.0.0.0 for the app under test (the process-wide option Streamlit reads)."""
    before = config.get_option("server.address")
    errors = config.get_option("client.showErrorDetails")
    monkeypatch.setenv("PLANNER_PASSWORD", PASSWORD)
    config.set_option("server.address", "0.0.0.0")
    try:
        yield
    finally:
        config.set_option("server.address", before)
        config.set_option("client.showErrorDetails", errors)


def signed_in(at: AppTest) -> AppTest:
    at.session_state[AUTH_KEY] = True
    return at
