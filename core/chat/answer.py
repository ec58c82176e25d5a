"""What a finished answer leaves behind: the turn with its stats line, and a measurement of the machine.

The prediction shown is corrected by the team's own measurements where there are some; the measurement
keeps the published prediction, so the correction is always fitted against the same thing.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from core.access import is_loopback
from core.chat.measurements import Machine, Measurement, measured
from core.chat.predict import detected_gpu, predicted_speed
from core.chat.stream import ChatStream
from core.chat.types import LocalModel, ModelInfo, Turn
from core.monitor.view import MonitorView
from core.plan.catalog import GpuSpec
from core.plan.local import LocalCorrection, correction_for
from core.plan.speed import SpeedEstimate


@dataclass(frozen=True)
class Expected:
    """The published prediction for this answer and, when this machine has measured its class, the correction."""

    published: SpeedEstimate | None
    correction: LocalCorrection | None = None

    @property
    def tokens_per_s(self) -> float | None:
        if self.published is None:
            return None
        value = self.published.decode_tokens_per_s
        return self.correction.apply(value) if self.correction else value


def machine_of(ollama_url: str, view: MonitorView, gpus: Sequence[GpuSpec], ollama_version: str) -> Machine:
    """This server and its GPUs when Ollama runs here (a loopback URL); another host's GPUs are not known."""
    host = urlsplit(ollama_url).hostname or ""
    if not is_loopback(host) or not view.devices:
        return Machine(host or platform.node(), "", 0, "", "", ollama_version)
    detected = detected_gpu(view.devices, gpus)
    return Machine(platform.node(), ", ".join(sorted({d.name for d in view.devices})), len(view.devices),
                   view.status.driver_version or "", detected[0].id if detected else "", ollama_version)


def expected(info: ModelInfo | None, machine: Machine, gpus: Sequence[GpuSpec], num_ctx: int | None,
             corrections: Mapping[tuple[str, int, str, str], LocalCorrection]) -> Expected:
    gpu = next((g for g in gpus if g.id == machine.gpu_id), None)
    if info is None or gpu is None:
        return Expected(None)
    published = predicted_speed(info, (gpu, machine.gpu_count), num_ctx)
    if published is None:
        return Expected(None)
    return Expected(published, correction_for(corrections, gpu.id, machine.gpu_count, "ollama", published.backend))


def finished_turn(stream: ChatStream, lang: str, speed: Expected) -> Turn:
    turn = stream.turn(lang, speed.tokens_per_s)
    if speed.correction is None or turn.stats is None:
        return turn
    return replace(turn, stats=replace(turn.stats, calibration_runs=speed.correction.runs,
                                       calibration_spread_pct=speed.correction.spread_pct))


def measurement_of(stream: ChatStream, speed: Expected, machine: Machine, host: str, local: LocalModel | None,
                   info: ModelInfo | None, source: str = "chat") -> Measurement:
    """The row a finished stream leaves, from a chat answer or a benchmark run alike."""
    return measured(stream.stats(), model=stream.request.model, machine=machine, host=host, local=local, info=info,
                    num_ctx=stream.request.options.num_ctx, stopped=not stream.finished and stream.error is None,
                    failed=stream.error is not None, prediction=speed.published, source=source)
