"""Entry point: page config, navigation and the sidebar every page shares; nothing else lives here."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import ui

PAGES_DIR = Path(__file__).parent / "pages"

st.set_page_config(page_title="LLM Workstation Planner", page_icon=":material/memory:", layout="wide",
                   initial_sidebar_state="collapsed" if ui.presenting() else "auto")
ui.presentation_style()

navigation = st.navigation(
    [
        st.Page(PAGES_DIR / "home.py", title=ui.tr("nav.home"), icon=":material/home:", default=True),
        st.Page(PAGES_DIR / "vram.py", title=ui.tr("nav.vram"), icon=":material/calculate:"),
        st.Page(PAGES_DIR / "recommend.py", title=ui.tr("nav.recommend"), icon=":material/recommend:"),
        st.Page(PAGES_DIR / "monitor.py", title=ui.tr("nav.monitor"), icon=":material/monitoring:"),
        st.Page(PAGES_DIR / "chat.py", title=ui.tr("nav.chat"), icon=":material/chat:"),
    ],
    # Beyond loopback the page list stays hidden until the password is given.
    position="sidebar" if ui.admitted() else "hidden",
)
ui.language_switch()
st.sidebar.caption(ui.tr("sidebar.about"))
ui.password_gate()
navigation.run()
