"""The chat page's panels: a stored turn, the hosts, the GPUs beside the answer, and pulling a model."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.chat import limits, transcript
from core.chat.config import OllamaHost
from core.chat.errors import ChatError
from core.chat.gateway import OllamaGateway
from core.chat.hosts import HostHealth
from core.chat.measurements import Machine, MeasurementStore
from core.chat.present import stats_line, without_images
from core.chat.reconcile import reconcile
from core.chat.store import ConversationStore
from core.chat.types import ModelInfo, RunningModel, Turn
from core.errors import InputError
from core.monitor.cards import gpu_cards
from core.monitor.view import MonitorView
from ui.i18n import lang, tr
from ui.resources import chat_host_board, gpus

PULLED_KEY = "chat_pulled"
"""The model just pulled: the page selects it on the next run."""


def render_turn(turn: Turn) -> None:
    current = lang()
    with st.chat_message(turn.role):
        if turn.thinking:
            with st.expander(tr("chat.thinking"), icon=":material/psychology:"):
                st.markdown(without_images(turn.thinking))
        if turn.content:
            st.markdown(without_images(turn.content))
        if turn.stopped:
            st.caption(f":material/stop_circle: {tr('chat.stopped')}")
        if turn.error:
            st.error(turn.error, icon=":material/error:")
        if turn.stats is not None and turn.role == "assistant":
            st.caption(stats_line(turn.stats, current))
            if turn.stats.cut_by_length:
                st.warning(tr("chat.cut_by_length"), icon=":material/content_cut:")


def pull_form(gateway: OllamaGateway) -> None:
    with st.expander(tr("chat.pull_title"), icon=":material/download:"):
        name = st.text_input(tr("chat.pull_name"), key="chat_pull_name", max_chars=200)
        if not st.button(tr("chat.pull"), key="chat_pull", disabled=not name):
            return
        bar = st.progress(0.0, text=tr("chat.pull_start"))
        try:
            for step in gateway.pull(name):
                bar.progress(step.fraction, text=f"{step.status} · {step.fraction:.0%}")
        except (InputError, ChatError) as exc:
            st.error(exc.message(lang()))
            return
    st.session_state[PULLED_KEY] = name if ":" in name else f"{name}:latest"
    st.rerun()


def hosts_panel(hosts: tuple[OllamaHost, ...], current: HostHealth, wait_s: float) -> None:
    """Every configured host with its health and loaded models; the one in use is the page's own reading.

    The others come from the server's shared health board, which waits at most ``wait_s`` for them.
    """
    board = chat_host_board(hosts)
    seen = board.read(wait_s)
    seen[current.host.name] = current
    st.subheader(tr("chat.hosts"))
    for each in hosts:
        health = seen[each.name]
        with st.container(border=True):
            mark = f" · {tr('chat.host_in_use')}" if each.name == current.host.name else ""
            st.markdown(f"**{each.name}**{mark}  \n`{each.url}`")
            if health is None:
                st.caption(f":material/hourglass_top: {tr('chat.host_checking')}")
            elif health.error is not None:
                st.error(health.error.message(lang()), icon=":material/cloud_off:")
            else:
                st.caption(f":material/check_circle: {tr('chat.host_up', version=health.version)}")
                st.caption(tr("chat.host_loaded", models=", ".join(r.name for r in health.running))
                           if health.running else tr("chat.host_none_loaded"))
    st.button(tr("chat.host_recheck"), key="chat_host_recheck", icon=":material/refresh:", on_click=board.forget)


def show_gpus(slot: DeltaGenerator, view: MonitorView) -> None:
    """Utilization and VRAM of the last minute from the monitor's sampler; nothing where there is no GPU."""
    live = [card for card in gpu_cards(view, lang(), {}) if card.lost is None]
    if not live:
        slot.empty()
        return
    with slot.container():
        st.subheader(tr("chat.gpu"))
        for card in live:
            with st.container(border=True):
                st.caption(card.title)
                for metric in card.metrics[:2]:  # utilization, then memory
                    st.metric(metric.label, metric.value)


def settings_form(option_keys: Mapping[str, str], system_key: str, context_max: int, can_think: bool) -> None:
    """The system prompt and the model options; each widget is keyed, so the page read them before drawing."""
    st.text_area(tr("chat.system_prompt"), key=system_key, max_chars=limits.MAX_SYSTEM_CHARS,
                 placeholder=tr("chat.system_placeholder"))
    left, right = st.columns(2)
    default = tr("chat.model_default")
    left.number_input(tr("chat.temperature"), *limits.TEMPERATURE, step=0.1, placeholder=default,
                      key=option_keys["temperature"], help=tr("chat.temperature_help"))
    right.number_input("top_p", *limits.TOP_P, step=0.05, placeholder=default, key=option_keys["top_p"],
                       help=tr("chat.top_p_help"))
    left.number_input(tr("chat.num_ctx"), limits.NUM_CTX[0], context_max, step=1024, placeholder=default,
                      key=option_keys["num_ctx"], help=tr("chat.num_ctx_help", maximum=f"{context_max:,}"))
    right.number_input(tr("chat.num_predict"), *limits.NUM_PREDICT, step=128, placeholder=tr("chat.unlimited"),
                       key=option_keys["num_predict"])
    left.number_input(tr("chat.seed"), *limits.SEED, step=1, placeholder=tr("chat.random"),
                      key=option_keys["seed"], help=tr("chat.seed_help"))
    right.selectbox(tr("chat.keep_alive"), limits.KEEP_ALIVE, key=option_keys["keep_alive"],
                    format_func={v: tr(f"chat.keep_alive.{v}") for v in limits.KEEP_ALIVE}.get)
    st.toggle(tr("chat.think"), key=option_keys["think"], disabled=not can_think, help=tr("chat.think_help"))


def transcript_downloads(store: ConversationStore, conversation_id: int) -> None:
    """Markdown and JSON files of one conversation, built from the store only when clicked."""
    current = lang()

    def build(kind: str) -> str:
        saved = store.get(conversation_id)
        if saved is None:
            return ""
        turns = store.turns(conversation_id)
        return transcript.to_json(saved, turns) if kind == "json" else transcript.to_markdown(saved, turns, current)

    for column, kind, label, mime in zip(st.columns(2), ("md", "json"), ("Markdown", "JSON"),
                                         ("text/markdown", "application/json"), strict=True):
        column.download_button(label, lambda kind=kind: build(kind), file_name=f"chat-{conversation_id}.{kind}",
                               mime=mime, on_click="ignore", icon=":material/download:", width="stretch")


def reconciliation(running: RunningModel, info: ModelInfo | None, machine: Machine, view: MonitorView,
                   store: MeasurementStore) -> None:
    """The estimate beside what Ollama and NVML report for one loaded model, large gaps with their likely cause;
    the configuration is kept once in the store, so the estimator's memory error here is known too."""
    rec = reconcile(running, info, machine, gpus(), view)
    store.add_memory_check(rec.model, rec.context, machine.gpu_id, rec.estimate_gib, rec.ollama_gib,
                           rec.ollama_vram_gib, rec.runner_gib)
    gib = lambda value: "n/a" if value is None else f"{value:.1f} GiB"  # noqa: E731
    st.caption(tr("reconcile.line", estimate=gib(rec.estimate_gib), ollama=gib(rec.ollama_gib),
                  vram=gib(rec.ollama_vram_gib), runner=gib(rec.runner_gib), others=gib(rec.others_gib)))
    for cause in rec.causes:
        st.warning(tr(cause), icon=":material/memory:")
