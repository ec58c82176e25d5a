"""Streamlit helpers shared by the pages: language, cached catalogs, charts and messages.

The one place that knows both Streamlit and core. Session-state keys live here as constants.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import access, i18n
from core.catalog import GpuSpec, catalog
from core.csvdata import DataFileError
from core.errors import InputError
from core.models import ModelArch, model_catalog
from core.prices import PriceBook, price_book
from core.report import Report
from core.tiers import PricedTier, price_tiers
from core.monitor.live import live_sampler
from core.monitor.sampler import Sampler
from core.monitor.prometheus import PrometheusClient
from core.monitor.team import TeamView, configured_url, team_view
from core.monitor.trace import demo_sampler
from core.ollama.config import OllamaConfig, OllamaHost, configured_hosts, data_dir
from core.ollama.errors import ChatError, StoreError
from core.ollama.gateway import OllamaGateway
from core.ollama.hosts import HealthBoard, check_host
from core.ollama.store import ConversationStore
from core.ollama.types import ModelInfo

LANG_KEY = "ui.lang"
LANG_QUERY = "lang"
"""?lang=ko / ?lang=en in the URL; the sidebar switch keeps it in step so a shared link keeps the language."""

PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def frame_guard() -> None:
    """Run the page inside app.py's frame, also for the very first visit after the server starts.

    Until some session has called st.navigation, Streamlit treats the pages/ folder as an old-style
    multipage app and runs a deep link (/chat, /recommend) as a bare script: no navigation, no
    language switch, no password gate. Turning that mode off and rerunning sends the visit through
    app.py, which then serves the page the URL names.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


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


def _stale_link(param: str, value: str) -> None:
    st.toast(tr("url.stale", param=param, value=value), icon=":material/link_off:")


def url_choice(param: str, options: Sequence[object], default: object) -> int:
    """Initial index for a choice widget from ``?param=id`` in a shared link, else the default's.

    Choice widgets whose labels are translated keep stable ids in the URL (Streamlit's own
    ``bind="query-params"`` would carry the label, so a Korean link would not open in English).
    A stale or unknown id falls back to the default with a visible notice.
    """
    wanted = st.query_params.get(param)
    names = [str(option) for option in options]
    if wanted is not None and wanted not in names:
        _stale_link(param, wanted)
        wanted = None
    return names.index(wanted) if wanted is not None else list(options).index(default)


def keep_in_url(param: str, value: object, default: object) -> None:
    if value == default or value is None or value == []:
        st.query_params.pop(param, None)
    elif isinstance(value, list):
        st.query_params[param] = ",".join(str(v) for v in value)
    else:
        st.query_params[param] = str(value)


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
            _stale_link(param, raw)
        else:
            start = parsed
    value = where.number_input(label, min_value=low, max_value=high, value=start, key=param, **kwargs)
    keep_in_url(param, value, default)
    return value


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
            _stale_link(param, ",".join(w for w in wanted if w not in options))
        start = known or default
    value = where.multiselect(label, options, default=start, key=param, **kwargs)
    keep_in_url(param, value, default)
    return value


@st.cache_resource(show_spinner=False)
def gpus() -> tuple[GpuSpec, ...]:
    return catalog()


@st.cache_resource(show_spinner=False)
def models() -> tuple[ModelArch, ...]:
    return model_catalog()


@st.cache_resource(show_spinner=False)
def prices() -> PriceBook:
    return price_book()


@st.cache_resource(show_spinner=False)
def tiers() -> tuple[PricedTier, ...]:
    return price_tiers(gpus(), prices())


def price_table(gpu_list: tuple[GpuSpec, ...], book: PriceBook, condition: str) -> pd.DataFrame:
    return pd.DataFrame(book.price_rows(gpu_list, condition))


def default_krw_per_kwh(book: PriceBook) -> float | None:
    """The sourced electricity price; None (an empty field for the user to fill) when there is none."""
    rate = book.krw_per_kwh
    return float(rate.value) if rate else None


def load_catalogs() -> tuple[tuple[GpuSpec, ...], tuple[ModelArch, ...]]:
    """Both catalogs, or a clear error naming the broken file and line, then stop the page."""
    try:
        return gpus(), models()
    except DataFileError as exc:
        st.error(tr("error.data_file", detail=str(exc)))
        st.stop()
        raise  # st.stop() raises; this keeps type checkers honest


PRESENT_QUERY = "present"
THEME_QUERY = "theme"
DARK = {"paper": "#0f172a", "plot": "#0f172a", "text": "#e2e8f0", "grid": "#334155"}


