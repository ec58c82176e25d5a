"""What a user asks the planner: the scenario, the engines and modes it may name, and the checks that refuse
what no engine would run (each error names the bad value and what is allowed)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from core.errors import InputError
from core.plan import training
from core.plan.catalog import GpuSpec
from core.plan.models import ModelArch
from core.plan.placement import LLAMA_CPP_UBATCH
from core.plan.quant import QUANTS, Quant, find_quant

ENGINES = ("ollama", "llama.cpp", "vllm", "transformers")
MODES = ("inference", "lora", "qlora", "full")
MULTI_GPU = {"ollama": "layer split", "llama.cpp": "layer split", "vllm": "tensor parallel",
             "transformers": "pipeline (device_map=auto)"}
"""How each engine spreads a model over several GPUs; what each GPU then holds is in the estimators."""
KV_TYPES = {"ollama": ("f16", "q8_0", "q4_0"), "llama.cpp": ("f16", "q8_0", "q4_0"), "vllm": ("f16", "fp8"),
            "transformers": ("f16",)}
MAX_GPUS = 64


@dataclass(frozen=True)
class Scenario:
    """Everything an estimate depends on. ``parallel × batch`` sequences share the KV cache."""

    model: ModelArch
    quant: str = "Q4_K_M"
    context: int = 4096
    batch: int = 1
    parallel: int = 1
    kv_cache: str = "f16"
    engine: str = "ollama"
    gpu: GpuSpec | None = None
    gpus: int = 1
    mode: str = "inference"
    optimizer: str = "adamw"
    precision: str = "mixed"
    grad_checkpointing: bool = False
    lora_rank: int = 16
    gpu_memory_utilization: float = 0.9
    ubatch: int | None = None
    """The -ub micro-batch, which sizes the compute graph and each sliding-window cache; None is the engine's
    own choice: 512 for llama.cpp, Ollama's automatic batch (core.plan.placement)."""
    flash_attention: bool = True  # llama-server's --flash-attn auto, which Ollama 0.33 passes on
    kv_unified: bool = False
    """llama-server's shared cache (--kv-unified, and what it does when -np is left to auto, with 4 slots): every
    slot draws on one pool of -c cells, and the sliding-window layers keep window × slots + n_ubatch cells in that
    one pool instead of a window per slot. Ollama passes -np itself and never shares."""
    auto_fit: bool = True
    """The engine places layers itself and keeps llama.cpp's --fit target free (llama-server, Ollama ≥ 0.30);
    False: every layer is forced onto the GPU (-ngl 99), as llama-bench and older builds do."""

    @property
    def sequences(self) -> int:
        return self.batch * self.parallel

    @property
    def effective_engine(self) -> str:
        """The engine that really runs: fine-tuning always runs on transformers, whatever was picked."""
        return effective_engine(self.engine, self.mode)


TRAINING_ENGINE = "transformers"


def effective_engine(engine: str, mode: str) -> str:
    return engine if mode == "inference" else TRAINING_ENGINE


def validate(s: Scenario) -> Quant:
    """Refuse scenarios no engine would run; each error names the bad value and what is allowed."""
    quant = find_quant(s.quant)
    ranges: tuple[tuple[str, float, float, float], ...] = (
        ("context", s.context, 1, 10_000_000), ("batch", s.batch, 1, 4096), ("parallel", s.parallel, 1, 1024),
        ("gpus", s.gpus, 1, MAX_GPUS), ("lora_rank", s.lora_rank, 1, 4096), ("ubatch", s.ubatch or LLAMA_CPP_UBATCH, 1, 8192),
        ("gpu_memory_utilization", s.gpu_memory_utilization, 0.1, 1.0),
    )
    for name, value, low, high in ranges:
        if not low <= value <= high:
            raise InputError("err.range", name=name, value=value, low=f"{low:,}", high=f"{high:,}")
    choices: tuple[tuple[str, str, tuple[str, ...]], ...] = (
        ("engine", s.engine, ENGINES), ("mode", s.mode, MODES),
        ("optimizer", s.optimizer, tuple(training.OPTIMIZER_STATE_BYTES)),
        ("precision", s.precision, tuple(training.MASTER_WEIGHT_BYTES)),
    )
    for name, choice, allowed in choices:
        if choice not in allowed:
            raise InputError("err.choice", name=name, value=choice, allowed=", ".join(allowed))
    if s.context > max(s.model.context_max, s.model.context_rope_scaled or 0):
        raise InputError("err.context_max", value=f"{s.context:,}", model=s.model.name,
                         maximum=f"{max(s.model.context_max, s.model.context_rope_scaled or 0):,}")
    if s.mode != "inference":
        return quant
    if s.kv_unified and s.engine != "llama.cpp":
        raise InputError("err.kv_unified", engine=s.engine)
    if s.kv_cache not in KV_TYPES[s.engine]:
        raise InputError("err.kv_type", value=s.kv_cache, engine=s.engine, allowed=", ".join(KV_TYPES[s.engine]))
    if quant.name not in quants_for(s.engine):
        raise InputError("err.quant_engine", value=quant.name, engine=s.engine,
                         allowed=", ".join(quants_for(s.engine)))
    if quant.file_size_only and s.model.published_size(quant.name, s.engine) is None:
        raise InputError("err.quant_file_size", value=quant.name, model=s.model.name)
    return quant


@lru_cache(maxsize=1024)  # asked for every candidate GPU of a ranking, with the same engine and model
def quants_for(engine: str, model: ModelArch | None = None) -> tuple[str, ...]:
    """Weight formats each engine loads: GGUF for the llama.cpp family, PyTorch formats otherwise. Given a
    model, formats sized only by their file (Unsloth's dynamic GGUFs) are offered where that file is listed."""
    if engine in ("ollama", "llama.cpp"):
        return tuple(name for name, q in QUANTS.items() if q.engine_family == "gguf" and (
            not q.file_size_only or model is None or model.published_size(name, engine) is not None)) + ("BF16", "F32")
    return ("BF16", "F16", "F32", "FP8", "INT8", "AWQ", "GPTQ", "NF4", "MXFP4")


def kv_types_for(engine: str) -> tuple[str, ...]:
    return KV_TYPES[engine]

