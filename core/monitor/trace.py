"""Traces: what a sampler read, written as gzip'd JSON lines, and a source that replays one in a loop.

The first line is the header (format, provenance, devices); each further line is one tick, with the
tiers that were read at it and ``t`` in seconds from the start. A replay is a ``Source`` like any
other, so the page shows a demo through the same sampler, history and charts as live data.
"""

from __future__ import annotations

import bisect
import gzip
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from core.csvdata import DATA_DIR
from core.monitor.sampler import Sampler
from core.monitor.source import Source
from core.monitor.types import (
    FastReading,
    GpuInfo,
    GpuProcess,
    HostReading,
    LostGpu,
    Origin,
    SlowReading,
    SourceStatus,
    State,
)
from core.monitor.view import Poll

FORMAT = "gpu-monitor-trace"
VERSION = 1
DEMO_TRACE = DATA_DIR / "traces" / "demo.jsonl.gz"

R = TypeVar("R")


class TraceError(ValueError):
    """A trace file that cannot be read: names the file, the line and what is wrong."""


# --- values ↔ JSON ---------------------------------------------------------------------------
def _plain(obj: Any) -> dict[str, Any]:
    """A reading as a dict without its n/a fields; floats to two decimals, which is below any sensor's noise."""
    out: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if value is None:
            continue
        if isinstance(value, float):
            value = round(value, 2)
        elif isinstance(value, tuple):
            value = [round(v, 1) if isinstance(v, float) else v for v in value]
        out[f.name] = value
    return out


def _build(cls: type[R], data: Mapping[str, Any]) -> R:
    """The inverse of ``_plain``: fields it left out were n/a."""
    known = {f.name: None for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{**known, **{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known}})


