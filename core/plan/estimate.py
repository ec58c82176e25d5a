"""A whole memory estimate: the scenario in, the terms per GPU and the verdict out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.errors import InputError
from core.plan import memory, training
from core.plan.catalog import GpuSpec
from core.plan.memory import Term
from core.plan.models import ModelArch
from core.plan.quant import QUANTS, Quant, find_quant
from core.units import GIB

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
    ubatch: int = 512  # llama.cpp's -ub: sizes the compute graph and each sliding-window cache

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


@dataclass(frozen=True)
class MemoryEstimate:
    terms: tuple[Term, ...]
    per_gpu_gib: tuple[float, ...]
    usable_gib_per_gpu: float | None
    host_gib: float
    gpu_layers: int
    total_layers: int
    fits: bool | None
    max_concurrent_tokens: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def total_gib(self) -> float:
        return sum(term.gib for term in self.terms)

    @property
    def components_gib(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for term in self.terms:
            out[term.key] = out.get(term.key, 0.0) + term.gib
        return out

    @property
    def headroom_gib(self) -> float | None:
        if self.usable_gib_per_gpu is None or not self.per_gpu_gib:
            return None
        return self.usable_gib_per_gpu - max(self.per_gpu_gib)


def usable_gib(gpu: GpuSpec, engine: str = "ollama") -> float:
    """Memory the GPU may allocate.

    macOS caps the Metal working set below the unified total (recommendedMaxWorkingSetSize: 2/3 up to
    36 GB, 3/4 above, as llama.cpp logs show; docs/research_constants.md). Ollama plans within that cap;
    llama.cpp only warns past it and runs on in the rest of unified memory, more slowly.
    """
    if gpu.segment == "apple" and engine != "llama.cpp":
        return gpu.vram_gib * (2 / 3 if gpu.vram_gib <= 36 else 3 / 4)
    return gpu.vram_gib


def validate(s: Scenario) -> Quant:
    """Refuse scenarios no engine would run; each error names the bad value and what is allowed."""
    quant = find_quant(s.quant)
    ranges: tuple[tuple[str, float, float, float], ...] = (
        ("context", s.context, 1, 10_000_000), ("batch", s.batch, 1, 4096), ("parallel", s.parallel, 1, 1024),
        ("gpus", s.gpus, 1, MAX_GPUS), ("lora_rank", s.lora_rank, 1, 4096), ("ubatch", s.ubatch, 1, 8192),
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
    if s.kv_cache not in KV_TYPES[s.engine]:
        raise InputError("err.kv_type", value=s.kv_cache, engine=s.engine, allowed=", ".join(KV_TYPES[s.engine]))
    if quant.name not in quants_for(s.engine):
        raise InputError("err.quant_engine", value=quant.name, engine=s.engine,
                         allowed=", ".join(quants_for(s.engine)))
    return quant


def quants_for(engine: str) -> tuple[str, ...]:
    """Weight formats each engine loads: GGUF for the llama.cpp family, PyTorch formats otherwise."""
    if engine in ("ollama", "llama.cpp"):
        return tuple(name for name, q in QUANTS.items() if q.engine_family == "gguf") + ("BF16", "F32")
    return ("BF16", "F16", "F32", "FP8", "INT8", "AWQ", "GPTQ", "NF4", "MXFP4")


def estimate(s: Scenario) -> MemoryEstimate:
    """Validate and estimate; ValueError for a scenario that cannot be run."""
    quant = validate(s)
    if s.mode != "inference":
        result = _training(s)
    elif s.engine in ("ollama", "llama.cpp"):
        result = _llama_cpp(s, quant)
    else:
        result = _torch_inference(s, quant)
    if s.context > s.model.context_max:
        # Past the trained length only with rope scaling switched on in the engine: the page says so.
        result = replace(result, notes=(*result.notes, "rope_scaled"))
    return result


def _gpu_budget(s: Scenario) -> float | None:
    return usable_gib(s.gpu, s.effective_engine) if s.gpu is not None else None


def _verdict(per_gpu: list[float], usable: float | None) -> bool | None:
    return None if usable is None else max(per_gpu) <= usable


def _llama_cpp(s: Scenario, quant: Quant) -> MemoryEstimate:
    m = s.model
    metal = s.gpu is not None and s.gpu.segment == "apple"
    weights = memory.weight_bytes(m, quant, s.engine)
    embd_host = memory.host_embedding_bytes(m, quant)
    head = memory.output_head_bytes(m, quant)
    # Untied models keep token_embd on the host; tied ones also need it on the GPU as the output head.
    gpu_weights = weights.bytes if m.tied_embeddings else weights.bytes - embd_host
    layer_weights = (gpu_weights - head) / m.layers
    kv = memory.kv_cache_bytes(m, s.context, s.sequences, s.kv_cache, s.engine, s.ubatch)
    kv_layer = kv.bytes / m.layers
    reserve = memory.runtime_reserve(s.engine, metal)
    n = s.gpus
    usable = _gpu_budget(s)
    compute = memory.llama_cpp_compute_buffer(m, s.context, s.sequences, pipeline=n > 1, ubatch=s.ubatch)

    gpu_layers = m.layers
    if usable is not None:
        free_for_layers = n * (usable * GIB - compute.bytes - reserve.bytes) - head
        gpu_layers = max(0, min(m.layers, int(free_for_layers // (layer_weights + kv_layer))))
        if gpu_layers < m.layers and n > 1:
            # Partial offload turns pipeline parallelism off again, and with it the extra copies.
            compute = memory.llama_cpp_compute_buffer(m, s.context, s.sequences, ubatch=s.ubatch)
            free_for_layers = n * (usable * GIB - compute.bytes - reserve.bytes) - head
            gpu_layers = max(0, min(m.layers - 1, int(free_for_layers // (layer_weights + kv_layer))))
    head_on_gpu = gpu_layers == m.layers
    split_layers = [gpu_layers // n + (1 if i < gpu_layers % n else 0) for i in range(n)]
    per_gpu = []
    for i, count in enumerate(split_layers):
        on_gpu = count * (layer_weights + kv_layer) + compute.bytes + reserve.bytes
        if i == n - 1 and head_on_gpu:
            on_gpu += head
        per_gpu.append(on_gpu / GIB)

    offloaded = m.layers - gpu_layers
    host = embd_host + offloaded * (layer_weights + kv_layer) + (0 if head_on_gpu else head)
    notes = []
    if offloaded:
        notes.append("offload")
    terms = (
        Term("weights", gpu_weights - offloaded * layer_weights - (0 if head_on_gpu else head),
             weights.formula + " − token_embd (host)" + (" − offloaded layers" if offloaded else ""),
             weights.substituted, weights.source_url),
        kv.scaled(gpu_layers / m.layers, f"× {gpu_layers}/{m.layers} layers on GPU") if offloaded else kv,
        compute.scaled(n, f"× {n} GPUs") if n > 1 else compute,
        reserve.scaled(n, f"× {n} GPUs") if n > 1 else reserve,
    )
    return MemoryEstimate(
        terms=terms, per_gpu_gib=tuple(per_gpu), usable_gib_per_gpu=usable, host_gib=host / GIB,
        gpu_layers=gpu_layers, total_layers=m.layers,
        fits=None if usable is None else (offloaded == 0 and max(per_gpu) <= usable),
        notes=tuple(notes),
    )


def _torch_inference(s: Scenario, quant: Quant) -> MemoryEstimate:
    m = s.model
    n = s.gpus
    weights = memory.weight_bytes(m, quant, s.engine)
    kv = memory.kv_cache_bytes(m, s.context, s.sequences, s.kv_cache, s.engine)
    step_tokens = s.context * s.sequences
    if s.engine == "vllm":
        step_tokens = min(step_tokens, memory.VLLM_MAX_BATCHED_TOKENS)
    act = memory.torch_activation_bytes(m, step_tokens)
    reserve = memory.runtime_reserve(s.engine, metal=False)
    usable = _gpu_budget(s)
    fixed_per_gpu = weights.bytes / n + act.bytes + reserve.bytes

    if s.engine == "vllm" and usable is not None:
        # vLLM claims utilization × VRAM up front and turns whatever the model leaves into KV blocks.
        pool = s.gpu_memory_utilization * usable * GIB
        per_token = memory.kv_bytes_per_token(m, s.kv_cache) / n
        kv_pool = max(0.0, pool - fixed_per_gpu)
        max_tokens = int(kv_pool // per_token) if per_token else 0
        kv_term = Term(
            "kv_cache", kv_pool * n, "KV pool = u·VRAM − W/n − A − R (per GPU)",
            f"KV pool = {s.gpu_memory_utilization}·{usable:.1f} GiB − …", memory.VLLM_MEMORY_DOC,
        )
        per_gpu = [pool / GIB] * n
        return MemoryEstimate(
            terms=(weights, kv_term, act.scaled(n, f"× {n}") if n > 1 else act,
                   reserve.scaled(n, f"× {n}") if n > 1 else reserve),
            per_gpu_gib=tuple(per_gpu), usable_gib_per_gpu=usable, host_gib=0.0,
            gpu_layers=m.layers, total_layers=m.layers,
            # vLLM itself starts once one full-length sequence fits; the plan asks for all of them at once.
            fits=kv_pool >= kv.bytes / n,
            max_concurrent_tokens=max_tokens, notes=("vllm_preallocates",),
        )

    per_gpu = [(fixed_per_gpu + kv.bytes / n) / GIB] * n
    return MemoryEstimate(
        terms=(weights, kv, act.scaled(n, f"× {n}") if n > 1 else act,
               reserve.scaled(n, f"× {n}") if n > 1 else reserve),
        per_gpu_gib=tuple(per_gpu), usable_gib_per_gpu=usable, host_gib=0.0,
        gpu_layers=m.layers, total_layers=m.layers, fits=_verdict(per_gpu, usable),
    )


def _training(s: Scenario) -> MemoryEstimate:
    setup = training.TrainingSetup(
        mode=s.mode, optimizer=s.optimizer, precision=s.precision, grad_checkpointing=s.grad_checkpointing,
        batch=s.batch, seq_len=s.context, lora_rank=s.lora_rank,
    )
    terms = training.training_terms(s.model, setup)
    terms.append(training.runtime(s.model))
    n = s.gpus
    # Several GPUs shard weights, gradients and optimizer states (FSDP / ZeRO-3); each GPU keeps its
    # own activations for its share of the batch and its own CUDA context.
    sharded = sum(t.bytes for t in terms if t.key not in ("activations", "runtime"))
    own = sum(t.bytes for t in terms if t.key in ("activations", "runtime"))
    per_gpu = [(sharded / n + own) / GIB] * n
    usable = _gpu_budget(s)
    return MemoryEstimate(
        terms=tuple(terms) if n == 1 else tuple(
            t if t.key not in ("activations", "runtime") else t.scaled(n, f"× {n} GPUs") for t in terms
        ),
        per_gpu_gib=tuple(per_gpu), usable_gib_per_gpu=usable, host_gib=0.0,
        gpu_layers=s.model.layers, total_layers=s.model.layers, fits=_verdict(per_gpu, usable),
        notes=("paged_optimizer",) if s.optimizer.startswith("paged") else (),
    )


def kv_types_for(engine: str) -> tuple[str, ...]:
    return KV_TYPES[engine]