def presenting() -> bool:
    """?present=1: controls folded away, large type, for a projector."""
    return st.query_params.get(PRESENT_QUERY) in ("1", "true")


def dark_theme() -> bool:
    return st.query_params.get(THEME_QUERY) == "dark"


def presentation_style() -> None:
    """Large type and, with ?theme=dark, a dark canvas; our own CSS, no user content in it."""
    rules = []
    if presenting():
        rules.append("html, body, [data-testid='stAppViewContainer'] {font-size: 20px;}"
                     "[data-testid='stMetricValue'] {font-size: 2.6rem;} h1 {font-size: 2.8rem !important;}")
    if dark_theme():
        rules.append(f"[data-testid='stApp'], [data-testid='stHeader'] {{background: {DARK['paper']};"
                     f" color: {DARK['text']};}} [data-testid='stApp'] * {{color: {DARK['text']};}}")
    if rules:
        st.html(f"<style>{''.join(rules)}</style>")


def controls(label_key: str = "common.controls") -> object:
    """Where a page's inputs go: folded into an expander when presenting, plain otherwise."""
    return st.expander(tr(label_key), expanded=False, icon=":material/tune:") if presenting() else st.container()


def chart(fig: go.Figure, key: str) -> None:
    if presenting() or dark_theme():
        fig = go.Figure(fig)
        if presenting():
            fig.update_layout(font_size=18, title_font_size=24, title_subtitle_font_size=14, margin_t=130)
        if dark_theme():
            fig.update_layout(paper_bgcolor=DARK["paper"], plot_bgcolor=DARK["plot"], font_color=DARK["text"])
            fig.update_xaxes(gridcolor=DARK["grid"], linecolor=DARK["grid"], zerolinecolor=DARK["grid"])
            fig.update_yaxes(gridcolor=DARK["grid"], linecolor=DARK["grid"], zerolinecolor=DARK["grid"])
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key, theme=None)


def export_buttons(build: Callable[[], Report], stem: str, key: str) -> None:
    """HTML and Markdown downloads of a plan, built only when clicked (plotly.js inline is ~4 MB)."""
    current = lang()
    left, right = st.columns(2)
    left.download_button(tr("report.export_html"), lambda: build().html(current), f"{stem}.html", "text/html",
                         key=f"{key}_html", icon=":material/download:", on_click="ignore")
    right.download_button(tr("report.export_md"), lambda: build().markdown(current), f"{stem}.md", "text/markdown",
                          key=f"{key}_md", icon=":material/description:", on_click="ignore")


def sources(urls: Sequence[str]) -> None:
    """A compact, clickable list of sources under a figure."""
    unique = list(dict.fromkeys(urls))
    links = " · ".join(f"[{i + 1}]({url})" for i, url in enumerate(unique))
    st.caption(f"{tr('common.sources')}: {links}")


# --- chat: one Ollama gateway and one conversation store per server process -------------------------------


@st.cache_resource(show_spinner=False)
def _ollama_gateway(host: str, allow_pull: bool, read_timeout_s: float) -> OllamaGateway:
    return OllamaGateway(OllamaConfig(host=host, allow_pull=allow_pull, read_timeout_s=read_timeout_s))


def chat_hosts() -> tuple[OllamaHost, ...]:
    """OLLAMA_HOSTS (else OLLAMA_HOST) from the server's environment, or a message naming the bad entry and
    what is allowed, then stop the page."""
    try:
        return configured_hosts()
    except InputError as exc:
        st.error(exc.message(lang()), icon=":material/dns:")
        st.stop()
        raise


def chat_gateway(host: OllamaHost | None = None) -> OllamaGateway:
    """The gateway of one host (the first configured one when none is named), cached per host URL and
    configuration, so a changed environment (tests, a restart) gets its own client."""
    config = OllamaConfig.from_env()
    if host is None:
        try:
            host = configured_hosts()[0]
        except InputError:  # the chat page says what is wrong; elsewhere OLLAMA_HOST still answers
            host = OllamaHost("", config.host)
    return _ollama_gateway(host.url, config.allow_pull, config.read_timeout_s)


HOST_HEALTH_MAX_AGE_S = 10.0
HOST_HEALTH_WAIT_S = 2.0
"""How long a page waits for host checks; a host slower than that shows "checking" until a later run."""