def _per_gpu(readings: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if readings is None:
        return None
    return {uuid: {"lost": r.reason} if isinstance(r, LostGpu) else _plain(r) for uuid, r in readings.items()}


def _from_per_gpu(cls: type[R], data: Mapping[str, Any] | None) -> dict[str, R | LostGpu] | None:
    if data is None:
        return None
    return {uuid: LostGpu(r["lost"]) if "lost" in r else _build(cls, r) for uuid, r in data.items()}


def poll_to_json(poll: Poll, t0: float) -> dict[str, Any]:
    line: dict[str, Any] = {"t": round(poll.t - t0, 3)}
    for tier in ("fast", "slow"):
        if (readings := _per_gpu(getattr(poll, tier))) is not None:
            line[tier] = readings
    if poll.processes is not None:
        line["processes"] = [_plain(p) for p in poll.processes]
    if poll.host is not None:
        line["host"] = _plain(poll.host)
    return line


def poll_from_json(line: Mapping[str, Any]) -> Poll:
    processes = line.get("processes")
    return Poll(
        t=float(line["t"]),
        fast=_from_per_gpu(FastReading, line.get("fast")),
        slow=_from_per_gpu(SlowReading, line.get("slow")),
        processes=None if processes is None else tuple(_build(GpuProcess, p) for p in processes),
        host=None if line.get("host") is None else _build(HostReading, line["host"]),
    )


# --- writing ---------------------------------------------------------------------------------
class TraceWriter:
    """Writes a trace: ``header`` once, then ``write`` each poll. Usable as a context manager."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # mtime=0 keeps the gzip bytes a function of the content, so a regenerated trace diffs cleanly
        self._file = gzip.GzipFile(filename="", mode="wb", fileobj=path.open("wb"), mtime=0)
        self._t0: float | None = None
        self.count = 0

    def header(self, origin: Origin, status: SourceStatus, devices: tuple[GpuInfo, ...]) -> None:
        self._line({
            "format": FORMAT, "version": VERSION, "origin": _plain(origin),
            "status": {k: getattr(status, k) for k in ("driver_version", "cuda_version", "library_version")},
            "devices": [_plain(d) for d in devices],
        })

    def write(self, poll: Poll) -> None:
        if self._t0 is None:
            self._t0 = poll.t
        self._line(poll_to_json(poll, self._t0))
        self.count += 1

    def _line(self, obj: Mapping[str, Any]) -> None:
        self._file.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")

    def close(self) -> None:
        fileobj = self._file.fileobj
        self._file.close()
        if fileobj is not None:
            fileobj.close()  # type: ignore[union-attr]  # typeshed: the underlying file object has close()

    def __enter__(self) -> TraceWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


# --- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trace:
    origin: Origin
    status: SourceStatus
    devices: tuple[GpuInfo, ...]
    polls: tuple[Poll, ...]

    @property
    def duration_s(self) -> float:
        return self.polls[-1].t + 1.0 if self.polls else 0.0


def read_trace(path: Path) -> Trace:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            lines = [json.loads(line) for line in file if line.strip()]
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TraceError(f"{path}: not a readable trace ({exc})") from None
    if not lines or lines[0].get("format") != FORMAT or lines[0].get("version") != VERSION:
        raise TraceError(f"{path}: line 1 is not a {FORMAT} v{VERSION} header")
    head = lines[0]
    try:
        origin = _build(Origin, head["origin"])
        polls = tuple(poll_from_json(line) for line in lines[1:])
        devices = tuple(_build(GpuInfo, d) for d in head["devices"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TraceError(f"{path}: malformed content ({type(exc).__name__}: {exc})") from None
    if not polls:
        raise TraceError(f"{path}: the trace has a header but no readings")
    origin = replace(origin, duration_s=polls[-1].t + 1.0)
    status = SourceStatus(State.OK, "", origin=origin, **head.get("status", {}))
    return Trace(origin, status, devices, polls)


class TraceSource:
    """Replays a trace in a loop: the reading at ``now`` is the one at ``now`` modulo the trace's length,
    so every tab and every restart agree on where the replay is."""

    def __init__(self, path: Path = DEMO_TRACE) -> None:
        self.path = path
        self._trace: Trace | None = None
        self._tiers: dict[str, tuple[list[float], list[Any]]] = {}

    def open(self) -> SourceStatus:
        if self._trace is not None:
            return self._trace.status
        try:
            self._trace = read_trace(self.path)
        except TraceError as exc:
            return SourceStatus(State.ERROR, str(exc), origin=Origin(kind="trace", label=str(self.path)))
        for tier in ("fast", "slow", "processes", "host"):
            stamped = [(p.t, getattr(p, tier)) for p in self._trace.polls if getattr(p, tier) is not None]
            self._tiers[tier] = ([t for t, _ in stamped], [v for _, v in stamped])
        return self._trace.status

    def close(self) -> None:
        """Nothing to release: the parsed trace is kept, so re-opening does not read the file again."""

    def devices(self) -> tuple[GpuInfo, ...]:
        return () if self._trace is None else self._trace.devices

    def _at(self, tier: str, now: float, empty: Callable[[], R]) -> R:
        if self._trace is None or not self._tiers.get(tier, ([], []))[0]:
            return empty()
        times, values = self._tiers[tier]
        position = now % self._trace.duration_s
        index = bisect.bisect_right(times, position) - 1
        return values[index]  # index -1 (before the first reading) wraps to the end of the loop

    def read_fast(self, now: float) -> Mapping[str, FastReading | LostGpu]:
        return self._at("fast", now, dict)

    def read_slow(self, now: float) -> Mapping[str, SlowReading | LostGpu]:
        return self._at("slow", now, dict)

    def read_processes(self, now: float) -> tuple[GpuProcess, ...]:
        return self._at("processes", now, tuple)

    def read_host(self, now: float) -> HostReading | None:
        return self._at("host", now, lambda: None)


def demo_sampler(path: Path = DEMO_TRACE, now: float | None = None) -> Sampler:
    """A sampler over the demo trace with one loop of it already in the history."""
    source = TraceSource(path)
    sampler = Sampler(source)
    duration = source.open().origin.duration_s or 0.0
    return sampler.backfill(min(duration, sampler.retention.fine.horizon_s), now)


# --- recording -------------------------------------------------------------------------------
class SourceUnavailable(Exception):
    def __init__(self, status: SourceStatus) -> None:
        super().__init__(status.detail or str(status.state))
        self.status = status


def record(source: Source, seconds: float, out: Path, origin: Callable[[SourceStatus, tuple[GpuInfo, ...]], Origin],
           clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep) -> int:
    """Samples ``source`` at the sampler's rates for ``seconds`` into a trace at ``out``; returns the
    number of ticks written. Raises ``SourceUnavailable`` before writing anything if it cannot read GPUs.
    Ctrl-C ends the recording early and keeps what was read."""
    polls: list[Poll] = []
    sampler = Sampler(source, clock=clock, listener=polls.append)
    start = clock()
    upcoming = sampler.tick(start)
    status = sampler.status()
    if not status.ok:
        source.close()
        raise SourceUnavailable(status)
    with TraceWriter(out) as writer:
        writer.header(origin(status, source.devices()), status, source.devices())
        try:
            while True:
                for poll in polls:
                    writer.write(poll)
                polls.clear()
                if upcoming >= start + seconds:
                    break
                sleep(max(0.0, upcoming - clock()))
                upcoming = sampler.tick(clock())
        except KeyboardInterrupt:
            pass
        finally:
            source.close()
    return writer.count
