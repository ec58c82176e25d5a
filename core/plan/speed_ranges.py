"""Which held-out residuals a speed prediction's 80% range comes from (bench.speed_fit builds the ranges,
core.plan.speed quotes them; docs/speed_calibration.md)."""

from __future__ import annotations

from core.plan import speed_fitted as fitted
from core.plan.models import ModelArch

SMALL_MODEL_PARAMS_B = 3.5
"""Dense models up to this size are their own kind: their time is mostly fixed cost per token, which varies from
host to host and build to build more than bandwidth does. Held out, one range with the larger dense models held
58.8% of their runs."""


KINDS = ("moe", "small", "dense")
"""The kinds of model whose held-out runs spread differently, each with ranges of its own (range_kind)."""


def range_kind(model: ModelArch) -> str:
    """MoE, small dense or dense: the kinds whose held-out runs spread differently."""
    if model.is_moe:
        return "moe"
    return "small" if model.params_b <= SMALL_MODEL_PARAMS_B else "dense"


def interval_keys(cls: str, engine: str, kind: str) -> tuple[str, str, str, str]:
    """A prediction's range groups, most specific first: class, engine and kind, class and kind, kind, all."""
    return f"{cls}/{engine}/{kind}", f"{cls}/{kind}", f"*/{kind}", "*"


def interval_for(cls: str, engine: str, model: ModelArch) -> tuple[float, float]:
    """The held-out residuals' range of the most specific group the bench had enough runs for ("*" always)."""
    keys = interval_keys(cls, engine, range_kind(model))
    return next(fitted.INTERVALS[key] for key in keys if key in fitted.INTERVALS)
