"""Chat with a local Ollama model: streamed answers, a real stop, and the measured speed next to the prediction."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

import ui
from core.chat import limits
from core.chat.answer import expected, machine_of
from core.chat.errors import ChatError
from core.chat.hosts import HostHealth
from core.chat.present import model_label, running_label, without_images
from core.chat.session import context_limit, effective_options, pick_model, settled_settings
from core.chat.stream import ChatStream
from core.chat.types import ChatOptions, ChatRequest, Turn
from core.errors import InputError
from ui import chat_answer, chat_panels

ui.frame_guard()

CONVERSATION_KEY = "chat_conversation"
PICK_KEY = "chat_conversation_pick"
"""The sidebar's picker: its own key, set from CONVERSATION_KEY on each full run, because a question asked in
the conversation's fragment starts a conversation the picker has not drawn yet."""
MODEL_KEY = "chat_model"
SYSTEM_KEY = "chat_system"
OPTION_KEYS = {name: f"chat_opt_{name}" for name in ChatOptions.__dataclass_fields__}
PENDING_KEY = "chat_pending"
"""The last stored question is to be answered on this run: a regenerate or a retry."""
NOTICE_KEY = "chat_notice"
"""An error from a callback or from an attempt that produced no text, shown once on the next run."""
UNSENT_KEY = "chat_unsent"
URL_PARAM = "chat"
HOST_PARAM = "host"
"""?host=<name> picks one of OLLAMA_HOSTS; it is also the picker's session-state key."""
GPU_WINDOW_S = 60

tr, lang = ui.tr, ui.lang()
hosts = ui.chat_hosts()
host_names = [h.name for h in hosts]
store = ui.chat_store()
measurements = ui.measurement_store()
sampler = ui.monitor_sampler(ui.monitor_demo_requested())


def open_conversation(conversation_id: int | None, restore_host: bool = True) -> None:
    """Switch conversations and restore the host, model and settings its last answer used."""
    st.session_state[CONVERSATION_KEY] = conversation_id
    conversation = store.get(conversation_id) if conversation_id else None
    if conversation is not None:
        try:
            restored = limits.bound_options(conversation.options, None)
        except (InputError, TypeError):  # a settings row edited by hand: start from the defaults
            restored = ChatOptions()
        st.session_state[MODEL_KEY] = conversation.model
        if restore_host and conversation.host in host_names:
            st.session_state[HOST_PARAM] = conversation.host
        st.session_state[SYSTEM_KEY] = conversation.system_prompt
        for name, key in OPTION_KEYS.items():
            st.session_state[key] = getattr(restored, name)


def regenerate(conversation_id: int) -> None:
    store.drop_last_answer(conversation_id)
    st.session_state[PENDING_KEY] = True


def delete(conversation_id: int) -> None:
    store.delete(conversation_id)
    open_conversation(None)


def unload(name: str) -> None:
    if not ui.admin_rights().may_manage_models:  # the button is disabled too; this holds if it is forged
        st.session_state[NOTICE_KEY] = tr("chat.lan_no_admin")
        return
    try:
        gateway.unload(name)
    except ChatError as exc:
        st.session_state[NOTICE_KEY] = exc.message(lang)


def begin_answer(request: Callable[[], ChatRequest], keep_question: Callable[[], object]) -> ChatStream:
    """Send the question now, before it is even stored; a request refused before it leaves keeps the question."""
    try:
        return gateway.chat(request()).start()
    except (InputError, ChatError) as exc:
        keep_question()
        st.session_state[NOTICE_KEY] = exc.message(lang)
        st.rerun()
        raise  # st.rerun() raises; this keeps type checkers honest


# --- session defaults ----------------------------------------------------------------------------
for _name, _key in OPTION_KEYS.items():
    st.session_state.setdefault(_key, getattr(ChatOptions(), _name))
st.session_state.setdefault(SYSTEM_KEY, "")
if CONVERSATION_KEY not in st.session_state:
    wanted = st.query_params.get(URL_PARAM, "")
    known = [c.id for c in store.conversations()]
    open_conversation(int(wanted) if wanted.isdigit() and int(wanted) in known else (known[0] if known else None),
                      restore_host=HOST_PARAM not in st.query_params)  # a shared ?host= wins

# --- the host: a picker when OLLAMA_HOSTS names more than one ---------------------------------------
if len(hosts) > 1:
    chosen = ui.select_in_url(st.sidebar, tr("chat.host"), host_names, HOST_PARAM, host_names[0])
