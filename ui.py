"""Streamlit helpers shared by the pages: language, cached catalogs, charts and messages.

The one place that knows both Streamlit and core. Session-state keys live here as constants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import plotly.graph_objects as go
import streamlit as st

from core import i18n
from core.catalog import GpuSpec, catalog
from core.csvdata import DataFileError
from core.models import ModelArch, model_catalog

LANG_KEY = "lang"
"""The sidebar switch's key, bound to the URL: ?lang=ko / ?lang=en."""

PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def _browser_lang() -> str:
    from_url = i18n.normalize_lang(st.query_params.get(LANG_KEY))
    return from_url or i18n.normalize_lang(st.context.locale) or i18n.DEFAULT_LANG


def lang() -> str:
    """The reader's language: the sidebar switch (bound to ?lang=), else the browser's locale."""
    chosen = st.session_state.get(LANG_KEY)
    return chosen if chosen in i18n.LANGS else _browser_lang()


def tr(key: str, **values: object) -> str:
    return i18n.t(key, lang(), **values)


def translator() -> Callable[..., str]:
    """``tr`` with the language fixed now: safe inside format_func callbacks run outside the script."""
    current = lang()
    return lambda key, **values: i18n.t(key, current, **values)


def language_switch() -> None:
    st.sidebar.segmented_control(
        "Language / 언어", options=list(i18n.LANGS), default=_browser_lang(), key=LANG_KEY,
        format_func={"ko": "한국어", "en": "English"}.__getitem__, required=True, bind="query-params",
    )


def url_choice(param: str, options: Sequence[object], default: object) -> int:
    """Initial index for a choice widget from ``?param=id`` in a shared link, else the default's.

    Choice widgets whose labels are translated cannot use ``bind="query-params"`` (the URL would
    carry the label, so a Korean link would not open in English); they keep stable ids in the URL.
    A stale or unknown id falls back to the default with a visible notice.
    """
    wanted = st.query_params.get(param)
    names = [str(option) for option in options]
    if wanted is not None and wanted not in names:
        st.toast(tr("url.stale", param=param, value=wanted), icon=":material/link_off:")
        wanted = None
    return names.index(wanted) if wanted is not None else options.index(default)


def keep_in_url(param: str, value: object, default: object) -> None:
    if value == default or value is None:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = str(value)


@st.cache_resource(show_spinner=False)
def gpus() -> tuple[GpuSpec, ...]:
    return catalog()


@st.cache_resource(show_spinner=False)
def models() -> tuple[ModelArch, ...]:
    return model_catalog()


def load_catalogs() -> tuple[tuple[GpuSpec, ...], tuple[ModelArch, ...]]:
    """Both catalogs, or a clear error naming the broken file and line, then stop the page."""
    try:
        return gpus(), models()
    except DataFileError as exc:
        st.error(tr("error.data_file", detail=str(exc)))
        st.stop()
        raise  # st.stop() raises; this keeps type checkers honest


def chart(fig: go.Figure, key: str) -> None:
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key)


def sources(urls: Sequence[str]) -> None:
    """A compact, clickable list of sources under a figure."""
    unique = list(dict.fromkeys(urls))
    links = " · ".join(f"[{i + 1}]({url})" for i, url in enumerate(unique))
    st.caption(f"{tr('common.sources')}: {links}")
