"""The one way the dashboard talks to Ollama: the official client, explicit timeouts, typed errors.

Browsers never reach Ollama; the Streamlit server calls it through this gateway at the host configured on
the server (OLLAMA_HOST), so Ollama can stay bound to loopback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import ollama

from core.ollama.config import OllamaConfig
from core.ollama.errors import BadResponse, OllamaError, PullDisabled, translated
from core.ollama.limits import check_model_name
from core.ollama.modelinfo import model_info
from core.ollama.types import ChatRequest, ChatStats, LocalModel, ModelInfo, PullProgress, RunningModel, Turn


def keep_alive_value(keep_alive: str) -> str | int:
    # Ollama parses strings with Go's time.ParseDuration, which rejects "-1" (no unit); numbers are seconds.
    return int(keep_alive) if keep_alive in ("-1", "0") else keep_alive


class ChatStream:
    """One streamed answer.

    Iterate ``text()`` for the answer as it arrives; ``close()`` hangs up, which is how Ollama is told to stop
    generating; ``turn()`` is what to keep afterwards, whole, stopped or cut by an error.
    """

    def __init__(self, request: ChatRequest, host: str, open_stream: Callable[[], Iterator[Any]]) -> None:
        self.request = request
        self._host = host
        self._open_stream = open_stream
        self._chunks: Iterator[Any] | None = None
        self._text: Iterator[str] | None = None
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

    def text(self, on_thinking: Callable[[str], None] | None = None) -> Iterator[str]:
        """The answer's pieces; ``on_thinking`` gets the whole reasoning so far each time it grows."""
        self._text = self._pieces(on_thinking)
        return self._text

    def _pieces(self, on_thinking: Callable[[str], None] | None) -> Iterator[str]:
        self._started_s = time.perf_counter()
        try:
            with translated(self._host, self.request.model):
                # The client's stream is lazy: the request goes out on the first next().
                self._chunks = self._open_stream()
                for chunk in self._chunks:
                    message = chunk.message
                    if message.thinking or message.content:
                        self._last_s = time.perf_counter()
                        self._first_s = self._first_s or self._last_s
                        self._count += 1
                    if chunk.done:
                        self._final = chunk
                    if message.thinking:
                        self._thinking.append(message.thinking)
                        if on_thinking is not None:
                            on_thinking(self.thinking)
                    if message.content:
                        self._content.append(message.content)
                        yield message.content
        except OllamaError as exc:
            self.error = exc
            raise

    def close(self) -> None:
        """Drop the connection now rather than when the garbage collector gets to it."""
        for stream in (self._text, self._chunks):
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    def stats(self, predicted_tokens_per_s: float | None = None) -> ChatStats:
        final = self._final
        started = self._started_s
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


class OllamaGateway:
    def __init__(self, config: OllamaConfig) -> None:
        self.config = config
        connect, quick = config.connect_timeout_s, config.quick_timeout_s
        self._quick_timeout = httpx.Timeout(quick, connect=connect)
        self._quick = ollama.Client(host=config.host, timeout=self._quick_timeout)
        self._streaming = ollama.Client(
            host=config.host, timeout=httpx.Timeout(config.read_timeout_s, connect=connect, pool=quick)
        )

    @property
    def host(self) -> str:
        return self.config.host

    def version(self) -> str:
        """The server's version; the client has no call for /api/version."""
        with translated(self.host):
            reply = httpx.get(f"{self.host}/api/version", timeout=self._quick_timeout)
            reply.raise_for_status()
            version = reply.json().get("version")
        if not isinstance(version, str):
            raise BadResponse(host=self.host, detail="/api/version has no version")
        return version

    def list_models(self) -> tuple[LocalModel, ...]:
        with translated(self.host):
            listed = self._quick.list().models
        return tuple(sorted(
            (LocalModel(name=m.model or "", size_bytes=int(m.size or 0),
                        parameter_size=(m.details.parameter_size or "") if m.details else "",
                        quantization=(m.details.quantization_level or "") if m.details else "",
                        family=(m.details.family or "") if m.details else "")
             for m in listed if m.model),
            key=lambda m: m.name,
        ))

    def running(self) -> tuple[RunningModel, ...]:
        with translated(self.host):
            loaded = self._quick.ps().models
        return tuple(
            RunningModel(name=m.model or m.name or "", size_bytes=int(m.size or 0),
                         size_vram_bytes=int(m.size_vram or 0), context_length=m.context_length,
                         expires_at=m.expires_at)
            for m in loaded
        )

    def show(self, name: str) -> ModelInfo:
        with translated(self.host, name):
            shown = self._quick.show(name)
        details = shown.details
        return model_info(
            name, shown.modelinfo, quantization=(details.quantization_level or "") if details else "",
            parameter_size=(details.parameter_size or "") if details else "", capabilities=shown.capabilities or (),
        )

    def chat(self, request: ChatRequest) -> ChatStream:
        options = request.options

        def open_stream() -> Iterator[Any]:
            return self._streaming.chat(
                model=request.model, messages=list(request.messages), stream=True,
                options=options.ollama_options() or None, keep_alive=keep_alive_value(options.keep_alive),
                # Sending think=False to a model that cannot think is a 400, so only send it when asked.
                think=True if options.think else None,
            )

        return ChatStream(request, self.host, open_stream)

    def pull(self, name: str) -> Iterator[PullProgress]:
        """Download a model, reporting progress over all layers seen so far."""
        if not self.config.allow_pull:
            raise PullDisabled()
        return self._pull_lines(check_model_name(name))

    def _pull_lines(self, name: str) -> Iterator[PullProgress]:
        totals: dict[str, int] = {}
        done: dict[str, int] = {}
        with translated(self.host, name):
            for line in self._streaming.pull(name, stream=True):
                if line.digest and line.total:
                    totals[line.digest] = int(line.total)
                    done[line.digest] = int(line.completed or 0)
                yield PullProgress(status=line.status or "", completed_bytes=sum(done.values()),
                                   total_bytes=sum(totals.values()))

    def unload(self, name: str) -> None:
        """Free the model's memory now (an empty chat with keep_alive 0)."""
        with translated(self.host, name):
            self._quick.chat(model=name, messages=[], keep_alive=0)
