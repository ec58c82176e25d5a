"""Server-side bounds on everything a browser can send toward Ollama.

Widgets already limit what a person can type, but a browser is not a trust boundary: every request is
checked again here before the gateway sends it (research note §5: allow-list the model, clamp the options,
only user/assistant roles, bounded sizes).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace

from core.chat.errors import ModelNotFound
from core.chat.types import ROLES, ChatOptions, ChatRequest, Turn
from core.errors import InputError

MAX_PROMPT_CHARS = 16_000
MAX_SYSTEM_CHARS = 4_000
MAX_TITLE_CHARS = 80
MAX_TURNS_SENT = 200
"""Older turns than this stay in the conversation but are not sent again."""
TEMPERATURE = (0.0, 2.0)
TOP_P = (0.0, 1.0)
NUM_CTX = (256, 1_048_576)
NUM_PREDICT = (1, 32_768)
SEED = (0, 2**31 - 1)
KEEP_ALIVE = ("5m", "30m", "1h", "-1", "0")
"""Ollama durations; "-1" keeps the model loaded, "0" unloads it right after the answer."""
_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/:]{0,199}")


def check_prompt(text: str) -> str:
    prompt = text.strip()
    if not prompt:
        raise InputError("chat.err.prompt_empty")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InputError("chat.err.prompt_long", chars=f"{len(prompt):,}", limit=f"{MAX_PROMPT_CHARS:,}")
    return prompt


def check_system(text: str) -> str:
    system = text.strip()
    if len(system) > MAX_SYSTEM_CHARS:
        raise InputError("chat.err.system_long", chars=f"{len(system):,}", limit=f"{MAX_SYSTEM_CHARS:,}")
    return system


def check_model_name(name: str) -> str:
    """A name that may be passed to /api/pull: Ollama's `namespace/model:tag` characters, nothing else."""
    cleaned = name.strip()
    if not _MODEL_NAME.fullmatch(cleaned) or ".." in cleaned:
        raise InputError("chat.err.model_name", value=cleaned[:80])
    return cleaned


def _in_range(name: str, value: float | None, bounds: tuple[float, float]) -> None:
    low, high = bounds
    if value is not None and not low <= value <= high:
        raise InputError("err.range", name=name, value=value, low=f"{low:g}", high=f"{high:,g}")


def bound_options(options: ChatOptions, context_max: int | None) -> ChatOptions:
    """Reject values outside the ranges; lower num_ctx to what the model was trained for."""
    for name, bounds in (("temperature", TEMPERATURE), ("top_p", TOP_P), ("num_ctx", NUM_CTX),
                         ("num_predict", NUM_PREDICT), ("seed", SEED)):
        _in_range(name, getattr(options, name), bounds)
    if options.keep_alive not in KEEP_ALIVE:
        raise InputError("err.choice", name="keep_alive", value=options.keep_alive, allowed=", ".join(KEEP_ALIVE))
    if options.num_ctx is not None and context_max and options.num_ctx > context_max:
        return replace(options, num_ctx=context_max)
    return options


def build_request(model: str, installed: Collection[str], system_prompt: str, turns: Sequence[Turn],
                  options: ChatOptions, context_max: int | None = None) -> ChatRequest:
    """The conversation as /api/chat wants it: system first, then the turns; thinking is never sent back."""
    if model not in installed:
        raise ModelNotFound(model=model, detail="not in /api/tags")
    system = check_system(system_prompt)
    sent = [turn for turn in turns if turn.role in ROLES and turn.content][-MAX_TURNS_SENT:]
    if not sent or sent[-1].role != "user":
        raise InputError("chat.err.nothing_to_answer")
    messages = ([{"role": "system", "content": system}] if system else []) + [
        {"role": turn.role, "content": turn.content} for turn in sent
    ]
    return ChatRequest(model=model, messages=tuple(messages), options=bound_options(options, context_max))
