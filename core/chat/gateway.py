"""The one way the dashboard talks to Ollama: the official client, explicit timeouts, typed errors.

Browsers never reach Ollama; the Streamlit server calls it through this gateway at the host configured on
the server (OLLAMA_HOST), so Ollama can stay bound to loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import ollama

from core.chat.config import OllamaConfig
from core.chat.errors import BadResponse, PullDisabled, translated
from core.chat.limits import check_model_name
from core.chat.modelinfo import model_info
from core.chat.stream import ChatStream
from core.chat.types import ChatRequest, LocalModel, ModelInfo, PullProgress, RunningModel


def keep_alive_value(keep_alive: str) -> str | int:
    # Ollama parses strings with Go's time.ParseDuration, which rejects "-1" (no unit); numbers are seconds.
    return int(keep_alive) if keep_alive in ("-1", "0") else keep_alive


class OllamaGateway:
    def __init__(self, config: OllamaConfig) -> None:
        self.config = config
        connect, quick = config.connect_timeout_s, config.quick_timeout_s
        self._quick_timeout = httpx.Timeout(quick, connect=connect)
        self._quick = ollama.Client(host=config.url, timeout=self._quick_timeout)
        self._streaming = ollama.Client(
            host=config.url, timeout=httpx.Timeout(config.read_timeout_s, connect=connect, pool=quick)
        )

    @property
    def url(self) -> str:
        return self.config.url

    def version(self) -> str:
        """The server's version; the client has no call for /api/version."""
        with translated(self.url):
            reply = httpx.get(f"{self.url}/api/version", timeout=self._quick_timeout)
            reply.raise_for_status()
            version = reply.json().get("version")
        if not isinstance(version, str):
            raise BadResponse(host=self.url, detail="/api/version has no version")
        return version

    def list_models(self) -> tuple[LocalModel, ...]:
        with translated(self.url):
            listed = self._quick.list().models
        return tuple(sorted(
            (LocalModel(name=m.model or "", size_bytes=int(m.size or 0),
                        parameter_size=(m.details.parameter_size or "") if m.details else "",
                        quantization=(m.details.quantization_level or "") if m.details else "",
                        family=(m.details.family or "") if m.details else "", digest=m.digest or "")
             for m in listed if m.model),
            key=lambda m: m.name,
        ))

    def running(self) -> tuple[RunningModel, ...]:
        with translated(self.url):
            loaded = self._quick.ps().models
        return tuple(
            RunningModel(name=m.model or m.name or "", size_bytes=int(m.size or 0),
                         size_vram_bytes=int(m.size_vram or 0), context_length=m.context_length,
                         expires_at=m.expires_at)
            for m in loaded
        )

    def show(self, name: str) -> ModelInfo:
        with translated(self.url, name):
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

        return ChatStream(request, self.url, open_stream)

    def pull(self, name: str) -> Iterator[PullProgress]:
        """Download a model, reporting progress over all layers seen so far."""
        if not self.config.allow_pull:
            raise PullDisabled()
        return self._pull_lines(check_model_name(name))

    def _pull_lines(self, name: str) -> Iterator[PullProgress]:
        totals: dict[str, int] = {}
        done: dict[str, int] = {}
        with translated(self.url, name):
            for line in self._streaming.pull(name, stream=True):
                if line.digest and line.total:
                    totals[line.digest] = int(line.total)
                    done[line.digest] = int(line.completed or 0)
                yield PullProgress(status=line.status or "", completed_bytes=sum(done.values()),
                                   total_bytes=sum(totals.values()))

    def unload(self, name: str) -> None:
        """Free the model's memory now (an empty chat with keep_alive 0)."""
        with translated(self.url, name):
            self._quick.chat(model=name, messages=[], keep_alive=0)
