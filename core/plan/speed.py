"""Decode and prefill speed: a memory-bandwidth roofline for decode, a compute roofline for prefill,
each with constants fitted to published measurements from many independent sources, and an 80% range
from how far the fit missed on sources it never saw (bench/speed_fit.py, docs/speed_calibration.md).

Decode reads every active weight and the KV cache once per generated token, and pays fixed costs:

    t_token = W_gpu / (BW·e) + k_kv·KV·n_ctx / BW  [+ k_nofa·KV·n_ctx / BW without flash attention]
              + k_shader·N_gpu / FP32  [block-quantized weights: unpacking runs on the shader cores]
              + L·τ + c_engine  [+ (n_gpu − 1)·τ_split  |  + (n_gpu − 1)·L·τ_tp]  [+ W_cpu / BW_ram]

``e`` and ``τ`` belong to a class of hardware and backend (CUDA, ROCm, Vulkan, Metal, MLX); ``c_engine``
is the host work each engine does per token (sampling, scheduling, kernel launches). Layer split
(Ollama, llama.cpp) adds no bandwidth, only a hand-over per added GPU; vLLM's tensor parallelism adds
bandwidth and an all-reduce per layer per added GPU.

Prefill is compute-bound on the tensor cores: 2 FLOPs per active parameter per token plus attention,
which grows with the prompt on the attention layers: rate = e_p·TFLOPS / (2·P_active + 4·L_attn·d·n_prompt/2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.plan.catalog import GpuSpec
from core.plan.estimate import Scenario, estimate
from core.plan.memory import average_bits, streamed_weight_bytes, weight_bytes
from core.plan.quant import find_quant
from core.plan.traffic import active_weight_bytes, attention_flops, cache_read_bytes, offloaded_expert_bytes
from core.units import GIB

DEFAULT_SYSTEM_RAM_GBPS = 60.0
"""Effective dual-channel DDR5 bandwidth a CPU-offloaded layer is read at (theoretical 89.6 GB/s at
DDR5-5600; measured CPU streaming reaches roughly two thirds of theoretical)."""
BACKENDS = ("auto", "CUDA", "ROCm", "Vulkan", "Metal", "MLX")
ENGINES_FITTED = ("llama.cpp", "ollama", "vllm", "mlx")


@dataclass(frozen=True)
class HardwareFit:
    """Fitted constants for one class of hardware and backend (docs/speed_calibration.md)."""

    bandwidth_efficiency_quant: float  # share of spec bandwidth reached on block-quantized weights
    bandwidth_efficiency_16bit: float  # same for 16-bit weights
    per_layer_ms: float  # fixed cost per layer per token (kernel launches, synchronisation)
    prefill_efficiency: float  # share of dense FP16 tensor TFLOPS reached in prompt processing


# Written by `python -m bench.speed_fit --write` from the fit on every source; see docs/speed_calibration.md.
FITS: dict[str, HardwareFit] = {
    "nvidia_cuda": HardwareFit(0.805, 0.816, 0.0197, 0.41),
    "nvidia_hbm_cuda": HardwareFit(0.801, 0.801, 0.0965, 0.216),
    "nvidia_vulkan": HardwareFit(0.81, 0.8, 0.0176, 0.39),
    "amd_rocm": HardwareFit(0.808, 0.8, 0.081, 0.337),
    "amd_vulkan": HardwareFit(0.806, 0.8, 0.0178, 0.404),
    "amd_apu_rocm": HardwareFit(0.838, 0.819, 0.1083, 0.4),
    "amd_apu_vulkan": HardwareFit(0.833, 0.796, 0.0386, 0.4),
    "apple_metal": HardwareFit(0.808, 0.819, 0.1371, 0.601),
    "apple_mlx": HardwareFit(0.806, 0.801, 0.0421, 0.72),
}
ENGINE_OVERHEAD_MS = {"llama.cpp": 0.0, "ollama": 0.17, "vllm": 0.052, "mlx": 0.095}
"""Host work per generated token that no bandwidth removes: sampling, scheduling, launching the graph."""
KV_READ_FACTOR = 1.234
"""Attention reads the KV cache at this many times the cost of streaming the same bytes of weights."""
KV_READ_FACTOR_NO_FA = 0.516
"""Extra KV cost without flash attention (the scores are written out and read back)."""
LAYER_SPLIT_MS_PER_GPU = 0.27
"""Per-token hand-over cost of each added GPU in llama.cpp's layer split (activations cross PCIe)."""
TENSOR_PARALLEL_MS_PER_LAYER = 0.0
"""Per-token all-reduce cost of each added GPU per layer in vLLM's tensor parallelism."""
MOE_MS_PER_LAYER = 0.0874
"""Per-token cost of each mixture-of-experts layer: routing, and gathering the chosen experts' weights."""
SHADER_FLOPS_PER_WEIGHT = 4.1
"""Shader work per weight read (unpacking the block, scaling, the dot product), paid at the card's FP32
vector rate on top of the memory stream: why an A100 (1,935 GB/s, 19.5 FP32 TFLOPS) decodes no faster than
an RTX 4090 (1,008 GB/s, 82.6). Cards whose FP32 rate is not in the catalog (Apple) have it in their class's
bandwidth share instead."""
ATTENTION_FLOPS_FACTOR = 3.073
"""The attention's arithmetic over the cache (core.plan.traffic.attention_flops), paid at this many times the
card's FP32 vector rate: decode's attention kernels run on the shader cores for one token."""
INTERVALS: dict[str, tuple[float, float]] = {
    "*": (0.511, 1.41),
    "amd_apu_rocm": (0.583, 1.219),
    "amd_apu_rocm/llama.cpp": (0.583, 1.219),
    "amd_apu_vulkan": (0.331, 1.155),
    "amd_apu_vulkan/llama.cpp": (0.331, 1.155),
    "amd_rocm": (0.55, 2.52),
    "amd_rocm/llama.cpp": (0.638, 1.338),
    "amd_rocm/vllm": (0.319, 2.73),
    "amd_vulkan": (0.793, 1.41),
    "amd_vulkan/llama.cpp": (0.793, 1.41),
    "apple_metal": (0.665, 1.178),
    "apple_metal/llama.cpp": (0.665, 1.152),
    "apple_metal/ollama": (0.722, 1.348),
    "apple_mlx": (0.605, 1.267),
    "apple_mlx/mlx": (0.605, 1.267),
    "nvidia_cuda": (0.692, 1.293),
    "nvidia_cuda/llama.cpp": (0.826, 1.279),
    "nvidia_cuda/ollama": (0.625, 1.575),
    "nvidia_hbm_cuda": (0.464, 1.595),
    "nvidia_hbm_cuda/ollama": (0.464, 0.901),
    "nvidia_vulkan": (0.688, 1.172),
    "nvidia_vulkan/llama.cpp": (0.688, 1.172),
}
"""Measured ÷ predicted decode speed that 80% of held-out runs fell within, per "class/engine", else per
class, else for everything ("*"): the range a prediction is quoted with."""
CALIBRATED_ON = "llama.cpp and Ollama builds, vLLM and MLX releases from 2024 on"


