"""`python -m core record` and `python -m core export`: the monitor's two commands.

NVML, numpy and the HTTP server are imported inside the commands: every `python -m core` call builds
these parsers, and only these two commands need them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
from pathlib import Path

from core.cli.args import Command, UsageError, port, positive_float
from core.i18n import t
from core.monitor.types import GpuInfo, Origin, SourceStatus


def _configure_record(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=positive_float, default=60.0, help="how long to record (default 60)")
    parser.add_argument("--out", type=Path, required=True, help="trace file to write (.jsonl.gz)")


def _run_record(args: argparse.Namespace) -> str:
    from core.monitor.live import LiveSource
    from core.monitor.trace import SourceUnavailable, record

    def origin(status: SourceStatus, devices: tuple[GpuInfo, ...]) -> Origin:
        gpus = ", ".join(sorted({d.name for d in devices}))
        return Origin(
            kind="trace", label=f"Recorded on {platform.node()}: {gpus}", synthetic=False,
            recorded_at=dt.datetime.now().astimezone().replace(microsecond=0).isoformat(),
            recorded_on=f"{platform.node()} · {gpus} · driver {status.driver_version} · CUDA {status.cuda_version}",
            how=f"python -m core record --seconds {args.seconds:g} --out {args.out}",
        )

    try:
        ticks = record(LiveSource(), args.seconds, args.out, origin)
    except SourceUnavailable as exc:
        reason = t(f"mon.state.{exc.status.state}.title", "en")
        raise UsageError(f"NVML is unavailable: {reason} ({exc.status.detail})") from None
    return f"recorded {ticks} ticks (one a second) to {args.out}"


def _configure_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=port, default=5050, help="port to serve /metrics on (default 5050)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 for a Prometheus on another machine)")
    parser.add_argument("--hostname", default=platform.node(), help="the hostname label (default: this machine's name)")


def _run_export(args: argparse.Namespace) -> str:
    from core.monitor.exporter import serve
    from core.monitor.live import live_sampler

    sampler = live_sampler().start()
    try:
        status = sampler.status()
        where = (f"serving /metrics on http://{args.host}:{args.port} as hostname={args.hostname} "
                 f"(GPUs: {status.state}{': ' + status.detail if status.detail else ''})")
        serve(sampler, args.host, args.port, args.hostname, announce=lambda: print(where, flush=True))
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    finally:
        sampler.stop()
    return "stopped"


COMMANDS = (
    Command("record", "record a GPU and host trace from NVML, for demo replay", _configure_record, _run_record),
    Command("export", "serve this machine's GPU and host readings to Prometheus (nvitop-exporter names)",
            _configure_export, _run_export),
)
