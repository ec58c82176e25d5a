"""The chat page's rules that are not drawing: which model to show, and settings a model can take."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from core.chat import limits
from core.chat.types import ChatOptions, ModelInfo


def pick_model(current: str | None, installed: Sequence[str], loaded: Collection[str]) -> str | None:
    """Keep the current model while it is installed; else one already loaded (answers start at once); else the first."""
    if current in installed:
        return current
    return next((name for name in installed if name in loaded), installed[0] if installed else None)


def context_limit(info: ModelInfo | None) -> int:
    """The longest num_ctx the model accepts, from /api/show; the form's own bound where the model does not say."""
    return (info.context_max if info else None) or limits.NUM_CTX[1]


def settled_settings(values: Mapping[str, object], info: ModelInfo | None) -> dict[str, object]:
    """Settings values a restored or switched model can take: num_ctx within its limit, a known keep-alive."""
    settled = dict(values)
    maximum = context_limit(info)
    num_ctx = settled.get("num_ctx")
    if isinstance(num_ctx, int | float) and num_ctx > maximum:
        settled["num_ctx"] = maximum
    if settled.get("keep_alive") not in limits.KEEP_ALIVE:
        settled["keep_alive"] = ChatOptions().keep_alive
    return settled


def effective_options(options: ChatOptions, info: ModelInfo | None) -> ChatOptions:
    """Thinking only for models that can think: others refuse the request."""
    return replace(options, think=options.think and bool(info and info.can_think))
