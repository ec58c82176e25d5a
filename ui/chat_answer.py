"""The answer as it streams: the waiting mark, the reasoning, the text, the GPU panel redrawn beside it, and
what is kept once it ends, whole, stopped or failed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import streamlit as st

from core.chat.answer import Expected, finished_turn, measurement_of
from core.chat.errors import ChatError
from core.chat.measurements import Machine, MeasurementStore
from core.chat.present import stream_without_images
from core.chat.store import ConversationStore
from core.chat.stream import ChatStream
from core.chat.types import LocalModel, ModelInfo
from ui.i18n import lang, tr


@dataclass(frozen=True)
class Keeping:
    """Where a finished answer goes, and what it is measured against."""

    store: ConversationStore
    measurements: MeasurementStore
    speed: Expected
    machine: Machine
    host: str
    local: LocalModel | None
    info: ModelInfo | None


ANSWERING_KEY = "chat_answering"
"""(conversation id, turns before the answer) while an answer streams; the timer below watches it."""
REDRAW_DUE_KEY = "chat_redraw_due"
"""When a kept answer asked for the page to be redrawn; the conversation clears it as it draws the stored turns.
A redraw that never came (a timer's run can take the place of a requested rerun) is asked for again below."""
REDRAW_GRACE_S = 2.0


@st.fragment(run_every="1s")
def redraw_once_stored(store: ConversationStore) -> None:
    """Call on every full run. A stop ends the streaming run at its next st.* call (session-state writes
    included), so that run cannot draw the "stopped" mark; this timer redraws the page as soon as the
    partial answer is in the store. It draws nothing."""
    armed = st.session_state.get(ANSWERING_KEY)
    if armed is not None and len(store.turns(armed[0])) > armed[1]:
        del st.session_state[ANSWERING_KEY]
        st.rerun(scope="app")
    due = st.session_state.get(REDRAW_DUE_KEY)
    if due is not None and time.monotonic() - due > REDRAW_GRACE_S:
        del st.session_state[REDRAW_DUE_KEY]
        st.rerun(scope="app")


def show_answer(stream: ChatStream, conversation_id: int, turns_before: int, keeping: Keeping, notice_key: str,
                redraw_gpus: Callable[[], None]) -> None:
    """Stream the answer into an assistant message, keep it, and rerun the page to show it stored."""
    request = stream.request
    st.session_state[ANSWERING_KEY] = (conversation_id, turns_before)
    with st.chat_message("assistant"):
        waiting = st.empty()
        waiting.caption(f":material/hourglass_top: {tr('chat.waiting', model=request.model)}")
        thinking = st.expander(tr("chat.thinking"), expanded=True, icon=":material/psychology:").empty() \
            if request.options.think else None

        def show_thinking(text: str) -> None:
            waiting.empty()
            if thinking is not None:
                thinking.markdown(text)

        def show_wait(seconds: float) -> None:
            # Also a point where Streamlit can act on the stop button while the model loads.
            if not stream.content and not stream.thinking:
                waited = tr("chat.waited", model=request.model, seconds=round(seconds))
                waiting.caption(f":material/hourglass_top: {waited}")

        def pieces() -> Iterator[str]:
            redraw_at = time.monotonic() + 1
            for i, piece in enumerate(stream.text(on_thinking=show_thinking, on_wait=show_wait)):
                if i == 0:
                    waiting.empty()
                if time.monotonic() >= redraw_at:
                    # Fragment timers wait for the script, so the GPU panel is redrawn from here.
                    redraw_gpus()
                    redraw_at = time.monotonic() + 1
                yield piece

        language = lang()
        try:
            st.write_stream(stream_without_images(pieces()))
        except ChatError:
            pass  # kept on the turn (or as a notice) and shown after the redraw below
        finally:
            # After a stop only plain Python runs here: no st.* call, not even a session-state write.
            stream.close()
            if stream.error is None or stream.content or stream.thinking:
                keeping.store.add_turn(conversation_id, finished_turn(stream, language, keeping.speed))
            # Every answer measures this machine; stopped, failed and short ones are kept but flagged.
            keeping.measurements.add([measurement_of(stream, keeping.speed, keeping.machine, keeping.host,
                                                     keeping.local, keeping.info)])
    del st.session_state[ANSWERING_KEY]
    if stream.error is not None and not (stream.content or stream.thinking):
        st.session_state[notice_key] = stream.error.message(language)
    st.session_state[REDRAW_DUE_KEY] = time.monotonic()
    st.rerun()