BATCHED_ENGINES = ("vllm",)
"""Engines that batch concurrent requests into one forward pass. Ollama and llama.cpp's server do too
when parallel slots are configured; we model them as serving users in turn, their default."""


@dataclass(frozen=True)
class SpeedEstimate:
    fits: bool
    gpu_layers: int
    total_layers: int
    decode_tokens_per_s: float  # per user
    decode_tokens_per_s_low: float  # the 80% range: 1 in 10 held-out runs was slower, 1 in 10 faster
    decode_tokens_per_s_high: float
    aggregate_tokens_per_s: float  # all users together
    prefill_tokens_per_s: float | None  # None when the GPU's tensor throughput is not published
    time_to_first_token_s: float | None
    bottleneck: str  # memory_bandwidth | cpu_offload | compute | interconnect
    backend: str
    hardware_class: str
    formula: str


def interval_for(cls: str, engine: str) -> tuple[float, float]:
    return INTERVALS.get(f"{cls}/{engine}") or INTERVALS.get(cls) or INTERVALS["*"]


def backend_for(gpu: GpuSpec, engine: str, backend: str = "auto") -> str:
    """The backend the engine runs on this GPU: the one asked for, else the usual one (CUDA on NVIDIA, ROCm
    on AMD, Metal on Apple, MLX for the mlx engine)."""
    if backend != "auto":
        return backend
    if engine == "mlx":
        return "MLX"
    return {"NVIDIA": "CUDA", "AMD": "ROCm", "Apple": "Metal"}[gpu.vendor]


