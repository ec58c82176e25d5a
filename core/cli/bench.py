"""`python -m core bench`: measure this workstation through its Ollama, store the runs, print measured
against predicted."""

from __future__ import annotations

import argparse
import sys
import time

from core.chat import bench
from core.chat.answer import machine_of
from core.chat.config import OllamaConfig, configured_hosts, data_dir
from core.chat.errors import ChatError, StoreError
from core.chat.gateway import OllamaGateway
from core.chat.measurements import MeasurementStore
from core.chat.store import DB_NAME
from core.cli.args import Command, UsageError, positive_int
from core.errors import InputError
from core.monitor.view import MonitorView
from core.plan.catalog import catalog

BAR_WIDTH = 30


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", action="append", default=[], help="an installed model (repeat for several; "
                        "default: every installed model that fits)")
    parser.add_argument("--tokens", type=positive_int, default=128, help="answer tokens per run (default 128)")
    parser.add_argument("--reps", type=positive_int, default=3, help="runs per model and depth (default 3)")
    parser.add_argument("--host", help="one of OLLAMA_HOSTS by name (default: every configured host)")


def _progress(done: int, total: int, what: str) -> None:
    filled = BAR_WIDTH * done // max(total, 1)
    print(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {what:<40}", end="", file=sys.stderr,
          flush=True)
    if done == total:
        print(file=sys.stderr)


def _machine_view() -> MonitorView:
    """One reading of this machine's GPUs through the monitor's sampler."""
    from core.monitor.live import live_sampler

    sampler = live_sampler()
    sampler.tick(time.time())
    return sampler.view(60)


def _run(args: argparse.Namespace) -> str:
    try:
        hosts = [h for h in configured_hosts() if args.host in (None, h.name)]
    except InputError as exc:
        raise UsageError(str(exc)) from None
    if not hosts:
        raise UsageError(f"no Ollama host named {args.host!r} in OLLAMA_HOSTS")
    gpus, view, config = catalog(), _machine_view(), OllamaConfig.from_env()
    rows, lines = [], []
    try:
        for host in hosts:
            gateway = OllamaGateway(OllamaConfig(url=host.url, allow_pull=False, read_timeout_s=config.read_timeout_s))
            machine = machine_of(host.url, view, gpus, gateway.version())
            installed = gateway.list_models()
            infos = {m.name: gateway.show(m.name) for m in installed}
            fitting = {name: bench.model_fits(info, gpus, machine) for name, info in infos.items()}
            models = bench.choose(installed, args.model, fitting.get)
            results = bench.run(gateway, host.name, machine, gpus, models, infos, {m.name: m for m in installed},
                                args.tokens, args.reps, _progress)
            rows += [m for result in results for m in result.measurements]
            lines += [f"{host.name:<12} {r.model:<28} {r.depth:<6} {_fmt(r.measured):>9} {_fmt(r.predicted):>9} "
                      f"{_fmt(r.error_pct, '%+.0f%%'):>7}" for r in results]
    except (ChatError, InputError) as exc:
        raise UsageError(str(exc)) from None
    try:
        stored = MeasurementStore(data_dir() / DB_NAME).add(rows)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    header = f"{'host':<12} {'model':<28} {'depth':<6} {'measured':>9} {'predicted':>9} {'error':>7}"
    return "\n".join([header, *lines, f"{stored} runs stored (tokens/s; predicted = the published calibration)"])


def _fmt(value: float | None, pattern: str = "%.1f") -> str:
    return "n/a" if value is None else pattern % value


COMMANDS = (Command("bench", "measure installed models through Ollama and store the runs", _configure, _run),)
