"""One-line descriptions of models and answers, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from core.chat.types import ChatStats, LocalModel, RunningModel
from core.i18n import fmt_gib, fmt_number, t
from core.units import GIB


def model_label(model: LocalModel, lang: str) -> str:
    """Stable for a given model: Streamlit matches a selectbox's choice by its label, so state stays out."""
    parts = [model.name, model.parameter_size, model.quantization, fmt_gib(model.size_bytes / GIB, lang)]
    return " · ".join(p for p in parts if p)


def running_label(model: RunningModel, lang: str) -> str:
    split = (t("chat.split.gpu", lang) if model.gpu_percent == 100 else t("chat.split.cpu", lang)
             if model.gpu_percent == 0 else t("chat.split.mixed", lang, cpu=100 - model.gpu_percent,
                                                gpu=model.gpu_percent))
    parts = [f"**{model.name}**", t("chat.vram", lang, value=fmt_gib(model.size_vram_bytes / GIB, lang)), split]
    if model.context_length:
        parts.append(t("chat.ctx", lang, value=f"{model.context_length:,}"))
    if model.expires_at is not None:
        parts.append(t("chat.until", lang, time=model.expires_at.astimezone().strftime("%H:%M")))
    return " · ".join(parts)


def stats_line(stats: ChatStats, lang: str) -> str:
    """Measured speed next to the prediction, then prompt speed, first token, load time and token counts."""
    parts = []
    if stats.tokens_per_s is not None:
        parts.append(t("chat.stat.speed", lang, value=fmt_number(stats.tokens_per_s, lang, 1)))
    elif stats.chunks and stats.wall_s:
        parts.append(t("chat.stat.partial", lang, chunks=stats.chunks, seconds=f"{stats.wall_s:.1f}"))
    predicted = stats.predicted_tokens_per_s
    parts.append(t("chat.stat.predicted", lang, value=fmt_number(predicted, lang, 1)) if predicted is not None
                 else t("chat.stat.predicted_na", lang))
    if predicted is not None and stats.calibration_runs:
        parts.append(t("chat.stat.calibrated", lang, runs=stats.calibration_runs,
                       spread=fmt_number(stats.calibration_spread_pct, lang, 0)))
    if stats.prompt_tokens_per_s is not None:
        parts.append(t("chat.stat.prompt_speed", lang, value=fmt_number(stats.prompt_tokens_per_s, lang, 0)))
    if stats.first_token_s is not None:
        parts.append(t("chat.stat.first_token", lang, value=f"{stats.first_token_s:.2f}"))
    if stats.load_s is not None:
        parts.append(t("chat.stat.load", lang, value=f"{stats.load_s:.2f}"))
    if stats.eval_count is not None:
        parts.append(t("chat.stat.tokens", lang, prompt=fmt_number(stats.prompt_eval_count, lang),
                       answer=fmt_number(stats.eval_count, lang)))
    return " · ".join(parts)


def without_images(text: str) -> str:
    """Markdown images (``![alt](url)``, ``![alt][ref]``) as plain links: a model's answer or a typed title must
    not make every viewer's browser fetch a remote URL. The text and the address stay readable."""
    return text.replace("![", "[")


def stream_without_images(pieces: Iterable[str]) -> Iterator[str]:
    """``without_images`` over a stream whose pieces may split ``!`` from ``[``: a trailing ``!`` waits for the
    next piece before it is let through."""
    held = ""
    for piece in pieces:
        text = without_images(held + piece)
        held = "!" if text.endswith("!") else ""
        if held:
            text = text[:-1]
        if text:
            yield text
    if held:
        yield held
