"""One streamed answer, read on its own thread so the model can start while the page is still drawing.

Streamlit reruns the whole page script before it reaches the chat; sending the request at the top of that
run and reading it here in the background keeps the page's drawing time out of the time to first token.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from core.chat.errors import OllamaError, translated
from core.chat.types import ChatRequest, ChatStats, Turn

_END = object()
WAIT_TICK_S = 0.25


class ChatStream:
    """``start()`` sends the request; ``text()`` yields the answer as it arrives; ``close()`` hangs up, which
    is how Ollama is told to stop; ``turn()`` is what to keep afterwards, whole, stopped or cut by an error.
    """

    def __init__(self, request: ChatRequest, url: str, open_stream: Callable[[], Iterator[Any]]) -> None:
        self.request = request
        self._url = url
        self._open_stream = open_stream
        self._queue: queue.SimpleQueue[tuple[float, Any]] = queue.SimpleQueue()
        self._closing = threading.Event()
        self._worker: threading.Thread | None = None
        self._content: list[str] = []
        self._thinking: list[str] = []
        self._final: Any = None
        self._count = 0
        self._started_s: float | None = None
        self._first_s: float | None = None
        self._last_s: float | None = None
        self.error: OllamaError | None = None

    @property
    def content(self) -> str:
        return "".join(self._content)

    @property
    def thinking(self) -> str:
        return "".join(self._thinking)

    @property
    def finished(self) -> bool:
        return self._final is not None

    def start(self) -> ChatStream:
        if self._worker is None:
            self._started_s = time.perf_counter()
            self._worker = threading.Thread(target=self._read, name="ollama-chat", daemon=True)
            self._worker.start()
        return self

    def _read(self) -> None:
        """The worker: every chunk goes into the queue with the time it arrived; then _END."""
        chunks: Any = None
        try:
            with translated(self._url, self.request.model):
                chunks = self._open_stream()
                for chunk in chunks:
                    self._queue.put((time.perf_counter(), chunk))
                    if self._closing.is_set():
                        break
        except OllamaError as exc:
            self._queue.put((time.perf_counter(), exc))
        finally:
            if chunks is not None:
                chunks.close()  # leaves the client's `with stream(...)`: the connection drops
            self._queue.put((time.perf_counter(), _END))

    def text(self, on_thinking: Callable[[str], None] | None = None,
             on_wait: Callable[[float], None] | None = None) -> Iterator[str]:
        """The answer's text, several chunks joined when they queued up while the caller was busy.

        ``on_thinking`` gets the whole reasoning so far each time it grows; ``on_wait`` gets the seconds since
        the request every quarter second nothing arrives (a model loading, a long prompt being read).
        """
        self.start()
        while True:
            try:
                batch = [self._queue.get(timeout=WAIT_TICK_S)]
            except queue.Empty:
                if on_wait is not None and self._started_s is not None:
                    on_wait(time.perf_counter() - self._started_s)
                continue
            while not self._queue.empty():
                batch.append(self._queue.get())
            text: list[str] = []
            for arrived_s, item in batch:
                if item is _END or isinstance(item, OllamaError):
                    if text:
                        yield "".join(text)
                    if not isinstance(item, OllamaError):
                        return
                    self.error = item
                    raise item
                text.append(self._take(arrived_s, item, on_thinking))
            if any(text):
                yield "".join(text)

    def _take(self, arrived_s: float, chunk: Any, on_thinking: Callable[[str], None] | None) -> str:
        message = chunk.message
        if message.thinking or message.content:
            self._first_s = self._first_s or arrived_s
            self._last_s = arrived_s
            self._count += 1
        if chunk.done:
            self._final = chunk
        if message.thinking:
            self._thinking.append(message.thinking)
            if on_thinking is not None:
                on_thinking(self.thinking)
        if message.content:
            self._content.append(message.content)
        return message.content or ""

    def close(self) -> None:
        """Hang up. The worker drops the connection as soon as it holds the next chunk."""
        self._closing.set()

    def stats(self, predicted_tokens_per_s: float | None = None) -> ChatStats:
        final, started = self._final, self._started_s
        return ChatStats(
            done_reason=getattr(final, "done_reason", None),
            eval_count=getattr(final, "eval_count", None),
            eval_duration_ns=getattr(final, "eval_duration", None),
            prompt_eval_count=getattr(final, "prompt_eval_count", None),
            prompt_eval_duration_ns=getattr(final, "prompt_eval_duration", None),
            load_duration_ns=getattr(final, "load_duration", None),
            total_duration_ns=getattr(final, "total_duration", None),
            first_token_s=None if started is None or self._first_s is None else self._first_s - started,
            wall_s=None if started is None or self._last_s is None else self._last_s - started,
            chunks=self._count,
            predicted_tokens_per_s=predicted_tokens_per_s,
        )

    def turn(self, lang: str, predicted_tokens_per_s: float | None = None) -> Turn:
        """The answer to store: ``stopped`` when neither the last chunk nor an error ended it."""
        return Turn(
            role="assistant", content=self.content, thinking=self.thinking, model=self.request.model,
            stats=self.stats(predicted_tokens_per_s), stopped=not self.finished and self.error is None,
            error=self.error.message(lang) if self.error else "", created_at=time.time(),
        )