else:
    chosen = host_names[ui.url_choice(HOST_PARAM, host_names, host_names[0])]  # a stale ?host= gets a notice
    ui.keep_in_url(HOST_PARAM, chosen, host_names[0])
host = hosts[host_names.index(str(chosen))]
gateway = ui.chat_gateway(host)

# --- the server ----------------------------------------------------------------------------------
st.title(tr("chat.title"))
server_error: ChatError | None = None
try:
    installed, running = gateway.list_models(), gateway.running()
    where = f"{host.name} · {gateway.url}" if len(hosts) > 1 else gateway.url
    st.caption(tr("chat.server", host=where, version=ui.ollama_version(gateway)))
    if not installed:
        st.info(tr("chat.no_models_help"), icon=":material/download:")
except ChatError as exc:
    installed, running, server_error = (), (), exc
    st.error(exc.message(lang), icon=":material/cloud_off:")
if st.session_state.get(NOTICE_KEY):
    st.error(st.session_state.pop(NOTICE_KEY), icon=":material/error:")
if st.session_state.get(chat_panels.PULLED_KEY):
    st.session_state[MODEL_KEY] = st.session_state[chat_panels.PULLED_KEY]
    st.success(tr("chat.pull_done", name=st.session_state.pop(chat_panels.PULLED_KEY)), icon=":material/check_circle:")
names = [m.name for m in installed]
by_name = {m.name: m for m in installed}
loaded = {r.name for r in running}
model = st.session_state[MODEL_KEY] = pick_model(st.session_state.get(MODEL_KEY), names, loaded)
info = ui.ollama_model_info(gateway, model) if model else None
context_max = context_limit(info)
settled = settled_settings({name: st.session_state[key] for name, key in OPTION_KEYS.items()}, info)
for name, key in OPTION_KEYS.items():
    st.session_state[key] = settled[name]
# The settings widgets further down show these same keyed values; reading them here lets a question
# leave for the model before the rest of the page is drawn.
system: str = st.session_state[SYSTEM_KEY]
options = effective_options(ChatOptions(**settled), info)

conversations = {c.id: c for c in store.conversations()}
if st.session_state[CONVERSATION_KEY] not in conversations:
    st.session_state[CONVERSATION_KEY] = None
conversation = conversations.get(st.session_state[CONVERSATION_KEY])

# --- model and settings --------------------------------------------------------------------------
main, side = st.columns([3, 1], gap="large")
with main:
    pick, tune = st.columns([4, 1], vertical_alignment="bottom")
    pick.selectbox(tr("chat.model"), names, key=MODEL_KEY, placeholder=tr("chat.no_models"),
                   format_func=lambda n: model_label(by_name[n], lang))
    if model:
        st.caption(f":material/memory: {tr('chat.is_loaded')}" if model in loaded else
                   f":material/hourglass_empty: {tr('chat.not_loaded')}")
    with tune.popover(tr("chat.settings"), icon=":material/tune:", width="stretch"):
        chat_panels.settings_form(OPTION_KEYS, SYSTEM_KEY, context_max, can_think=bool(info and info.can_think))

# --- conversations ---------------------------------------------------------------------------------
with st.sidebar:
    st.button(tr("chat.new"), icon=":material/add_comment:", on_click=open_conversation, args=(None,),
              width="stretch")
    if ui.serving_beyond_loopback():
        st.caption(f":material/group: {tr('chat.shared_note')}")
    if conversations:
        st.session_state[PICK_KEY] = st.session_state[CONVERSATION_KEY]
        st.radio(tr("chat.conversations"), list(conversations), key=PICK_KEY,
                 on_change=lambda: open_conversation(st.session_state[PICK_KEY]),
                 format_func=lambda i: without_images(conversations[i].title))
    if conversation is not None:
        with st.popover(tr("chat.manage"), icon=":material/edit:", width="stretch"):
            title = st.text_input(tr("chat.rename"), value=conversation.title, key=f"chat_title_{conversation.id}",
                                  max_chars=limits.MAX_TITLE_CHARS)
            if title != conversation.title:
                store.rename(conversation.id, title)
                st.rerun()
            st.button(tr("chat.delete"), icon=":material/delete:", type="primary", on_click=delete,
                      args=(conversation.id,), key="chat_delete")
        chat_panels.transcript_downloads(store, conversation.id)