def hardware_class(gpu: GpuSpec, backend: str = "auto", engine: str = "llama.cpp") -> str:
    """The class whose fitted constants apply: vendor, memory (HBM, unified APU) and backend. HBM parts (A100,
    H100, H200) reach a smaller share of their bandwidth at one user than GDDR cards do."""
    backend = backend_for(gpu, engine, backend)
    if gpu.vendor == "Apple":
        return "apple_mlx" if backend == "MLX" else "apple_metal"
    if gpu.vendor == "AMD":
        family = "amd_apu" if gpu.is_unified_memory else "amd"
        return f"{family}_vulkan" if backend == "Vulkan" else f"{family}_rocm"
    if backend == "Vulkan":
        return "nvidia_vulkan"
    return "nvidia_hbm_cuda" if (gpu.memory_type or "").upper().startswith("HBM") else "nvidia_cuda"


def shader_seconds(s: Scenario, gpu_weight_bytes: float, tensor_parallel: int = 1) -> float:
    """Per token, the shader time to unpack and multiply the weights read from GPU memory."""
    quant = find_quant(s.quant)
    if s.gpu is None or not s.gpu.fp32_tflops or quant.bits_per_weight >= 15:
        return 0.0
    weights = gpu_weight_bytes * 8 / average_bits(s.model, quant, streamed_weight_bytes(s.model, quant, s.engine))
    return SHADER_FLOPS_PER_WEIGHT * weights / (s.gpu.fp32_tflops * 1e12 * tensor_parallel)




def attention_seconds(s: Scenario, context: int, tensor_parallel: int = 1) -> float:
    """Per token, the attention's arithmetic over the cache on the shader cores (decode's kernels do not use the
    tensor cores for one token)."""
    if s.gpu is None or not s.gpu.fp32_tflops:
        return 0.0
    return ATTENTION_FLOPS_FACTOR * attention_flops(s.model, context) / (s.gpu.fp32_tflops * 1e12 * tensor_parallel)


