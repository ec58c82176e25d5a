"""Bounded history: rings never grow, buckets keep min/mean/max, windows pick the right resolution."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.monitor.ringbuffer import History, Resolution, Ring, Window


def test_a_full_ring_overwrites_its_oldest_rows_and_keeps_its_size() -> None:
    ring = Ring(width=1, capacity=4)
    size = ring.nbytes
    for t in range(10):
        ring.append(float(t), np.array([t * 10], dtype=np.float32))
    times, rows = ring.since(-math.inf)
    assert list(times) == [6, 7, 8, 9] and list(rows[:, 0]) == [60, 70, 80, 90]
    assert len(ring) == 4 and ring.nbytes == size


def test_since_returns_copies_from_the_given_time_on() -> None:
    ring = Ring(width=1, capacity=8)
    for t in range(6):
        ring.append(float(t), np.array([t], dtype=np.float32))
    times, rows = ring.since(3.5)
    assert list(times) == [4, 5]
    rows[:] = -1
    assert ring.since(3.5)[1][0, 0] == 4


def history(fine: int = 60, coarse: int = 100) -> History:
    return History(("util", "temp"), Resolution(1.0, fine), Resolution(10.0, coarse))


def test_windows_within_the_fine_horizon_are_at_full_resolution() -> None:
    h = history()
    for t in range(100):
        h.append(float(t), {"util": t, "temp": None})
    window = h.window(30, now=99.0)
    assert len(window) == 31 and window.low is None and window.step_s == 1.0
    assert window.last("util") == 99 and window.last("temp") is None


def test_longer_windows_come_from_buckets_with_min_mean_and_max() -> None:
    h = history()
    for t in range(35):  # buckets [0,10) [10,20) [20,30) finished, [30,40) still filling
        h.append(float(t), {"util": t % 10, "temp": 50 + (t == 15) * 30})
    window = h.window(600, now=34.0)
    assert window.step_s == 10.0
    assert list(window.t) == [10.0, 20.0, 30.0, 34.0]  # each finished bucket at its end; the open one at its last row
    assert list(window.column("util", "low")) == [0, 0, 0, 0]
    assert list(window.column("util")) == [4.5, 4.5, 4.5, 2.0]
    assert list(window.column("util", "high")) == [9, 9, 9, 4]
    assert window.column("temp", "high")[1] == 80  # a one-second spike survives in the bucket's max


def test_buckets_ignore_missing_readings_and_an_all_missing_bucket_is_missing() -> None:
    h = history()
    for t in range(25):
        h.append(float(t), {"util": None if t < 10 or t in (12, 14) else 10.0, "temp": None})
    window = h.window(600, now=25.0)
    assert math.isnan(window.column("util")[0])
    assert window.column("util")[1] == 10.0


def test_memory_is_fixed_at_construction() -> None:
    h = history(fine=60, coarse=100)
    size = h.nbytes
    for t in range(5000):
        h.append(float(t), {"util": 1.0, "temp": 2.0})
    assert h.nbytes == size
    assert len(h.window(10_000, now=5000.0)) == 101  # capacity plus the bucket being filled


def test_resample_caps_the_points_and_keeps_the_extremes() -> None:
    t = np.arange(1000, dtype=float)
    values = np.zeros((1000, 1), dtype=np.float32)
    values[333, 0] = 99.0
    window = Window(("util",), t, values, None, None, 1.0).resample(100)
    assert len(window) == 100 and window.step_s == 10.0
    assert window.column("util", "high").max() == 99.0
    assert window.column("util").max() == pytest.approx(9.9)
    assert np.all(np.diff(window.t) > 0)


def test_resample_leaves_short_windows_alone() -> None:
    window = Window(("util",), np.arange(5.0), np.ones((5, 1), dtype=np.float32), None, None, 1.0)
    assert window.resample(600) is window
