"""How far apart independent sources measure the very same setup: the error a perfect model of the inputs would
still make on a source it never saw, to read the leave-one-source-out figures against.

Where two or more sources ran one setup (GPU and count, model, format, engine, backend, flash attention, depth
within one 1,024-token band), each source's runs are predicted by the geometric mean of the other sources' medians
for it. With one other source to go by (most setups), that prediction carries the other source's own deviation as
well, so a source's distance from the centre of every lab is about 1/√2 of it."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bench.speed_fit import Residual, p90
from bench.speed_runs import Measurement
from core.plan import speed

Setup = tuple[str, int, str, str, str, str, bool | None, int]


def setup_of(m: Measurement) -> Setup:
    s = m.scenario
    assert s.gpu is not None
    backend = speed.backend_for(s.gpu, s.engine, m.backend)
    return (s.gpu.id, s.gpus, s.model.id, s.quant, s.engine, backend, m.flash_attention, m.depth_tokens // 1024)


@dataclass(frozen=True)
class Spread:
    setups: int
    runs: int
    other_sources_pct: list[float]  # each run against the other sources' runs of its setup
    model_pct: list[float]  # the same runs, predicted by the fit that never saw their source


def spread(residuals: Sequence[Residual]) -> Spread:
    by_setup: dict[Setup, dict[str, list[Residual]]] = defaultdict(lambda: defaultdict(list))
    for r in residuals:
        if r.m.decode:
            by_setup[setup_of(r.m)][r.m.source].append(r)
    shared = {k: v for k, v in by_setup.items() if len(v) > 1}
    others, model = [], []
    for per_source in shared.values():
        medians = {source: statistics.median(r.m.decode for r in runs) for source, runs in per_source.items()}
        for source, runs in per_source.items():
            logs = [math.log(v) for s, v in medians.items() if s != source]
            centre = math.exp(sum(logs) / len(logs))
            for r in runs:
                measured = r.m.decode or 0.0
                others.append(abs(centre - measured) / measured * 100)
                model.append(r.error_pct)
    return Spread(len(shared), len(others), others, model)


def describe(s: Spread) -> str:
    if not s.runs:
        return "no setup was measured by two sources"
    def both(values: list[float]) -> str:
        return f"median {statistics.median(values):.1f}%, p90 {p90(values):.1f}%"
    setups = f"{s.setups} setup" + ("s" if s.setups != 1 else "")
    return (f"{setups} measured by two sources or more ({s.runs} runs): the other sources' runs of the same "
            f"setup miss them by {both(s.other_sources_pct)}; the fit, leaving their source out, by {both(s.model_pct)}")