def estimate_speed(
    s: Scenario, users: int = 1, prompt_tokens: int = 512, system_ram_gbps: float = DEFAULT_SYSTEM_RAM_GBPS,
    generated_tokens: int | None = None, answer_tokens: int = 256, backend: str = "auto",
    flash_attention: bool = True,
) -> SpeedEstimate:
    """Speed of ``s`` on ``s.gpu`` (× ``s.gpus``). ValueError when no GPU is given.

    ``generated_tokens`` is the context the average decoded token attends to; by default half the
    context, i.e. decode over a context that fills up as it goes. With several users, each request is
    ``prompt_tokens`` in and ``answer_tokens`` out, and the throughput counts the prompts' prefill too.
    """
    if s.gpu is None:
        raise ValueError("a GPU is needed for a speed estimate")
    if not 1 <= users <= 4096:
        raise ValueError(f"users {users} must be between 1 and 4096")
    if not 1 <= prompt_tokens <= 10_000_000:
        raise ValueError(f"prompt tokens {prompt_tokens} must be between 1 and 10,000,000")
    if not 1 <= system_ram_gbps <= 2000:
        raise ValueError(f"system RAM bandwidth {system_ram_gbps} GB/s must be between 1 and 2,000")
    if backend not in BACKENDS:
        raise ValueError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
    batched = s.engine in BATCHED_ENGINES and s.mode == "inference"
    # MLX lays a model out in memory much as llama.cpp does; the planner's memory estimate has no MLX of its own.
    memory_engine = "llama.cpp" if s.engine == "mlx" else s.engine
    memory = estimate(replace(s, engine=memory_engine, parallel=max(s.parallel, users) if batched else s.parallel))
    chosen = backend_for(s.gpu, s.engine, backend)
    cls = hardware_class(s.gpu, chosen, s.engine)
    fit = FITS[cls]
    quant = find_quant(s.quant)
    sixteen_bit = quant.bits_per_weight >= 15
    efficiency = fit.bandwidth_efficiency_16bit if sixteen_bit else fit.bandwidth_efficiency_quant
    tensor_parallel = s.gpus if s.engine == "vllm" and s.gpus > 1 else 1
    bandwidth = s.gpu.bandwidth_gbps * 1e9 * tensor_parallel

    weights = active_weight_bytes(s)
    on_gpu_share = memory.gpu_layers / memory.total_layers
    context = generated_tokens if generated_tokens is not None else max(1, s.context // 2)
    kv_type = s.kv_cache if s.kv_cache in ("f16", "q8_0", "q4_0", "fp8") else "f16"
    kv_read = cache_read_bytes(s.model, kv_type, context)
    step_users = users if batched else 1
    kv_factor = KV_READ_FACTOR + (0.0 if flash_attention else KV_READ_FACTOR_NO_FA)
    # Experts --fit moved to system RAM are read there; everything else of every layer stays on the GPU.
    cpu_experts = offloaded_expert_bytes(s, memory)
    gpu_seconds = ((weights * on_gpu_share - cpu_experts) / efficiency
                   + kv_read * step_users * on_gpu_share * kv_factor) / bandwidth
    cpu_bytes = (weights + kv_read) * (1 - on_gpu_share) + cpu_experts
    shader_s = shader_seconds(s, weights * on_gpu_share - cpu_experts, tensor_parallel)
    attention_s = attention_seconds(s, context, tensor_parallel) * on_gpu_share * step_users
    gpu_seconds += shader_s + attention_s
    fixed_ms = fit.per_layer_ms * s.model.layers + MOE_MS_PER_LAYER * s.model.moe_layers
    fixed_ms += ENGINE_OVERHEAD_MS.get(s.engine, 0.0)
    split_ms = LAYER_SPLIT_MS_PER_GPU * (s.gpus - 1) if s.engine in ("ollama", "llama.cpp") else 0.0
    split_ms += TENSOR_PARALLEL_MS_PER_LAYER * (tensor_parallel - 1) * s.model.layers
    step_s = gpu_seconds + cpu_bytes / (system_ram_gbps * 1e9) + (fixed_ms + split_ms) / 1000

    prefill = _prefill_rate(s, fit, prompt_tokens, on_gpu_share, system_ram_gbps)
    compute_step_s = None
    if batched and prefill is not None:
        # A batched decode step does as much arithmetic as prefilling one token per user.
        compute_step_s = step_users / prefill
    bottleneck = "cpu_offload" if on_gpu_share < 1 or cpu_experts else "memory_bandwidth"
    if compute_step_s is not None and compute_step_s > step_s:
        step_s, bottleneck = compute_step_s, "compute"
    if split_ms and split_ms / 1000 > 0.25 * step_s:
        bottleneck = "interconnect"

    # One request after another (or one batch of users together): prompt prefill, then the answer.
    prefill_s = prompt_tokens * step_users / prefill if prefill else 0.0
    aggregate = step_users * answer_tokens / (prefill_s + answer_tokens * step_s)
    per_user = 1 / step_s if users == 1 else aggregate / users
    ttft = prompt_tokens / prefill if prefill else None
    low, high = interval_for(cls, s.engine)
    return SpeedEstimate(
        fits=bool(memory.fits), gpu_layers=memory.gpu_layers, total_layers=memory.total_layers,
        decode_tokens_per_s=per_user, decode_tokens_per_s_low=per_user * low, decode_tokens_per_s_high=per_user * high,
        aggregate_tokens_per_s=aggregate, prefill_tokens_per_s=prefill, time_to_first_token_s=ttft,
        bottleneck=bottleneck, backend=chosen, hardware_class=cls,
        formula=_formula(s, weights * on_gpu_share - cpu_experts, kv_read * step_users * on_gpu_share, cpu_bytes, efficiency,
                         kv_factor, tensor_parallel, fixed_ms + split_ms, shader_s, attention_s, system_ram_gbps, step_s),
    )


def _formula(s: Scenario, weights: float, kv: float, cpu_bytes: float, efficiency: float, kv_factor: float,
             tensor_parallel: int, fixed_ms: float, shader_s: float, attention_s: float, system_ram_gbps: float,
             step_s: float) -> str:
    assert s.gpu is not None
    bw = f"{s.gpu.bandwidth_gbps:g} GB/s" + (f" × {tensor_parallel}" if tensor_parallel > 1 else "")
    parts = [f"{weights / GIB:.2f} GiB / ({bw} × {efficiency:.2f})", f"{kv_factor:.2f} × {kv / GIB:.2f} GiB KV / {bw}"]
    if shader_s and s.gpu.fp32_tflops:
        flops = f"{s.gpu.fp32_tflops:g} FP32 TFLOPS" + (f" × {tensor_parallel}" if tensor_parallel > 1 else "")
        weights_g = shader_s * s.gpu.fp32_tflops * 1e3 * tensor_parallel / SHADER_FLOPS_PER_WEIGHT
        parts.append(f"{SHADER_FLOPS_PER_WEIGHT:g} FLOPs × {weights_g:.2f} G weights / {flops}")
    if attention_s and s.gpu.fp32_tflops and ATTENTION_FLOPS_FACTOR:
        flops = f"{s.gpu.fp32_tflops:g} FP32 TFLOPS" + (f" × {tensor_parallel}" if tensor_parallel > 1 else "")
        work = attention_s * s.gpu.fp32_tflops * 1e3 * tensor_parallel / ATTENTION_FLOPS_FACTOR
        parts.append(f"{ATTENTION_FLOPS_FACTOR:g} × {work:.2f} GFLOP attention / {flops}")
    if cpu_bytes:
        parts.append(f"{cpu_bytes / GIB:.2f} GiB / {system_ram_gbps:g} GB/s")
    parts.append(f"{fixed_ms:.2f} ms fixed")
    return f"t = {' + '.join(parts)} = {step_s * 1000:.1f} ms"


def _prefill_rate(s: Scenario, fit: HardwareFit, prompt_tokens: int, on_gpu_share: float,
                  system_ram_gbps: float) -> float | None:
    tflops = s.gpu.tensor_tflops(s.effective_engine) if s.gpu else None
    if not tflops:
        return None
    count = s.gpus if s.engine == "vllm" else 1  # layer split runs the layers one GPU after another
    active = (s.model.active_params_b or s.model.params_b) * 1e9
    flops_per_token = 2 * active + 4 * s.model.attention_layers * s.model.hidden * prompt_tokens / 2
    rate = fit.prefill_efficiency * tflops * 1e12 * count / flops_per_token
    if on_gpu_share < 1:
        # Offloaded layers still stream their weights from system RAM once per batch of 512 tokens.
        cpu_bytes = weight_bytes(s.model, find_quant(s.quant), s.engine).bytes * (1 - on_gpu_share)
        rate = 1 / (1 / rate + cpu_bytes / (system_ram_gbps * 1e9) / 512)
    return rate
