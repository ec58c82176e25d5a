"""The current window as CSV (one row per device and moment) or JSON (series per device), with where it came from."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import asdict
from typing import Any

import numpy as np

from core.monitor.ringbuffer import Window
from core.monitor.sampler import GPU_FIELDS, HOST_FIELDS
from core.monitor.view import MonitorView


def _iso(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat(timespec="seconds")


def _cell(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 2)


def _columns(fields: tuple[str, ...], spread: bool) -> list[str]:
    if not spread:
        return list(fields)
    return [f"{f}{suffix}" for f in fields for suffix in ("", "_min", "_max")]


def _rows(window: Window, spread: bool) -> list[list[float | None]]:
    parts = (window.mean, window.low, window.high) if spread else (window.mean,)
    rows = []
    for i in range(len(window)):
        row: list[float | None] = []
        for j in range(len(window.fields)):
            row.extend(_cell(part[i, j]) if part is not None else None for part in parts)
        rows.append(row)
    return rows


def window_csv(view: MonitorView) -> str:
    """Long enough to open in a spreadsheet as is: time, device, then every field (min/max when downsampled)."""
    spread = any(w.low is not None for w in (*view.history.values(), view.host_history))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time_utc", "device", "uuid", "name", *_columns(GPU_FIELDS, spread), *_columns(HOST_FIELDS, spread)])
    blank_host = [None] * len(_columns(HOST_FIELDS, spread))
    blank_gpu = [None] * len(_columns(GPU_FIELDS, spread))
    for info in sorted(view.devices, key=lambda d: d.index):
        window = view.history.get(info.uuid)
        if window is None:
            continue
        for stamp, row in zip(window.t, _rows(window, spread), strict=True):
            writer.writerow([_iso(stamp), f"gpu{info.index}", info.uuid, info.name, *row, *blank_host])
    for stamp, row in zip(view.host_history.t, _rows(view.host_history, spread), strict=True):
        writer.writerow([_iso(stamp), "host", "", "", *blank_gpu, *row])
    return out.getvalue()


def _series(window: Window) -> dict[str, Any]:
    def listed(values: np.ndarray | None, j: int) -> list[float | None] | None:
        return None if values is None else [_cell(v) for v in values[:, j]]

    return {
        "time_utc": [_iso(s) for s in window.t],
        "step_s": window.step_s,
        "fields": {f: {"mean": listed(window.mean, j), "min": listed(window.low, j), "max": listed(window.high, j)}
                   for j, f in enumerate(window.fields)},
    }


def window_json(view: MonitorView) -> str:
    return json.dumps({
        "exported_at": _iso(view.now),
        "window_s": view.window_s,
        "origin": asdict(view.status.origin),
        "driver_version": view.status.driver_version,
        "devices": [asdict(d) for d in view.devices],
        "gpus": {uuid: _series(w) for uuid, w in view.history.items()},
        "host": _series(view.host_history),
        "processes": {view.process_labels.get(k, k): {"key": k, **_series(w)} for k, w in view.process_history.items()},
    }, ensure_ascii=False)
