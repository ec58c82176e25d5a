"""The Streamlit layer between the pages and core: one module per concern, re-exported here so a page reads
``ui.tr(...)``, ``ui.number_in_url(...)``, ``ui.chart(...)``.

- ``frame``: every page's first line (app.py's frame and the password gate);
- ``i18n``: the reader's language; ``url_state``: inputs kept in the URL;
- ``resources``: what one server shares (catalogs, sampler, gateways), data errors shown, not raised;
- ``widgets``: charts, sources, downloads, presentation mode; ``auth``: the LAN password gate;
- ``live_cards``: the monitor's per-second cards, one escaped HTML block each; ``tables``: small tables likewise.

Session-state keys are named constants in the module that owns them. Imports run pages → ui → core.
"""

from __future__ import annotations

from ui.auth import admin_rights, admitted, password_gate, serving_beyond_loopback
from ui.frame import frame_guard
from ui.i18n import LANG_KEY, lang, language_switch, tr, translator
from ui.live_cards import gpu_card, live_card_style, metric_row
from ui.memory_bar import memory_bar
from ui.resources import (
    HOST_HEALTH_WAIT_S,
    MONITOR_DEMO_PARAM,
    TEAM_REFRESH_S,
    chat_gateway,
    chat_host_board,
    chat_hosts,
    chat_store,
    database_gpus,
    first_ollama_host,
    gpus,
    load_catalogs,
    local_corrections,
    measurement_store,
    models,
    monitor_demo_requested,
    monitor_sampler,
    monitor_team_view,
    ollama_model_info,
    ollama_version,
    prices,
    tiers,
)
from ui.tables import html_table
from ui.url_state import (
    checkbox_in_url,
    keep_in_url,
    multiselect_in_url,
    number_in_url,
    segment_in_url,
    select_in_url,
    url_choice,
)
from ui.widgets import (
    chart,
    controls,
    dark_theme,
    export_buttons,
    gpu_label,
    model_label,
    presentation_style,
    presenting,
    sources,
)

__all__ = [
    "HOST_HEALTH_WAIT_S", "LANG_KEY", "MONITOR_DEMO_PARAM", "TEAM_REFRESH_S", "admin_rights", "admitted", "chart",
    "chat_gateway", "chat_host_board", "chat_hosts", "chat_store",
    "database_gpus", "checkbox_in_url", "controls", "dark_theme",
    "export_buttons", "first_ollama_host", "frame_guard", "gpus", "keep_in_url", "lang", "language_switch",
    "live_card_style", "load_catalogs",
    "local_corrections", "measurement_store", "memory_bar", "metric_row",
    "gpu_card", "gpu_label", "html_table",
    "model_label", "models", "monitor_demo_requested", "monitor_sampler", "monitor_team_view", "multiselect_in_url",
    "number_in_url", "ollama_model_info", "ollama_version", "password_gate", "presentation_style", "presenting",
    "prices", "segment_in_url", "select_in_url", "serving_beyond_loopback", "sources", "tiers", "tr", "translator",
    "url_choice",
]
