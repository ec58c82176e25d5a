"""Who may see the app: loopback without a password, anything else only after the server's password."""

from __future__ import annotations

import time

import streamlit as st

from core import access
from ui.i18n import tr

AUTH_KEY = "ui.authenticated"
ERROR_DETAILS_BEYOND_LOOPBACK = "none"
"""client.showErrorDetails on a LAN: a generic message in the browser, the traceback only in the server log."""


def serving_beyond_loopback() -> bool:
    """From the address the server listens on, however it was started; an unset address is every interface."""
    return not access.is_loopback(str(st.get_option("server.address") or ""))


def admitted() -> bool:
    """Whether this session may see the app: always on loopback, after the password beyond it."""
    return not serving_beyond_loopback() or bool(st.session_state.get(AUTH_KEY))


def admin_rights() -> access.AdminRights:
    return access.AdminRights(lan=serving_beyond_loopback())


@st.cache_resource(show_spinner=False)
def _failures() -> access.FailureCounter:
    # One counter per server process: a reload or a second tab starts a new session, not a new count.
    return access.FailureCounter()


def _client() -> str:
    return st.context.ip_address or "loopback"


def hide_error_details() -> None:
    """Beyond loopback no traceback or internal path reaches a browser."""
    if serving_beyond_loopback() and st.get_option("client.showErrorDetails") != ERROR_DETAILS_BEYOND_LOOPBACK:
        st.set_option("client.showErrorDetails", ERROR_DETAILS_BEYOND_LOOPBACK)


def password_gate() -> None:
    """On a LAN the whole app sits behind the server's password; on loopback there is nothing to ask."""
    hide_error_details()
    if admitted():
        return
    expected = access.configured_password()
    if expected is None:
        # The launcher refuses this case; a server started some other way fails closed.
        st.error(tr("auth.no_password"))
        st.stop()
    with st.form("auth_form"):
        st.subheader(tr("auth.title"))
        given = st.text_input(tr("auth.password"), type="password", key="auth_password")
        submitted = st.form_submit_button(tr("auth.submit"))
    if submitted:
        counter, client = _failures(), _client()
        time.sleep(access.delay_after_failures(counter.count(client)))
        if access.password_matches(given, expected):
            st.session_state[AUTH_KEY] = True
            counter.clear(client)
            st.rerun()
        failures = counter.add(client)
        st.error(tr("auth.wrong", seconds=f"{access.delay_after_failures(failures):.0f}"))
    st.stop()
