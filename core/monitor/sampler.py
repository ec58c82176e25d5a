"""The background sampler: polls a source at fixed rates on its own thread and keeps bounded history.

One per server process, however many tabs are open, so the NVML load does not grow with viewers and
history survives page reloads. Pages read copies through ``view``; they never reach the source.
Scheduling is a pure ``tick(now)`` so tests and benchmarks can drive it with a simulated clock.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from core.monitor.ringbuffer import History
from core.monitor.source import Backoff, Source
from core.monitor.types import (
    FastReading,
    GpuInfo,
    GpuProcess,
    HostReading,
    LostGpu,
    SlowReading,
    SourceStatus,
    State,
)
from core.monitor.view import Diagnostics, Event, Latest, MonitorView, Poll, Rates, Retention

GPU_FIELDS = ("gpu_util_pct", "mem_util_pct", "memory_used_mib", "power_w", "sm_clock_mhz", "mem_clock_mhz",
              "temperature_c", "fan_pct", "power_limit_w")
HOST_FIELDS = ("cpu_pct", "ram_used_mib", "ram_cached_mib", "swap_used_mib")
PROCESS_FIELDS = ("gpu_memory_mib",)
POLL_RATES = ("slow", "processes", "fast")  # slow first, so each fast row carries the newest slow values
MAX_POINTS = 600  # per series handed to a chart: about one per pixel of a half-width plot


class Sampler:
    def __init__(self, source: Source, *, rates: Rates = Rates(), retention: Retention = Retention(),
                 clock: Callable[[], float] = time.time, listener: Callable[[Poll], None] | None = None) -> None:
        self.source, self.rates, self.retention = source, rates, retention
        self._clock, self._listener = clock, listener
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = SourceStatus(State.ERROR, "not opened yet")
        self._opened = False
        self._retry_at: float | None = None
        self._backoff = Backoff()
        self._due = dict.fromkeys(POLL_RATES, -math.inf)
        self._devices: dict[str, GpuInfo] = {}
        self._fast: dict[str, FastReading] = {}
        self._slow: dict[str, SlowReading] = {}
        self._lost: dict[str, str] = {}
        self._history: dict[str, History] = {}
        self._host: HostReading | None = None
        self._host_history = History(HOST_FIELDS, retention.fine, retention.coarse)
        self._processes: tuple[GpuProcess, ...] = ()
        self._process_history: OrderedDict[str, History] = OrderedDict()
        self._process_labels: dict[str, str] = {}
        self._energy_j: dict[str, float] = {}
        self._energy_last: dict[str, tuple[float, float | None, float | None]] = {}
        self._events: deque[Event] = deque(maxlen=50)
        self._cost = {tier: [0, 0.0] for tier in (*POLL_RATES, "host")}
        self._cpu_s = 0.0
        self._started_at: float | None = None

    # --- the schedule -------------------------------------------------------------------------
    def tick(self, now: float) -> float:
        """Polls every tier due at ``now`` and records it; returns when the next tier is due."""
        if self._started_at is None:
            self._started_at = now
        for tier in POLL_RATES:
            if self._due[tier] > now + self.rates.period(tier):  # the wall clock was set back
                self._due[tier] = now
        if self._retry_at is not None and self._retry_at > now + self._backoff.maximum_s:
            self._retry_at = now
        if not self._opened or (self._retry_at is not None and now >= self._retry_at):
            self._reopen(now)
        due = [tier for tier in POLL_RATES if now >= self._due[tier]]
        reads: dict[str, object] = {}
        if "fast" in due:
            reads["host"] = self._timed("host", self.source.read_host, now)
        if self._status.ok:
            readers = {"fast": self.source.read_fast, "slow": self.source.read_slow,
                       "processes": self.source.read_processes}
            for tier in due:
                reads[tier] = self._timed(tier, readers[tier], now)
        for tier in due:
            self._due[tier] = self._next_due(tier, now)
        poll = Poll(t=now, **reads)  # type: ignore[arg-type]
        with self._lock:
            self._record(poll)
        if self._listener is not None and due:
            self._listener(poll)
        upcoming = min(self._due.values())
        return upcoming if self._retry_at is None else min(upcoming, self._retry_at)

    def _next_due(self, tier: str, now: float) -> float:
        period = self.rates.period(tier)
        upcoming = self._due[tier] + period
        # A slightly late tick keeps the grid; a long stall or a clock set forward restarts it from now.
        return upcoming if now < upcoming <= now + period else now + period

    def _timed(self, tier: str, read: Callable[[float], object], now: float) -> object:
        started = time.perf_counter()
        result = read(now)
        cost = self._cost[tier]
        cost[0] += 1
        cost[1] += time.perf_counter() - started
        return result

    def _reopen(self, now: float) -> None:
        if self._opened:
            self.source.close()
        status = self.source.open()
        self._opened = True
        current = {d.uuid: d for d in self.source.devices()}
        with self._lock:
            if status.state != self._status.state:
                self._note(now, "state", None, f"{status.state}: {status.detail}".rstrip(": "))
            self._status = status
            newcomers = {d.index for uuid, d in current.items() if uuid not in self._devices}
            for uuid, info in list(self._devices.items()):
                if uuid in current:
                    continue
                if uuid in self._lost and info.index in newcomers:
                    # A placeholder for a GPU that failed before it told its UUID; the slot now answers.
                    del self._lost[uuid], self._devices[uuid]
                elif uuid not in self._lost:
                    self._lost[uuid] = "no longer listed by the driver"
                    self._note(now, "gpu_lost", uuid, self._lost[uuid])
            self._devices.update(current)
        self._retry_at = None if status.ok else now + self._backoff.next()

    # --- recording ------------------------------------------------------------------------------
    def _record(self, poll: Poll) -> None:
        now = poll.t
        for tier_reads in (poll.slow, poll.fast):
            for uuid, reading in (tier_reads or {}).items():
                if isinstance(reading, LostGpu) and uuid not in self._lost:
                    self._lost[uuid] = reading.reason
                    self._note(now, "gpu_lost", uuid, reading.reason)
                elif not isinstance(reading, LostGpu) and uuid in self._lost:
                    del self._lost[uuid]
                    self._note(now, "gpu_back", uuid, "")
        for uuid, slow in (poll.slow or {}).items():
            if isinstance(slow, SlowReading):
                self._slow[uuid] = slow
        if poll.processes is not None:
            self._record_processes(now, poll.processes)
        for uuid, fast in (poll.fast or {}).items():
            if isinstance(fast, FastReading):
                self._fast[uuid] = fast
                self._account_energy(uuid, now, fast)
                values = {**vars(self._slow.get(uuid, SlowReading())), **vars(fast)}
                self._gpu_history(uuid).append(now, values)
        if poll.host is not None:
            self._host = poll.host
            self._host_history.append(now, vars(poll.host))
        if self._status.ok:
            if self._lost and self._retry_at is None:
                self._retry_at = now + self._backoff.next()
            elif not self._lost:
                self._backoff.reset()

    def _gpu_history(self, uuid: str) -> History:
        if uuid not in self._history:
            self._history[uuid] = History(GPU_FIELDS, self.retention.fine, self.retention.coarse)
        return self._history[uuid]

    def _record_processes(self, now: float, processes: tuple[GpuProcess, ...]) -> None:
        self._processes = processes
        for proc in processes:
            key = f"{proc.gpu_uuid}/{proc.pid}"
            if key not in self._process_history:
                self._process_history[key] = History(
                    PROCESS_FIELDS, self.retention.process_fine, self.retention.process_coarse)
            self._process_history.move_to_end(key)
            self._process_history[key].append(now, {"gpu_memory_mib": proc.gpu_memory_mib})
            self._process_labels[key] = f"{proc.name} ({proc.pid})"
        while len(self._process_history) > self.retention.max_processes:
            key, _ = self._process_history.popitem(last=False)
            self._process_labels.pop(key, None)

    def _account_energy(self, uuid: str, now: float, reading: FastReading) -> None:
        """Joules since the sampler started: the driver's counter when it has one (and did not
        restart), else the mean power over the step."""
        last = self._energy_last.get(uuid)
        self._energy_last[uuid] = (now, reading.energy_mj, reading.power_w)
        if last is None:
            return
        then, energy_mj, power_w = last
        if energy_mj is not None and reading.energy_mj is not None and reading.energy_mj >= energy_mj:
            joules = (reading.energy_mj - energy_mj) / 1000
        elif power_w is not None and reading.power_w is not None:
            joules = (power_w + reading.power_w) / 2 * (now - then)
        else:
            return
        self._energy_j[uuid] = self._energy_j.get(uuid, 0.0) + joules

    def _note(self, now: float, kind: str, uuid: str | None, detail: str) -> None:
        self._events.append(Event(now, kind, uuid, detail))

    # --- reading it back ------------------------------------------------------------------------
    def status(self) -> SourceStatus:
        with self._lock:
            return self._status

    def energy_j(self) -> dict[str, float]:
        with self._lock:
            return dict(self._energy_j)

    def latest(self) -> Latest:
        """The newest readings only, without history: what an exporter serves on each scrape."""
        with self._lock:
            return Latest(status=self._status, devices=tuple(self._devices.values()), fast=dict(self._fast),
                          slow=dict(self._slow), lost=dict(self._lost), host=self._host)

    def view(self, window_s: float, now: float | None = None, max_points: int = MAX_POINTS) -> MonitorView:
        now = self._clock() if now is None else now
        with self._lock:
            history = {uuid: h.window(window_s, now) for uuid, h in self._history.items()}
            processes = {key: h.window(window_s, now) for key, h in self._process_history.items()}
            host_history = self._host_history.window(window_s, now)
            view = MonitorView(
                now=now, window_s=window_s, status=self._status, devices=tuple(self._devices.values()),
                fast=dict(self._fast), slow=dict(self._slow), lost=dict(self._lost),
                history={uuid: w.resample(max_points) for uuid, w in history.items()},
                processes=self._processes,
                process_history={k: w.resample(max_points) for k, w in processes.items() if len(w)},
                process_labels=dict(self._process_labels), host=self._host,
                host_history=host_history.resample(max_points), energy_j=dict(self._energy_j),
                diagnostics=self._diagnostics(now),
            )
        return view

    def _diagnostics(self, now: float) -> Diagnostics:
        running = 0.0 if self._started_at is None else now - self._started_at
        return Diagnostics(
            rates=self.rates,
            polls={tier: int(count) for tier, (count, _) in self._cost.items()},
            mean_poll_ms={tier: 1000.0 * total / count for tier, (count, total) in self._cost.items() if count},
            cpu_pct_of_core=100 * self._cpu_s / running if self._thread is not None and running > 0 else None,
            buffer_bytes=self.buffer_bytes(),
            running_s=running,
            retry_in_s=None if self._retry_at is None else max(0.0, self._retry_at - now),
            events=tuple(self._events),
        )

    def buffer_bytes(self) -> int:
        histories = [*self._history.values(), *self._process_history.values(), self._host_history]
        return sum(h.nbytes for h in histories)

    # --- the thread -----------------------------------------------------------------------------
    def backfill(self, seconds: float, now: float | None = None) -> Sampler:
        """Ticks through the last ``seconds`` at once, so a replay starts with history on the charts."""
        end = self._clock() if now is None else now
        t = end - seconds
        while t < end:
            t = max(t + 1e-6, self.tick(t))
        return self

    def start(self) -> Sampler:
        """Polls once here, so the first page render has data, then keeps polling on a daemon thread.
        Safe to call again: there is never a second thread."""
        with self._start_lock:
            if self._thread is None:
                self._safe_tick()
                self._thread = threading.Thread(target=self._run, name="gpu-monitor-sampler", daemon=True)
                self._thread.start()
        return self

    def _safe_tick(self) -> float:
        now = self._clock()
        try:
            return self.tick(now)
        except Exception as exc:  # a broken source must not end monitoring for every viewer
            with self._lock:
                self._note(now, "error", None, f"{type(exc).__name__}: {exc}")
            return now + self.rates.fast_s

    def _run(self) -> None:
        while not self._stop.is_set():
            before = time.thread_time()
            upcoming = self._safe_tick()
            self._cpu_s += time.thread_time() - before
            self._stop.wait(max(0.01, upcoming - self._clock()))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.source.close()
