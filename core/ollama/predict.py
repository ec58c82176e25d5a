"""The speed estimator's prediction for a model on this machine's GPU, behind one seam.

The chat only needs one number per model: decode tokens/s as predicted for the GPU the server has. When no
estimator is importable, no GPU is detected, or the model's architecture is unknown, the answer is None and
the page says "n/a" rather than guessing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from core.ollama.types import ModelInfo

Predictor = Callable[[ModelInfo], "float | None"]


def _estimator() -> Predictor | None:
    try:
        module = importlib.import_module("core.speed")
    except ImportError:
        return None
    predict = getattr(module, "predict_for_ollama_model", None)
    return predict if callable(predict) else None


def predicted_tokens_per_s(info: ModelInfo, estimator: Predictor | None = None) -> float | None:
    predict = estimator or _estimator()
    if predict is None or info.arch is None:
        return None
    try:
        value = predict(info)
    except (ValueError, KeyError, LookupError):
        return None
    return float(value) if value is not None and value > 0 else None
