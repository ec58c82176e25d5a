"""The reader's language: the sidebar switch, ?lang= in the URL, or the browser's locale."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core import i18n

LANG_KEY = "ui.lang"
LANG_QUERY = "lang"
"""?lang=ko / ?lang=en in the URL; the sidebar switch keeps it in step so a shared link keeps the language."""


def _browser_lang() -> str:
    from_url = i18n.normalize_lang(st.query_params.get(LANG_QUERY))
    return from_url or i18n.normalize_lang(st.context.locale) or i18n.DEFAULT_LANG


def lang() -> str:
    """The reader's language: the sidebar switch, else ?lang= in the URL, else the browser's locale."""
    chosen = st.session_state.get(LANG_KEY)
    return chosen if chosen in i18n.LANGS else _browser_lang()


def tr(key: str, **values: object) -> str:
    return i18n.t(key, lang(), **values)


def translator() -> Callable[..., str]:
    """``tr`` with the language fixed now: safe inside format_func callbacks run outside the script."""
    current = lang()
    return lambda key, **values: i18n.t(key, current, **values)


def language_switch() -> None:
    # Not bound with bind="query-params": on a page other than the default one that binding makes
    # Streamlit 1.67 show "Page not found"; the callback keeps the URL in step instead.
    def _keep_in_url() -> None:
        st.query_params[LANG_QUERY] = st.session_state[LANG_KEY]

    st.sidebar.segmented_control(
        "Language / 언어", options=list(i18n.LANGS), default=_browser_lang(), key=LANG_KEY,
        format_func={"ko": "한국어", "en": "English"}.__getitem__, required=True, on_change=_keep_in_url,
    )


