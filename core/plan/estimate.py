"""A whole memory estimate: the scenario in, the terms per GPU and the verdict out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.plan import memory, training
from core.plan.catalog import GpuSpec
from core.plan.memory import Term
from core.plan.placement import FIT_TARGET_GIB, LLAMA_CPP_UBATCH, ollama_batch, ollama_predicted_bytes
from core.plan.quant import Quant
from core.plan.scenario import (
    ENGINES,
    KV_TYPES,
    MAX_GPUS,
    MODES,
    MULTI_GPU,
    TRAINING_ENGINE,
    Scenario,
    effective_engine,
    kv_types_for,
    quants_for,
    validate,
)
from core.units import GIB

__all__ = ["ENGINES", "KV_TYPES", "MAX_GPUS", "MODES", "MULTI_GPU", "TRAINING_ENGINE", "MemoryEstimate", "Scenario",
           "effective_engine", "engine_ubatch", "estimate", "kv_types_for", "mlx_holds", "quants_for", "usable_gib",
           "validate"]

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
    margin_gib: float = 0.0
    """Memory the engine leaves free on each GPU before it calls a placement a fit (llama.cpp's --fit)."""
    ubatch: int | None = None  # the micro-batch the llama.cpp family sizes its graph for
    expert_layers_on_gpu: int | None = None
    """A MoE that --fit kept on the GPU but for the routed experts of the other layers (None: not so placed)."""

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
        return self.usable_gib_per_gpu - self.margin_gib - max(self.per_gpu_gib)


def usable_gib(gpu: GpuSpec, engine: str = "ollama") -> float:
    """Memory the GPU may allocate.

    macOS caps the Metal working set below the unified total (recommendedMaxWorkingSetSize: 2/3 up to
    36 GB, 3/4 above, as llama.cpp logs show; docs/research_constants.md). Ollama plans within that cap;
    llama.cpp only warns past it and runs on in the rest of unified memory, more slowly.
    """
    if gpu.segment == "apple" and engine != "llama.cpp":
        return gpu.vram_gib * (2 / 3 if gpu.vram_gib <= 36 else 3 / 4)
    return gpu.vram_gib


def mlx_holds(memory_estimate: MemoryEstimate, gpu: GpuSpec) -> bool:
    """Whether mlx-lm holds the model in GPU memory: it wires the weights up to macOS's recommended working set
    and only warns past it ("This can be slow"; mlx_lm/generate.py, wired_limit), so weights beyond that cap
    are paged, not held (a 61 GB BF16 model on a 64 GB M4 Max recorded no result in ml-explore's benchmark)."""
    return bool(memory_estimate.fits) and memory_estimate.components_gib.get("weights", 0.0) <= usable_gib(gpu, "mlx")


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


def engine_ubatch(s: Scenario, weights_bytes: float, reserve_bytes: float) -> int:
    """The micro-batch the engine will use: the one asked for, llama.cpp's 512, or Ollama's automatic batch."""
    if s.ubatch is not None:
        return s.ubatch
    if s.effective_engine != "ollama" or not s.auto_fit:
        return LLAMA_CPP_UBATCH
    m, n_ctx = s.model, s.context * s.sequences
    predicted = ollama_predicted_bytes(weights_bytes, m.layers, m.kv_heads, m.hidden // m.heads, n_ctx)
    usable = _gpu_budget(s)
    available = None if usable is None else s.gpus * (usable * GIB - reserve_bytes)
    return ollama_batch(n_ctx, predicted, available, s.flash_attention, cuda=s.gpu is None or s.gpu.vendor == "NVIDIA",
                        card_gib=s.gpu.vram_gib if s.gpu else None)


def _llama_cpp(s: Scenario, quant: Quant) -> MemoryEstimate:
    m = s.model
    metal = s.gpu is not None and s.gpu.segment == "apple"
    weights = memory.weight_bytes(m, quant, s.engine)
    embd_host = memory.host_embedding_bytes(m, quant)
    head = memory.output_head_bytes(m, quant)
    gpu_weights = memory.streamed_weight_bytes(m, quant, s.engine)
    layer_weights = (gpu_weights - head) / m.layers
    reserve = memory.runtime_reserve(s.engine, metal)
    ubatch = engine_ubatch(s, weights.bytes, reserve.bytes)
    kv = memory.kv_cache_bytes(m, s.context, s.sequences, s.kv_cache, s.engine, ubatch, s.kv_unified)
    kv_layer = kv.bytes / m.layers
    n = s.gpus
    usable = _gpu_budget(s)
    # --fit keeps this much free on every GPU; a placement that needs it is not a fit (core.plan.placement).
    margin = FIT_TARGET_GIB * GIB if s.auto_fit else 0.0
    compute = memory.llama_cpp_compute_buffer(m, s.context, s.sequences, pipeline=n > 1, ubatch=ubatch,
                                              flash_attention=s.flash_attention)

    gpu_layers = m.layers
    if usable is not None:
        free_for_layers = n * (usable * GIB - compute.bytes - reserve.bytes - margin) - head
        gpu_layers = max(0, min(m.layers, int(free_for_layers // (layer_weights + kv_layer))))
        if gpu_layers < m.layers and n > 1:
            # Partial offload turns pipeline parallelism off again, and with it the extra copies.
            compute = memory.llama_cpp_compute_buffer(m, s.context, s.sequences, ubatch=ubatch,
                                                      flash_attention=s.flash_attention)
            free_for_layers = n * (usable * GIB - compute.bytes - reserve.bytes - margin) - head
            gpu_layers = max(0, min(m.layers - 1, int(free_for_layers // (layer_weights + kv_layer))))
    expert_layer = memory.expert_bytes(m, quant, gpu_weights) / m.layers
    expert_layers = None
    if usable is not None and gpu_layers < m.layers and s.auto_fit and expert_layer:
        # --fit keeps every layer's attention, shared weights and KV on the GPU and moves routed experts, from
        # the first layers on, to system memory before it gives up whole layers (common/fit.cpp, step 3).
        spare = free_for_layers - m.layers * (layer_weights - expert_layer + kv_layer)
        if spare >= 0:
            gpu_layers, expert_layers = m.layers, min(m.layers - 1, int(spare // expert_layer))
    head_on_gpu = gpu_layers == m.layers
    split_layers = [gpu_layers // n + (1 if i < gpu_layers % n else 0) for i in range(n)]
    cpu_experts = 0.0 if expert_layers is None else (m.layers - expert_layers) * expert_layer
    per_gpu = []
    for i, count in enumerate(split_layers):
        on_gpu = count * (layer_weights + kv_layer) + compute.bytes + reserve.bytes - cpu_experts * count / m.layers
        if i == n - 1 and head_on_gpu:
            on_gpu += head
        per_gpu.append(on_gpu / GIB)

    offloaded = m.layers - gpu_layers
    host = embd_host + offloaded * (layer_weights + kv_layer) + (0 if head_on_gpu else head) + cpu_experts
    notes = []
    if offloaded:
        notes.append("offload")
    if expert_layers is not None:
        notes.append("expert_offload")
    terms = (
        Term("weights", gpu_weights - offloaded * layer_weights - (0 if head_on_gpu else head) - cpu_experts,
             weights.formula + " − token_embd (host)" + (" − offloaded layers" if offloaded else "")
             + (" − experts in system RAM" if cpu_experts else ""),
             weights.substituted, weights.source_url),
        kv.scaled(gpu_layers / m.layers, f"× {gpu_layers}/{m.layers} layers on GPU") if offloaded else kv,
        compute.scaled(n, f"× {n} GPUs") if n > 1 else compute,
        reserve.scaled(n, f"× {n} GPUs") if n > 1 else reserve,
    )
    return MemoryEstimate(
        terms=terms, per_gpu_gib=tuple(per_gpu), usable_gib_per_gpu=usable, host_gib=host / GIB,
        gpu_layers=gpu_layers, total_layers=m.layers,
        fits=None if usable is None else (offloaded == 0 and not cpu_experts and max(per_gpu) + margin / GIB <= usable),
        notes=tuple(notes), margin_gib=margin / GIB, ubatch=ubatch, expert_layers_on_gpu=expert_layers,
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