@st.cache_resource(show_spinner=False, on_release=lambda board: board.close())
def _host_health_board(hosts: tuple[OllamaHost, ...], allow_pull: bool, read_timeout_s: float) -> HealthBoard:
    gateways = {h.name: _ollama_gateway(h.url, allow_pull, read_timeout_s) for h in hosts}
    return HealthBoard({h.name: (lambda h=h: check_host(h, gateways[h.name])) for h in hosts},
                       max_age_s=HOST_HEALTH_MAX_AGE_S)


def chat_host_board(hosts: tuple[OllamaHost, ...]) -> HealthBoard:
    """One board per server process and host list: checks are shared by every session."""
    config = OllamaConfig.from_env()
    return _host_health_board(hosts, config.allow_pull, config.read_timeout_s)


@st.cache_resource(show_spinner=False)
def _conversation_store(directory: str) -> ConversationStore:
    return ConversationStore.in_dir(directory)


def chat_store() -> ConversationStore:
    """The conversation database, or a message naming the folder to fix, then stop the page."""
    try:
        return _conversation_store(str(data_dir()))
    except StoreError as exc:
        st.error(exc.message(lang()))
        st.stop()
        raise


@st.cache_resource(ttl=60, show_spinner=False)
def _model_info(_gateway: OllamaGateway, host: str, name: str) -> ModelInfo:
    # cache_resource, not cache_data: ModelInfo is frozen, so sharing it is safe and nothing is pickled.
    return _gateway.show(name)


def ollama_model_info(gateway: OllamaGateway, name: str) -> ModelInfo | None:
    """/api/show for one model, cached for a minute; None when the server cannot say."""
    try:
        return _model_info(gateway, gateway.host, name)
    except ChatError:
        return None


@st.cache_resource(ttl=60, show_spinner=False)
def _ollama_version(_gateway: OllamaGateway, host: str) -> str:
    return _gateway.version()


def ollama_version(gateway: OllamaGateway) -> str:
    try:
        return _ollama_version(gateway, gateway.host)
    except ChatError:
        return "?"


MONITOR_DEMO_PARAM = "demo"
"""?demo=1 replays the recorded trace in data/traces instead of reading this machine's GPUs."""


def monitor_demo_requested() -> bool:
    return st.query_params.get(MONITOR_DEMO_PARAM) in ("1", "true")


@st.cache_resource(show_spinner=False, on_release=lambda sampler: sampler.stop())
def monitor_sampler(demo: bool = False) -> Sampler:
    """The server's one sampler (one for live readings, one for the demo replay), shared by every tab and
    session, so NVML is polled at the sampler's rate however many people watch."""
    return (demo_sampler() if demo else live_sampler()).start()


TEAM_REFRESH_S = 2.0
"""Prometheus is asked at most this often per window, however many tabs show the team view."""


def prometheus_url() -> str | None:
    """PROMETHEUS_URL from the server's environment; the team view exists only when it is set."""
    return configured_url()


@st.cache_resource(show_spinner=False)
def _prometheus_client(url: str) -> PrometheusClient:
    return PrometheusClient(url)


@st.cache_resource(ttl=TEAM_REFRESH_S, show_spinner=False)
def _team_view(url: str, window_s: float) -> TeamView:
    # cache_resource, not cache_data: TeamView is frozen, so sharing it is safe and nothing is pickled.
    return team_view(_prometheus_client(url), window_s)


def monitor_team_view(url: str, window_s: float) -> TeamView:
    return _team_view(url, float(window_s))


AUTH_KEY = "ui.authenticated"
AUTH_FAILURES_KEY = "ui.auth_failures"


def serving_beyond_loopback() -> bool:
    return not access.is_loopback(str(st.get_option("server.address") or ""))


def admin_rights() -> access.AdminRights:
    return access.AdminRights(lan=serving_beyond_loopback())


def password_gate() -> None:
    """On a LAN the whole app sits behind the server's password; on loopback there is nothing to ask."""
    if not serving_beyond_loopback() or st.session_state.get(AUTH_KEY):
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
        failures = st.session_state.get(AUTH_FAILURES_KEY, 0)
        time.sleep(access.delay_after_failures(failures))
        if access.password_matches(given, expected):
            st.session_state[AUTH_KEY] = True
            st.session_state.pop(AUTH_FAILURES_KEY, None)
            st.rerun()
        st.session_state[AUTH_FAILURES_KEY] = failures + 1
        st.error(tr("auth.wrong", seconds=f"{access.delay_after_failures(failures + 1):.0f}"))
    st.stop()