# --- loaded models, GPU, pull ---------------------------------------------------------------------
manage = ui.admin_rights().may_manage_models
with side:
    st.subheader(tr("chat.loaded_models"))
    gpu_view = sampler.view(window_s=GPU_WINDOW_S)
    machine = machine_of(gateway.url, gpu_view, ui.gpus(), ui.ollama_version(gateway))
    for row in running:
        st.markdown(running_label(row, lang))
        chat_panels.reconciliation(row, ui.ollama_model_info(gateway, row.name), machine, gpu_view, measurements)
        st.button(tr("chat.unload"), key=f"chat_unload_{row.name}", icon=":material/eject:", on_click=unload,
                  args=(row.name,), disabled=not manage, help=None if manage else tr("chat.lan_no_admin"))
    if not running:
        st.caption(tr("chat.none_loaded"))
    gpu_box = st.container()  # drawn by the conversation's fragment, which redraws it while an answer streams
    if gateway.config.allow_pull and manage:
        chat_panels.pull_form(gateway)
    if len(hosts) > 1:
        chat_panels.hosts_panel(hosts, HostHealth(host, error=server_error) if server_error else
                    HostHealth(host, version=ui.ollama_version(gateway), running=tuple(running)),
                    wait_s=ui.HOST_HEALTH_WAIT_S)

# --- the conversation: a fragment, so that a question reruns only this part and leaves at once ---------
@st.fragment
def conversation_view() -> None:
    prompt = st.bottom.chat_input(tr("chat.placeholder"), key="chat_input", submit_mode="stop",
                                  max_chars=limits.MAX_PROMPT_CHARS)
    question = None
    if prompt:
        try:
            question = limits.check_prompt(prompt)
        except InputError as exc:
            st.session_state[UNSENT_KEY] = prompt
            st.session_state[NOTICE_KEY] = exc.message(lang)
            st.rerun()

    def keep_question() -> None:
        if question is not None:
            st.session_state[CONVERSATION_KEY] = store.ask(st.session_state[CONVERSATION_KEY], question, model or "",
                                                           system, options, host.name)

    st.session_state.pop(chat_answer.REDRAW_DUE_KEY, None)  # the stored turns are drawn below
    current = st.session_state[CONVERSATION_KEY]
    turns = store.turns(current) if current else []
    if question is not None:  # the request leaves first; the question is stored while the model reads it
        turns, pending = [*turns, Turn(role="user", content=question)], True
    else:
        pending = st.session_state.pop(PENDING_KEY, False) and bool(turns) and turns[-1].role == "user"
    reply = begin_answer(lambda: limits.build_request(model, names, system, turns, options,
                                                      info.context_max if info else None),
                         keep_question) if pending and model else None
    if question is not None:
        keep_question()
        if reply is None:  # no model to answer: the sidebar lists the new conversation on a full run
            st.rerun(scope="app")
        turns = store.turns(st.session_state[CONVERSATION_KEY])
    current = st.session_state[CONVERSATION_KEY]
    conversation = store.get(current) if current else None
    if conversation is None:
        st.query_params.pop(URL_PARAM, None)
    else:
        st.query_params[URL_PARAM] = str(conversation.id)
    # Read now, not at the last full run: the answer is measured against the GPUs as they are.
    gpus_now = sampler.view(window_s=GPU_WINDOW_S)
    gpu_slot = gpu_box.empty()
    chat_panels.show_gpus(gpu_slot, gpus_now)
    if not turns:
        st.caption(tr("chat.empty"))
    elif len(hosts) > 1 and conversation is not None and conversation.host:
        st.caption(f":material/dns: {tr('chat.host_answered', host=conversation.host)}")
    if st.session_state.get(UNSENT_KEY, "").strip():
        st.text_area(tr("chat.unsent"), st.session_state.pop(UNSENT_KEY), key="chat_unsent_copy")
    for turn in turns:
        chat_panels.render_turn(turn)
    if reply is not None and conversation is not None:
        machine_now = machine_of(gateway.url, gpus_now, ui.gpus(), ui.ollama_version(gateway))
        speed = expected(info, machine_now, ui.gpus(), options.num_ctx, ui.local_corrections())
        keeping = chat_answer.Keeping(store, measurements, speed, machine_now, host.name, by_name.get(model or ""), info)
        chat_answer.show_answer(reply, conversation.id, len(turns), keeping, NOTICE_KEY, redraw_gpus=lambda: (
            chat_panels.show_gpus(gpu_slot, sampler.view(window_s=GPU_WINDOW_S))))
    elif turns and conversation:
        last_is_answer = turns[-1].role == "assistant"
        st.button(tr("chat.regenerate") if last_is_answer else tr("chat.retry"), key="chat_regenerate",
                  icon=":material/refresh:", on_click=regenerate, args=(conversation.id,), disabled=not model)


with main:
    chat_answer.redraw_once_stored(store)
    conversation_view()
