"""Health of every configured Ollama host, checked in the background so a slow or dead host never holds
up the page: each read waits a bounded time, then shows what is known (or "checking") and picks up late
answers on a later read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Protocol

from core.chat.config import OllamaHost
from core.chat.errors import ChatError
from core.chat.types import RunningModel


@dataclass(frozen=True)
class HostHealth:
    """One host as last checked: its version and loaded models, or the typed error that came instead."""

    host: OllamaHost
    version: str | None = None
    running: tuple[RunningModel, ...] = ()
    error: ChatError | None = None

    @property
    def up(self) -> bool:
        return self.error is None


class _Probe(Protocol):
    """What a check needs from a gateway (``OllamaGateway`` has both, each under its quick timeout)."""

    def version(self) -> str: ...

    def running(self) -> tuple[RunningModel, ...]: ...


def check_host(host: OllamaHost, gateway: _Probe) -> HostHealth:
    try:
        return HostHealth(host, version=gateway.version(), running=gateway.running())
    except ChatError as exc:
        return HostHealth(host, error=exc)


class HealthBoard:
    """Checks run on a small thread pool, at most one at a time per host, and are reused for ``max_age_s``."""

    def __init__(self, checks: Mapping[str, Callable[[], HostHealth]], max_age_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._checks = dict(checks)
        self._max_age_s = max_age_s
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(self._checks)), thread_name_prefix="ollama-health")
        self._lock = threading.Lock()
        self._pending: dict[str, Future[HostHealth]] = {}
        self._last: dict[str, tuple[float, HostHealth]] = {}

    def forget(self, name: str | None = None) -> None:
        """Check again on the next read (one host, or all of them)."""
        with self._lock:
            for key in [name] if name else list(self._last):
                self._last.pop(key, None)

    def read(self, wait_s: float) -> dict[str, HostHealth | None]:
        """Every host's health in configuration order; None for a host whose first check is still running."""
        with self._lock:
            now = self._clock()
            for name, check in self._checks.items():
                stale = name not in self._last or now - self._last[name][0] >= self._max_age_s
                if stale and name not in self._pending:
                    self._pending[name] = self._pool.submit(check)
            waiting = dict(self._pending)
        if waiting:
            wait(waiting.values(), timeout=wait_s)
        with self._lock:
            for name, future in waiting.items():
                if future.done() and self._pending.get(name) is future:
                    del self._pending[name]
                    if future.exception() is None:
                        self._last[name] = (self._clock(), future.result())
            return {name: self._last[name][1] if name in self._last else None for name in self._checks}

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
