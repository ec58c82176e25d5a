"""``python -m core record``: record a trace from the live GPUs and host, for demo replay elsewhere."""

from __future__ import annotations

import argparse
import datetime as dt
import platform
from collections.abc import Callable
from pathlib import Path

from core.cli import Command, UsageError, _positive_float
from core.i18n import t
from core.monitor.source import Source
from core.monitor.types import GpuInfo, Origin, SourceStatus


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=_positive_float, default=60.0, help="how long to record (default 60)")
    parser.add_argument("--out", type=Path, required=True, help="trace file to write (.jsonl.gz)")


def _origin(args: argparse.Namespace) -> Callable[[SourceStatus, tuple[GpuInfo, ...]], Origin]:
    def build(status: SourceStatus, devices: tuple[GpuInfo, ...]) -> Origin:
        gpus = ", ".join(sorted({d.name for d in devices}))
        return Origin(
            kind="trace", label=f"Recorded on {platform.node()}: {gpus}", synthetic=False,
            recorded_at=dt.datetime.now().astimezone().replace(microsecond=0).isoformat(),
            recorded_on=f"{platform.node()} · {gpus} · driver {status.driver_version} · CUDA {status.cuda_version}",
            how=f"python -m core record --seconds {args.seconds:g} --out {args.out}",
        )
    return build


def _run(args: argparse.Namespace, source: Source | None = None) -> str:
    # Imported here: every `python -m core` command builds this parser, and only this one needs numpy and NVML.
    from core.monitor.live import LiveSource
    from core.monitor.trace import SourceUnavailable, record

    try:
        ticks = record(source or LiveSource(), args.seconds, args.out, _origin(args))
    except SourceUnavailable as exc:
        reason = t(f"mon.state.{exc.status.state}.title", "en")
        raise UsageError(f"NVML is unavailable: {reason} ({exc.status.detail})") from None
    return f"recorded {ticks} ticks (one a second) to {args.out}"


COMMAND = Command("record", "record a GPU and host trace from NVML, for demo replay", _configure, _run)
