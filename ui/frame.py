"""Every page's first line: run inside app.py's frame, and behind the password gate whatever happens."""

from __future__ import annotations

import streamlit as st

from ui.auth import password_gate


def frame_guard() -> None:
    """Run the page inside app.py's frame, also for the very first visit after the server starts.

    The one place that touches a Streamlit internal. Until some session has called st.navigation,
    Streamlit treats a folder named ``pages/`` beside the entry point as an old-style multipage app
    (``PagesManager.uses_pages_directory``, set from the folder's existence) and runs a deep link
    (/chat, /recommend) as a bare script: no navigation, no language switch. Turning that mode off and
    rerunning sends the visit through app.py, which then serves the page the URL names.
    tests/test_frame_guard.py pins that behaviour, so an upgrade that changes it fails a test.

    The password gate runs here too, so a page that somehow runs outside app.py (the flag renamed in an
    upgrade, a new page without this line is caught by the architecture test) still asks for the
    password beyond loopback. Inside app.py the gate has already passed and returns at once.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", None):
        PagesManager.uses_pages_directory = False
        st.rerun()
    password_gate()
