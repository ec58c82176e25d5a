"""A standard benchmark through the workstation's Ollama: the same prompt, the same number of answer tokens, at a
short and a long context depth, a few times each. Every run is a measurement like a chat answer's; none is
stored until all have run, so a failure leaves nothing half-written. Models are never pulled.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from core.chat.answer import Expected, expected, measurement_of
from core.chat.measurements import Machine, Measurement
from core.chat.stream import ChatStream
from core.chat.types import ChatOptions, ChatRequest, LocalModel, ModelInfo
from core.errors import InputError
from core.plan.catalog import GpuSpec
from core.plan.estimate import Scenario, estimate

SHORT_PROMPT = "Explain in plain words how a graphics card's memory bandwidth limits the speed of a language model."
FILLER = ("Workstations in a small team share models, prompts and measurements; each paragraph of this note repeats "
          "that plain fact so that the prompt grows to a known length without saying anything new. ")
DEPTHS = {"short": (SHORT_PROMPT, 2048), "long": (FILLER * 60 + SHORT_PROMPT, 8192)}
"""Depth name → (prompt, num_ctx): about 40 and about 2,400 prompt tokens."""


class Gateway(Protocol):
    def list_models(self) -> tuple[LocalModel, ...]: ...

    def show(self, name: str) -> ModelInfo: ...

    def chat(self, request: ChatRequest) -> ChatStream: ...


@dataclass(frozen=True)
class BenchRow:
    model: str
    depth: str
    measurements: tuple[Measurement, ...]

    @property
    def measured(self) -> float | None:
        values = [m.decode_tokens_per_s for m in self.measurements if m.decode_tokens_per_s]
        return statistics.median(values) if values else None

    @property
    def predicted(self) -> float | None:
        return self.measurements[0].predicted_tokens_per_s if self.measurements else None

    @property
    def error_pct(self) -> float | None:
        if not self.measured or not self.predicted:
            return None
        return (self.predicted - self.measured) / self.measured * 100


def choose(installed: Sequence[LocalModel], wanted: Sequence[str], fits: Callable[[str], bool | None]) -> list[str]:
    """The models to run: those asked for (each must be installed and fit), else every installed one that fits."""
    names = [m.name for m in installed]
    if wanted:
        for name in wanted:
            tagged = name if ":" in name else f"{name}:latest"
            if tagged not in names:
                raise InputError("bench.err.not_installed", model=name, installed=", ".join(names) or "—")
            if fits(tagged) is False:
                raise InputError("bench.err.no_fit", model=name)
        return [name if ":" in name else f"{name}:latest" for name in wanted]
    return [name for name in names if fits(name) is not False]


def model_fits(info: ModelInfo | None, gpus: Sequence[GpuSpec], machine: Machine) -> bool | None:
    """Whether Ollama would hold the model wholly on this machine's GPUs at the long depth; None when unknown."""
    gpu = next((g for g in gpus if g.id == machine.gpu_id), None)
    if info is None or info.arch is None or gpu is None:
        return None
    scenario = Scenario(model=info.arch, quant=info.quantization or "Q4_K_M", context=DEPTHS["long"][1],
                        engine="ollama", gpu=gpu, gpus=machine.gpu_count)
    try:
        return bool(estimate(scenario).fits)
    except InputError:
        return None


def run(gateway: Gateway, host: str, machine: Machine, gpus: Sequence[GpuSpec], models: Sequence[str],
        infos: dict[str, ModelInfo], local: dict[str, LocalModel], tokens: int, reps: int,
        progress: Callable[[int, int, str], None]) -> list[BenchRow]:
    """Every model at every depth, ``reps`` times; the first run that fails raises its ChatError."""
    total, done, rows = len(models) * len(DEPTHS) * reps, 0, []
    for model in models:
        for depth, (prompt, num_ctx) in DEPTHS.items():
            options = ChatOptions(num_ctx=num_ctx, num_predict=tokens, temperature=0.0, seed=1)
            speed: Expected = expected(infos.get(model), machine, gpus, num_ctx, {})
            found = []
            for _ in range(reps):
                progress(done, total, f"{model} · {depth}")
                stream = gateway.chat(ChatRequest(model, ({"role": "user", "content": prompt},), options)).start()
                for _piece in stream.text():
                    pass
                stream.close()
                if stream.error is not None:
                    raise stream.error
                found.append(measurement_of(stream, speed, machine, host, local.get(model), infos.get(model), "bench"))
                done += 1
            rows.append(BenchRow(model, depth, tuple(found)))
    progress(done, total, "")
    return rows

