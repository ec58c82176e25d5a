"""Predictions corrected by what this team's own machines measured.

Every finished chat answer and every `python -m core bench` run is a measurement of one GPU class (the
catalog's GPU, how many, the engine and backend) against what the published calibration predicted for
that exact case. The correction for a class is the geometric mean of measured ÷ predicted, shrunk toward
1 (the published calibration) as if PRIOR_RUNS runs had agreed with it: one lucky answer moves it a little,
thirty consistent ones move it nearly all the way.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PRIOR_RUNS = 5.0


@dataclass(frozen=True)
class LocalRun:
    gpu_id: str
    gpu_count: int
    engine: str
    backend: str
    predicted_tokens_per_s: float
    measured_tokens_per_s: float

    @property
    def key(self) -> tuple[str, int, str, str]:
        return self.gpu_id, self.gpu_count, self.engine, self.backend


@dataclass(frozen=True)
class LocalCorrection:
    key: tuple[str, int, str, str]  # catalog GPU id, count, engine, backend
    runs: int
    factor: float  # multiply the published prediction by this
    spread_pct: float  # how far single runs stray from the corrected figure (one standard deviation)

    def apply(self, tokens_per_s: float) -> float:
        return tokens_per_s * self.factor


def fit_corrections(runs: Iterable[LocalRun]) -> dict[tuple[str, int, str, str], LocalCorrection]:
    """One correction per class that has runs; none for a class without."""
    by_key: dict[tuple[str, int, str, str], list[float]] = {}
    for run in runs:
        if run.predicted_tokens_per_s > 0 and run.measured_tokens_per_s > 0:
            by_key.setdefault(run.key, []).append(math.log(run.measured_tokens_per_s / run.predicted_tokens_per_s))
    out = {}
    for key, logs in by_key.items():
        shrunk = sum(logs) / (len(logs) + PRIOR_RUNS)
        spread = statistics.pstdev(logs) if len(logs) > 1 else 0.0
        out[key] = LocalCorrection(key, len(logs), round(math.exp(shrunk), 4), round((math.exp(spread) - 1) * 100, 1))
    return out


def correction_for(corrections: Mapping[tuple[str, int, str, str], LocalCorrection], gpu_id: str, gpu_count: int,
                   engine: str, backend: str) -> LocalCorrection | None:
    return corrections.get((gpu_id, gpu_count, engine, backend))
