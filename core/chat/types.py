"""What the chat works with, as frozen records with units in their names (Ollama reports nanoseconds)."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from core.plan.models import ModelArch
from core.units import NS_PER_S

ROLES = ("user", "assistant")


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The fields this version knows: a row written by a newer version may carry more."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _per_s(count: int | None, duration_ns: int | None) -> float | None:
    if not count or not duration_ns:
        return None
    return count * NS_PER_S / duration_ns


@dataclass(frozen=True)
class LocalModel:
    """An installed model, from /api/tags."""

    name: str
    size_bytes: int
    parameter_size: str = ""
    quantization: str = ""
    family: str = ""
    digest: str = ""


@dataclass(frozen=True)
class RunningModel:
    """A loaded model, from /api/ps."""

    name: str
    size_bytes: int
    size_vram_bytes: int
    context_length: int | None = None
    expires_at: datetime | None = None

    @property
    def gpu_percent(self) -> int:
        """The share held in GPU memory, rounded as `ollama ps` rounds its PROCESSOR column."""
        if not self.size_bytes:
            return 0
        return 100 - round((self.size_bytes - self.size_vram_bytes) / self.size_bytes * 100)


@dataclass(frozen=True)
class ModelInfo:
    """What /api/show says about a model, and the architecture the estimators need when it can be read."""

    name: str
    architecture: str = ""
    context_max: int | None = None
    parameter_count: int | None = None
    quantization: str = ""
    capabilities: tuple[str, ...] = ()
    arch: ModelArch | None = None

    @property
    def can_think(self) -> bool:
        return "thinking" in self.capabilities


@dataclass(frozen=True)
class ChatOptions:
    """The knobs a person may turn. None means "leave it to the model's Modelfile / the server"."""

    temperature: float | None = None
    top_p: float | None = None
    num_ctx: int | None = None
    num_predict: int | None = None
    seed: int | None = None
    keep_alive: str = "5m"
    think: bool = False

    def ollama_options(self) -> dict[str, float | int]:
        """The ``options`` object of /api/chat, without the fields left to the server."""
        names = ("temperature", "top_p", "num_ctx", "num_predict", "seed")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatOptions:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class ChatRequest:
    """A request that passed the server-side bounds; only the gateway sends these."""

    model: str
    messages: tuple[dict[str, str], ...]
    options: ChatOptions = field(default_factory=ChatOptions)


@dataclass(frozen=True)
class ChatStats:
    """The final chunk's metrics (nanoseconds, as Ollama sends them) plus what the gateway timed itself."""

    done_reason: str | None = None
    eval_count: int | None = None
    eval_duration_ns: int | None = None
    prompt_eval_count: int | None = None
    prompt_eval_duration_ns: int | None = None
    load_duration_ns: int | None = None
    total_duration_ns: int | None = None
    first_token_s: float | None = None
    """From sending the request to the first piece of text (thinking or answer), measured by the gateway."""
    wall_s: float | None = None
    chunks: int = 0
    predicted_tokens_per_s: float | None = None
    calibration_runs: int | None = None  # the prediction was corrected by this many local measurements
    calibration_spread_pct: float | None = None

    @property
    def tokens_per_s(self) -> float | None:
        return _per_s(self.eval_count, self.eval_duration_ns)

    @property
    def prompt_tokens_per_s(self) -> float | None:
        return _per_s(self.prompt_eval_count, self.prompt_eval_duration_ns)

    @property
    def load_s(self) -> float | None:
        return None if self.load_duration_ns is None else self.load_duration_ns / NS_PER_S

    @property
    def cut_by_length(self) -> bool:
        """The answer hit num_predict or the context window rather than ending on its own."""
        return self.done_reason == "length"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatStats:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class Turn:
    """One message of a conversation as stored; an assistant turn may be partial (stopped or failed)."""

    role: str
    content: str
    thinking: str = ""
    model: str = ""
    stats: ChatStats | None = None
    stopped: bool = False
    error: str = ""
    created_at: float = 0.0
    id: int | None = None


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    model: str = ""
    system_prompt: str = ""
    options: ChatOptions = field(default_factory=ChatOptions)
    created_at: float = 0.0
    updated_at: float = 0.0
    host: str = ""
    """The name of the Ollama host the last question went to (OLLAMA_HOSTS); '' with a single host."""


@dataclass(frozen=True)
class PullProgress:
    """One line of /api/pull; ``fraction`` covers all layers seen so far."""

    status: str
    completed_bytes: int
    total_bytes: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.completed_bytes / self.total_bytes) if self.total_bytes else 0.0
