"""Everything that can go wrong between the dashboard and Ollama, as typed errors a person can act on.

The official client lets several unrelated exception types escape (research note §2.4): the builtin
``ConnectionError`` from plain calls, a raw ``httpx.ConnectError`` from streams, ``httpx`` timeouts,
``ollama.ResponseError`` with status -1 for an error line inside a stream, and pydantic or JSON errors for a
malformed reply. ``translated()`` turns each into one of the classes below.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import ollama
import pydantic

from core.i18n import t


class ChatError(Exception):
    """Base class; ``message(lang)`` is the text for the page, ``str(error)`` the English one for logs."""

    key = "chat.err.failed"

    def __init__(self, **values: object) -> None:
        self.values = values
        super().__init__(t(self.key, "en", **values))

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.values)


class OllamaError(ChatError):
    """Anything between the gateway and the Ollama server."""


class StoreError(ChatError):
    """The conversation database cannot be opened or written (permissions, a full disk, a locked file)."""

    key = "chat.err.store"


class ServerUnreachable(OllamaError):
    key = "chat.err.unreachable"


class ServerTimeout(OllamaError):
    key = "chat.err.timeout"


class ConnectionLost(OllamaError):
    key = "chat.err.connection_lost"


class ModelNotFound(OllamaError):
    key = "chat.err.not_found"


class ServerBusy(OllamaError):
    key = "chat.err.busy"


class StreamFailed(OllamaError):
    """Ollama wrote an error line after the answer had started; the status stayed 200."""

    key = "chat.err.mid_stream"


class RequestRejected(OllamaError):
    key = "chat.err.rejected"


class BadResponse(OllamaError):
    key = "chat.err.malformed"


class PullDisabled(OllamaError):
    key = "chat.err.pull_disabled"


@contextmanager
def translated(host: str, model: str = "") -> Iterator[None]:
    """Re-raise whatever the client throws as an OllamaError; the original stays as ``__cause__``."""
    try:
        yield
    except OllamaError:
        raise
    except ollama.ResponseError as exc:
        detail = _short(exc.error)
        if exc.status_code == 404:
            raise ModelNotFound(model=model or "?", detail=detail) from exc
        if exc.status_code == 503:
            raise ServerBusy(host=host) from exc
        if exc.status_code == -1:
            raise StreamFailed(detail=detail) from exc
        if 400 <= exc.status_code < 500:
            raise RequestRejected(status=exc.status_code, detail=detail) from exc
        raise OllamaError(status=exc.status_code, detail=detail) from exc
    except httpx.TimeoutException as exc:
        raise ServerTimeout(host=host, kind=type(exc).__name__) from exc
    except (ConnectionError, httpx.ConnectError) as exc:
        raise ServerUnreachable(host=host) from exc
    except httpx.HTTPError as exc:
        raise ConnectionLost(host=host, detail=_short(str(exc) or type(exc).__name__)) from exc
    except (pydantic.ValidationError, json.JSONDecodeError) as exc:
        raise BadResponse(host=host, detail=_short(str(exc).splitlines()[0])) from exc


def _short(text: str, limit: int = 300) -> str:
    """Server text goes into a banner: one line, bounded."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
