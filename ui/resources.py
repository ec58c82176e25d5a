"""Everything one server process shares between sessions (``st.cache_resource``): the catalogs and
price data, the GPU sampler, the Prometheus client, the Ollama gateways, host checks and the store.

A data file that breaks its schema stops the page with a message naming the file, line and column.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st

from core.chat.config import OllamaConfig, OllamaHost, configured_hosts, data_dir
from core.chat.errors import ChatError, StoreError
from core.chat.gateway import OllamaGateway
from core.chat.hosts import HealthBoard, check_host
from core.chat.measurements import MeasurementStore
from core.chat.store import DB_NAME, ConversationStore
from core.chat.types import ModelInfo
from core.csvdata import DataFileError
from core.errors import InputError
from core.monitor.live import live_sampler
from core.monitor.prometheus import PrometheusClient
from core.monitor.sampler import Sampler
from core.monitor.team import TeamView, team_view
from core.monitor.trace import demo_sampler
from core.plan.catalog import GpuSpec, catalog, database
from core.plan.local import LocalCorrection, fit_corrections
from core.plan.models import ModelArch, model_catalog
from core.plan.prices import PriceBook, price_book
from core.plan.tiers import PricedTier, price_tiers
from ui.i18n import lang, tr

T = TypeVar("T")

@st.cache_resource(show_spinner=False)
def _gpus() -> tuple[GpuSpec, ...]:
    return catalog()


@st.cache_resource(show_spinner=False)
def _database() -> tuple[GpuSpec, ...]:
    return database()


@st.cache_resource(show_spinner=False)
def _models() -> tuple[ModelArch, ...]:
    return model_catalog()


@st.cache_resource(show_spinner=False)
def _prices() -> PriceBook:
    return price_book()


@st.cache_resource(show_spinner=False)
def _tiers() -> tuple[PricedTier, ...]:
    return price_tiers(_gpus(), _prices())


def _checked(load: Callable[[], T]) -> T:
    """A data set, or a clear error naming the broken file, line and column, then stop the page."""
    try:
        return load()
    except DataFileError as exc:
        st.error(tr("error.data_file", detail=str(exc)), icon=":material/table:")
        st.stop()
        raise  # st.stop() raises; this keeps type checkers honest


def gpus() -> tuple[GpuSpec, ...]:
    return _checked(_gpus)


def database_gpus() -> tuple[GpuSpec, ...]:
    """Cards the catalog lacks, from the TechPowerUp database: labelled, unpriced, no tensor rate."""
    return _checked(_database)


def models() -> tuple[ModelArch, ...]:
    return _checked(_models)


def prices() -> PriceBook:
    return _checked(_prices)


def tiers() -> tuple[PricedTier, ...]:
    return _checked(_tiers)


def load_catalogs() -> tuple[tuple[GpuSpec, ...], tuple[ModelArch, ...]]:
    return gpus(), models()


# --- chat: one Ollama gateway and one conversation store per server process -------------------------------


@st.cache_resource(show_spinner=False)
def _ollama_gateway(host: str, allow_pull: bool, read_timeout_s: float) -> OllamaGateway:
    return OllamaGateway(OllamaConfig(url=host, allow_pull=allow_pull, read_timeout_s=read_timeout_s))


def chat_hosts() -> tuple[OllamaHost, ...]:
    """OLLAMA_HOSTS (else OLLAMA_HOST) from the server's environment, or a message naming the bad entry and
    what is allowed, then stop the page."""
    try:
        return configured_hosts()
    except InputError as exc:
        st.error(exc.message(lang()), icon=":material/dns:")
        st.stop()
        raise


def first_ollama_host() -> OllamaHost:
    """The first configured host; where OLLAMA_HOSTS is broken (the chat page says how), OLLAMA_HOST still answers."""
    try:
        return configured_hosts()[0]
    except InputError:
        return OllamaHost("", OllamaConfig.from_env().url)


def chat_gateway(host: OllamaHost | None = None) -> OllamaGateway:
    """The gateway of one host (the first configured one when none is named), cached per host URL and
    configuration, so a changed environment (tests, a restart) gets its own client."""
    config = OllamaConfig.from_env()
    host = host or first_ollama_host()
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


@st.cache_resource(show_spinner=False)
def _measurement_store(directory: str) -> MeasurementStore:
    return MeasurementStore(Path(directory) / DB_NAME)


def measurement_store() -> MeasurementStore:
    """The measurements of this team's machines, in the conversations' database."""
    try:
        return _measurement_store(str(data_dir()))
    except StoreError as exc:
        st.error(exc.message(lang()))
        st.stop()
        raise


def local_corrections() -> dict[tuple[str, int, str, str], LocalCorrection]:
    """Corrections from this team's own measurements (a few hundred rows read in a millisecond); none when the
    store cannot be read."""
    try:
        return fit_corrections(_measurement_store(str(data_dir())).runs())
    except StoreError:
        return {}


@st.cache_resource(ttl=60, show_spinner=False)
def _model_info(_gateway: OllamaGateway, host: str, name: str) -> ModelInfo:
    # cache_resource, not cache_data: ModelInfo is frozen, so sharing it is safe and nothing is pickled.
    return _gateway.show(name)


def ollama_model_info(gateway: OllamaGateway, name: str) -> ModelInfo | None:
    """/api/show for one model, cached for a minute; None when the server cannot say."""
    try:
        return _model_info(gateway, gateway.url, name)
    except ChatError:
        return None


@st.cache_resource(ttl=60, show_spinner=False)
def _ollama_version(_gateway: OllamaGateway, host: str) -> str:
    return _gateway.version()


def ollama_version(gateway: OllamaGateway) -> str:
    try:
        return _ollama_version(gateway, gateway.url)
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


@st.cache_resource(show_spinner=False)
def _prometheus_client(url: str) -> PrometheusClient:
    return PrometheusClient(url)


@st.cache_resource(ttl=TEAM_REFRESH_S, show_spinner=False)
def monitor_team_view(url: str, window_s: float) -> TeamView:
    # cache_resource, not cache_data: TeamView is frozen, so sharing it is safe and nothing is pickled.
    return team_view(_prometheus_client(url), window_s)


