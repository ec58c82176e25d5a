"""Bounded history: a fine ring (e.g. the last hour at 1 s) plus a coarse ring of min/mean/max buckets
(e.g. the last 24 h at 10 s). Both are allocated once, so memory is fixed by construction."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Values = Mapping[str, float | None]


class Ring:
    """Rows of float32 values under float64 timestamps; when full, the oldest row is overwritten."""

    def __init__(self, width: int, capacity: int) -> None:
        self.capacity = capacity
        self._t = np.full(capacity, np.nan)
        self._rows = np.full((capacity, width), np.nan, dtype=np.float32)
        self._next = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        return self._t.nbytes + self._rows.nbytes

    def append(self, t: float, row: np.ndarray) -> None:
        self._t[self._next] = t
        self._rows[self._next] = row
        self._next = (self._next + 1) % self.capacity
        self._size = min(self._size + 1, self.capacity)

    def since(self, t0: float) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the rows stamped at or after ``t0``, oldest first."""
        if self._size < self.capacity:
            times, rows = self._t[: self._size], self._rows[: self._size]
        else:
            times = np.concatenate((self._t[self._next:], self._t[: self._next]))
            rows = np.concatenate((self._rows[self._next:], self._rows[: self._next]))
        start = int(np.searchsorted(times, t0, side="left"))
        return times[start:].copy(), rows[start:].copy()


class Bucket:
    """Running min, sum and max of the rows that fall in one coarse step."""

    def __init__(self, width: int, step_s: float) -> None:
        self.step_s = step_s
        self.index: int | None = None
        self.last_t = math.nan
        self._min = np.full(width, np.nan, dtype=np.float32)
        self._max = np.full(width, np.nan, dtype=np.float32)
        self._sum = np.zeros(width)
        self._count = np.zeros(width)

    def add(self, t: float, row: np.ndarray) -> tuple[float, np.ndarray] | None:
        """Adds a row; when ``t`` starts a new bucket, returns the finished one: (its end, [min…, mean…, max…])."""
        index = math.floor(t / self.step_s)
        done = (self.end, self.summary()) if self.index is not None and index != self.index else None
        self.last_t = t
        if index != self.index:
            self.index = index
            self._min[:], self._max[:], self._sum[:], self._count[:] = np.nan, np.nan, 0, 0
        self._min = np.fmin(self._min, row)
        self._max = np.fmax(self._max, row)
        seen = ~np.isnan(row)
        self._sum[seen] += row[seen]
        self._count[seen] += 1
        return done

    def summary(self) -> np.ndarray:
        mean = np.divide(self._sum, self._count, out=np.full_like(self._sum, np.nan), where=self._count > 0)
        return np.concatenate((self._min, mean, self._max))

    @property
    def end(self) -> float:
        """A finished bucket is stamped at its end, where all of its readings are in the past."""
        return ((self.index or 0) + 1) * self.step_s


@dataclass(frozen=True)
class Resolution:
    step_s: float
    capacity: int

    @property
    def horizon_s(self) -> float:
        return self.step_s * self.capacity


@dataclass(frozen=True, eq=False)
class Window:
    """A stretch of history, oldest first. ``low``/``high`` carry each bucket's spread (None at full resolution)."""

    fields: tuple[str, ...]
    t: np.ndarray
    mean: np.ndarray  # shape (len(t), len(fields))
    low: np.ndarray | None
    high: np.ndarray | None
    step_s: float
    merged: int = 1  # samples folded into each row (1: every reading as taken)

    def __len__(self) -> int:
        return len(self.t)

    def column(self, field: str, part: str = "mean") -> np.ndarray:
        source = {"mean": self.mean, "low": self.low, "high": self.high}[part]
        if source is None:
            source = self.mean
        return source[:, self.fields.index(field)]

    def last(self, field: str) -> float | None:
        column = self.column(field)
        finite = column[~np.isnan(column)]
        return float(finite[-1]) if len(finite) else None

    def resample(self, max_points: int) -> Window:
        """At most ``max_points`` rows: consecutive rows merged, keeping their min and max as the spread."""
        n = len(self.t)
        if n <= max_points:
            return self
        k = math.ceil(n / max_points)
        cut = n - n % k  # the newest rows that do not fill a group stay as they are
        groups = cut // k
        low = self.mean if self.low is None else self.low
        high = self.mean if self.high is None else self.high
        width = len(self.fields)

        def fold(values: np.ndarray) -> np.ndarray:
            return values[:cut].reshape(groups, k, width)

        sums = np.nansum(fold(self.mean), axis=1)
        counts = np.sum(~np.isnan(fold(self.mean)), axis=1)
        means = np.divide(sums, counts, out=np.full_like(sums, np.nan), where=counts > 0)
        return Window(
            fields=self.fields,
            t=np.concatenate((self.t[k - 1:cut:k], self.t[cut:])),
            mean=np.concatenate((means, self.mean[cut:])),
            low=np.concatenate((np.fmin.reduce(fold(low), axis=1), low[cut:])),
            high=np.concatenate((np.fmax.reduce(fold(high), axis=1), high[cut:])),
            step_s=self.step_s * k,
            merged=self.merged * k,
        )


class History:
    """Named series at two resolutions. Windows within the fine horizon come from the fine ring;
    longer ones from the coarse buckets, plus the bucket still being filled."""

    def __init__(self, fields: Sequence[str], fine: Resolution, coarse: Resolution) -> None:
        self.fields = tuple(fields)
        self.fine_res, self.coarse_res = fine, coarse
        self._fine = Ring(len(self.fields), fine.capacity)
        self._coarse = Ring(3 * len(self.fields), coarse.capacity)
        self._bucket = Bucket(len(self.fields), coarse.step_s)

    @property
    def nbytes(self) -> int:
        return self._fine.nbytes + self._coarse.nbytes

    def append(self, t: float, values: Values) -> None:
        row = np.array([np.nan if values.get(f) is None else values[f] for f in self.fields], dtype=np.float32)
        self._fine.append(t, row)
        done = self._bucket.add(t, row)
        if done is not None:
            self._coarse.append(*done)

    def window(self, seconds: float, now: float) -> Window:
        t0 = now - seconds
        if seconds <= self.fine_res.horizon_s:
            times, rows = self._fine.since(t0)
            return Window(self.fields, times, rows, None, None, self.fine_res.step_s)
        times, rows = self._coarse.since(t0)
        if self._bucket.index is not None:
            times = np.append(times, self._bucket.last_t)
            rows = np.vstack((rows, self._bucket.summary().astype(np.float32)))
        low, mean, high = np.split(rows, 3, axis=1)
        return Window(self.fields, times, mean, low, high, self.coarse_res.step_s,
                      max(1, round(self.coarse_res.step_s / self.fine_res.step_s)))
