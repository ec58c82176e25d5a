"""The small interface every source of readings implements: NVML today, a recorded trace for demos,
Prometheus or other vendors later. The sampler and the pages see only this."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from core.monitor.types import FastReading, GpuInfo, GpuProcess, HostReading, LostGpu, SlowReading, SourceStatus


class Source(Protocol):
    """Reads are cheap to call and never raise for a missing metric: absent values are None, a GPU that
    stopped answering is a ``LostGpu``. ``now`` is the sampler's clock, which a replay uses as its position."""

    def open(self) -> SourceStatus:
        """(Re)connects; safe to call again after a failure or a lost GPU."""
        ...

    def close(self) -> None: ...

    def devices(self) -> tuple[GpuInfo, ...]: ...

    def read_fast(self, now: float) -> Mapping[str, FastReading | LostGpu]: ...

    def read_slow(self, now: float) -> Mapping[str, SlowReading | LostGpu]: ...

    def read_processes(self, now: float) -> tuple[GpuProcess, ...]: ...

    def read_host(self, now: float) -> HostReading | None: ...


@dataclass
class Backoff:
    """Waits before re-opening a failed source: 1, 2, 4 … seconds, at most ``maximum``."""

    initial_s: float = 1.0
    maximum_s: float = 60.0
    _next_s: float = field(default=0.0, init=False)

    def next(self) -> float:
        self._next_s = min(self.maximum_s, self._next_s * 2 if self._next_s else self.initial_s)
        return self._next_s

    def reset(self) -> None:
        self._next_s = 0.0
