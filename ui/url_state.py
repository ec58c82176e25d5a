"""Inputs whose values live in the URL, so a copied link reopens the same scenario.

Each widget's session-state key is its URL parameter's name.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.i18n import tr

SHORT_CHOICE = 8
"""A stale link to a choice of at most this many options lists them in its notice; a longer one (models, GPUs)
does not."""


def _link_notice(key: str, **fields: object) -> None:
    st.toast(tr(key, **fields), icon=":material/link_off:")


def url_choice(param: str, options: Sequence[object], default: object) -> int:
    """Initial index for a choice widget from ``?param=id`` in a shared link, else the default's.

    Choice widgets whose labels are translated keep stable ids in the URL (Streamlit's own
    ``bind="query-params"`` would carry the label, so a Korean link would not open in English).
    A stale or unknown id falls back to the default with a visible notice.
    """
    wanted = st.query_params.get(param)
    names = [str(option) for option in options]
    if wanted is not None and wanted not in names:
        if len(names) <= SHORT_CHOICE:
            _link_notice("url.not_one_of", param=param, value=wanted, allowed=", ".join(names), default=default)
        else:
            _link_notice("url.stale", param=param, value=wanted)
        wanted = None
    return names.index(wanted) if wanted is not None else list(options).index(default)


def keep_in_url(param: str, value: object, default: object) -> None:
    """Each write sends the browser a new address, changed or not, so only a change is written."""
    if value == default or value is None or value == []:
        st.query_params.pop(param, None)
        return
    text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if st.query_params.get(param) != text:
        st.query_params[param] = text


def select_in_url(where: DeltaGenerator, label: str, options: Sequence[object], param: str, default: object,
                  **kwargs: object) -> object:
    """A selectbox whose value lives in the URL as ``?param=id``. When the options change (another
    engine, other formats) and the current value is gone, the default takes its place."""
    if param in st.session_state:
        if st.session_state[param] not in options:
            st.session_state[param] = default if default in options else options[0]
        value = where.selectbox(label, options, key=param, **kwargs)
    else:
        value = where.selectbox(label, options, index=url_choice(param, options, default), key=param, **kwargs)
    keep_in_url(param, value, default)
    return value


def segment_in_url(where: DeltaGenerator, label: str, options: Sequence[object], param: str, default: object,
                   **kwargs: object) -> object:
    value = where.segmented_control(label, options, key=param, required=True,
                                    default=options[url_choice(param, options, default)], **kwargs)
    keep_in_url(param, value, default)
    return value


def number_in_url(where: DeltaGenerator, label: str, param: str, default: float, low: float, high: float,
                  **kwargs: object) -> float:
    """A number input whose value lives in the URL; an unreadable or out-of-range link value falls back
    to the default with a notice."""
    start = default
    raw = st.query_params.get(param)
    if raw is not None and param not in st.session_state:
        try:
            parsed = type(default)(float(raw)) if isinstance(default, int) else float(raw)
        except ValueError:
            parsed = None
        if parsed is None or not low <= parsed <= high:
            # Says what a link may hold, so whoever edited it by hand can mend it.
            _link_notice("url.out_of_range", param=param, value=raw, low=_plain(low), high=_plain(high),
                         default=_plain(default))
        else:
            start = parsed
    value = where.number_input(label, min_value=low, max_value=high, value=start, key=param, **kwargs)
    keep_in_url(param, value, default)
    return value


def _plain(number: float | None) -> str:
    """A bound or default as a person would type it: 1,024 and 0.5, not 1024.0 and 5e-01."""
    if number is None:
        return "—"
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,}"


def checkbox_in_url(where: DeltaGenerator, label: str, param: str, **kwargs: object) -> bool:
    value = where.checkbox(label, value=st.query_params.get(param) == "1", key=param, **kwargs)
    keep_in_url(param, "1" if value else None, None)
    return value


def multiselect_in_url(where: DeltaGenerator, label: str, options: Sequence[object], param: str,
                       default: list[object], **kwargs: object) -> list[object]:
    start = default
    raw = st.query_params.get(param)
    if raw is not None and param not in st.session_state:
        wanted = [part for part in raw.split(",") if part]
        known = [w for w in wanted if w in options]
        if len(known) != len(wanted):
            _link_notice("url.stale", param=param, value=",".join(w for w in wanted if w not in options))
        start = known or default
    value = where.multiselect(label, options, default=start, key=param, **kwargs)
    keep_in_url(param, value, default)
    return value


