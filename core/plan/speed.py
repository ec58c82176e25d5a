"""Decode and prefill speed: a memory-bandwidth roofline for decode, a compute roofline for prefill,
each with constants fitted to published measurements from many independent sources, and an 80% range
from how far the fit missed on sources it never saw (bench/speed_fit.py, docs/speed_calibration.md).

Decode reads every active weight and the KV cache once per generated token, and pays fixed costs:

    t_token = W_gpu / (BW·e) + k_kv·KV·n_ctx / BW  [+ k_nofa·KV·n_ctx / BW without flash attention]
              + k_shader·N_gpu / FP32  [block-quantized weights: unpacking runs on the shader cores; blocks with
                                        one scale each (Q4_0, Q8_0, MXFP4) have a smaller k_shader of their own]
              + k_att·A / FP32  [the attention's arithmetic over the cells each token attends to]
              + (L + s_moe·L_moe + s_rec·L_rec)·τ + c_engine  [+ (n_gpu − 1)·(τ_split [+ τ_amd])  |  + L·(τ_tp + τ_pcie)]
              [+ W_cpu / BW_ram]
              [a MoE: + k_x·X / BW + L_moe·c_moe, X the bytes of the routed experts read;
               BF16 experts on Vulkan: + L_moe·c_bf16vk, as they take the tiled matrix shader]

``e`` and ``τ`` belong to a class of hardware and backend (CUDA, ROCm, Vulkan, Metal, MLX); ``c_engine``
is the host work each engine does per token (sampling, scheduling, kernel launches). A MoE layer launches
more kernels (router, top-k, the chosen experts), so it costs s_moe·τ more on its class's backend, its engine's fixed c_moe,
and its experts, read as many small matrices, k_x more per byte than a plain stream. A hybrid model's recurrent
layers (L_rec: Gated DeltaNet, Mamba 2) update their state in several small kernels, s_rec·τ more each. Apple's M1 Max and Ultra
reach less of their bus than later chips: their e is lowered by one fitted constant. Layer split (Ollama, llama.cpp)
adds no bandwidth, only a hand-over per added GPU (more on AMD cards over PCIe, which pass it through the host);
vLLM's tensor parallelism adds bandwidth and an all-reduce per layer, whose latency at one user does not grow with
the GPU count (τ_pcie more over PCIe than on SXM/OAM fabric).

Prefill is compute-bound on the tensor cores: 2 FLOPs per active parameter per token plus attention,
which grows with the prompt on the attention layers: rate = e_p·TFLOPS / (2·P_active + 4·L_attn·d·n_prompt/2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.plan import speed_fitted as fitted
from core.plan.catalog import GpuSpec
from core.plan.estimate import Scenario, estimate, mlx_holds
from core.plan.memory import average_bits, streamed_weight_bytes, weight_bytes
from core.plan.quant import find_quant
from core.plan.speed_fitted import HardwareFit
from core.plan.speed_ranges import interval_for
from core.plan.traffic import (
    active_weight_bytes,
    attention_flops,
    cache_read_bytes,
    offloaded_expert_bytes,
    routed_expert_bytes,
)
from core.units import GIB

DEFAULT_SYSTEM_RAM_GBPS = 60.0
"""Effective dual-channel DDR5 bandwidth a CPU-offloaded layer is read at (theoretical 89.6 GB/s at
DDR5-5600; measured CPU streaming reaches roughly two thirds of theoretical)."""
BACKENDS = ("auto", "CUDA", "ROCm", "Vulkan", "Metal", "MLX")
ENGINES_FITTED = ("llama.cpp", "ollama", "vllm", "mlx")
"""Engines whose speeds are fitted and tested on published runs. Not transformers' own generate(): in eager PyTorch
the host launches every kernel itself, so a card is often waiting on the CPU (Llama 3.1 8B in BF16 on an A100 80GB:
38.8 tokens/s in Hugging Face's quantization benchmark, where the memory roofline allows about 95), and two
publications are too few to fit that cost, which depends on the CPU, and to measure its error on sources left out."""


OVERHEAD_KEYS = (*ENGINES_FITTED, fitted.OLLAMA_CGO, fitted.OLLAMA_CGO_APPLE)
"""Whose host work per token is fitted apart: each engine, and Ollama before 0.30 on Apple's chips and on the
others (fitted.overhead_key)."""
BATCHED_ENGINES = ("vllm",)
"""Engines that batch concurrent requests into one pass (Ollama and llama-server serve users in turn by default)."""


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
    loads: bool = True
    """False when the engine will not start at all (vLLM keeps every layer on the GPU: it refuses a model whose KV
    pool cannot hold one sequence of the context); the speeds are then what it would reach, not what anyone gets."""
    calibrated: bool = True
    """False for an engine without enough published runs to fit or test (transformers' own generate()): the figures
    are a roofline for it, not a prediction, and nothing should quote them as one."""


def calibrated_engine(engine: str) -> bool:
    return engine in ENGINES_FITTED


def backend_for(gpu: GpuSpec, engine: str, backend: str = "auto") -> str:
    """The backend the engine runs on this GPU: the one asked for, else the usual one (CUDA on NVIDIA, ROCm
    on AMD, Metal on Apple, MLX for the mlx engine)."""
    if backend != "auto":
        return backend
    if engine == "mlx":
        return "MLX"
    return {"NVIDIA": "CUDA", "AMD": "ROCm", "Apple": "Metal"}[gpu.vendor]


def hardware_class(gpu: GpuSpec, backend: str = "auto", engine: str = "llama.cpp") -> str:
    """The class whose fitted constants apply: vendor, memory (HBM; unified: Strix Halo, DGX Spark) and backend. HBM
    parts (A100, H100, H200, Instinct) reach a smaller share of their bandwidth at one user than GDDR cards do."""
    backend = backend_for(gpu, engine, backend)
    if gpu.vendor == "Apple":
        return "apple_mlx" if backend == "MLX" else "apple_metal"
    if gpu.vendor == "AMD":
        family = "amd_apu" if gpu.is_unified_memory else "amd_hbm" if gpu.is_hbm and backend != "Vulkan" else "amd"
        return f"{family}_vulkan" if backend == "Vulkan" else f"{family}_rocm"
    if backend == "Vulkan":
        return "nvidia_vulkan"
    return "nvidia_hbm_cuda" if gpu.is_hbm else "nvidia_unified_cuda" if gpu.is_unified_memory else "nvidia_cuda"


def one_scale_blocks(quant: str) -> bool:
    return find_quant(quant).name in fitted.LEGACY_BLOCKS


def bf16_experts_on_vulkan(s: Scenario, backend: str) -> bool:
    """BF16 expert weights under llama.cpp's Vulkan backend, which runs them through its tiled matrix shader."""
    return backend == "Vulkan" and find_quant(s.quant).name == "BF16"


def slow_bus(gpu: GpuSpec) -> bool:
    return gpu.id.startswith(fitted.SLOW_BUS_CHIPS)


def split_through_host(s: Scenario) -> bool:
    """Layer split across AMD cards that exchange over PCIe (fitted.LAYER_SPLIT_AMD_PCIE_MS_PER_GPU)."""
    return s.gpus > 1 and s.gpu is not None and s.gpu.vendor == "AMD" and s.gpu.id not in fitted.FABRIC_LINKED


def tensor_over_pcie(s: Scenario, tensor_parallel: int) -> bool:
    return tensor_parallel > 1 and s.gpu is not None and "SXM" not in s.gpu.name and s.gpu.id not in fitted.FABRIC_LINKED


def shader_flops_per_weight(quant: str) -> float:
    return fitted.SHADER_FLOPS_PER_WEIGHT_LEGACY if one_scale_blocks(quant) else fitted.SHADER_FLOPS_PER_WEIGHT


def shader_seconds(s: Scenario, gpu_weight_bytes: float, tensor_parallel: int = 1) -> float:
    """Per token, the shader time to unpack and multiply the weights read from GPU memory."""
    quant = find_quant(s.quant)
    if s.gpu is None or not s.gpu.fp32_tflops or quant.bits_per_weight >= 15:
        return 0.0
    weights = gpu_weight_bytes * 8 / average_bits(s.model, quant, streamed_weight_bytes(s.model, quant, s.engine))
    return shader_flops_per_weight(s.quant) * weights / (s.gpu.fp32_tflops * 1e12 * tensor_parallel)


def attention_seconds(s: Scenario, context: int, tensor_parallel: int = 1) -> float:
    """Per token, the attention's arithmetic over the cache on the shader cores (decode's kernels do not use the
    tensor cores for one token)."""
    if s.gpu is None or not s.gpu.fp32_tflops:
        return 0.0
    return fitted.ATTENTION_FLOPS_FACTOR * attention_flops(s.model, context) / (s.gpu.fp32_tflops * 1e12 * tensor_parallel)


def estimate_speed(
    s: Scenario, users: int = 1, prompt_tokens: int = 512, system_ram_gbps: float = DEFAULT_SYSTEM_RAM_GBPS,
    generated_tokens: int | None = None, answer_tokens: int = 256, backend: str = "auto",
    flash_attention: bool = True, build_age_years: float = 0.0,
) -> SpeedEstimate:
    """Speed of ``s`` on ``s.gpu`` (× ``s.gpus``). ValueError when no GPU is given.

    ``generated_tokens`` is the context the average decoded token attends to; by default half the
    context, i.e. decode over a context that fills up as it goes. With several users, each request is
    ``prompt_tokens`` in and ``answer_tokens`` out, and the throughput counts the prompts' prefill too.
    ``build_age_years``: how much older the engine's build is than fitted.BUILD_REFERENCE (0: as of then).
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
    fit = fitted.FITS[cls]
    quant = find_quant(s.quant)
    sixteen_bit = quant.bits_per_weight >= 15
    efficiency = fit.bandwidth_efficiency_16bit if sixteen_bit else fit.bandwidth_efficiency_quant
    if slow_bus(s.gpu):
        efficiency = 1 / (1 / efficiency + fitted.SLOW_BUS_EXTRA)
    tensor_parallel = s.gpus if s.engine == "vllm" and s.gpus > 1 else 1
    bandwidth = s.gpu.bandwidth_gbps * 1e9 * tensor_parallel

    weights = active_weight_bytes(s)
    on_gpu_share = memory.gpu_layers / memory.total_layers
    context = generated_tokens if generated_tokens is not None else max(1, s.context // 2)
    kv_type = s.kv_cache if s.kv_cache in ("f16", "q8_0", "q4_0", "fp8") else "f16"
    kv_read = cache_read_bytes(s.model, kv_type, context)
    step_users = users if batched else 1
    kv_factor = fitted.KV_READ_FACTOR + (0.0 if flash_attention else fitted.KV_READ_FACTOR_NO_FA)
    # Experts --fit moved to system RAM are read there; everything else of every layer stays on the GPU.
    cpu_experts = offloaded_expert_bytes(s, memory)
    gpu_seconds = ((weights * on_gpu_share - cpu_experts) / efficiency
                   + kv_read * step_users * on_gpu_share * kv_factor) / bandwidth
    cpu_bytes = (weights + kv_read) * (1 - on_gpu_share) + cpu_experts
    expert_bytes_gpu = max(0.0, routed_expert_bytes(s) * on_gpu_share - cpu_experts)
    gpu_seconds += fitted.EXPERT_READ_EXTRA * expert_bytes_gpu / bandwidth
    shader_s = shader_seconds(s, weights * on_gpu_share - cpu_experts, tensor_parallel)
    attention_s = attention_seconds(s, context, tensor_parallel) * on_gpu_share * step_users
    gpu_seconds += shader_s + attention_s
    per_layer_ms = fit.per_layer_ms + fitted.BUILD_AGE_MS_PER_LAYER_YEAR * max(0.0, build_age_years)
    fixed_ms = (per_layer_ms * (s.model.layers + fitted.MOE_LAYER_TAU_SHARE * s.model.moe_layers
                                + fitted.RECURRENT_LAYER_TAU_SHARE * s.model.recurrent_layers)
                + fitted.MOE_MS_PER_LAYER.get(fitted.moe_key(s), 0.0) * s.model.moe_layers)
    if bf16_experts_on_vulkan(s, chosen):
        fixed_ms += fitted.BF16_EXPERTS_VULKAN_MS_PER_LAYER * s.model.moe_layers
    fixed_ms += fitted.ENGINE_OVERHEAD_MS.get(fitted.overhead_key(s), 0.0)
    split_ms = 0.0
    if s.engine in ("ollama", "llama.cpp"):
        split_ms = (fitted.LAYER_SPLIT_MS_PER_GPU
                    + (fitted.LAYER_SPLIT_AMD_PCIE_MS_PER_GPU if split_through_host(s) else 0.0)) * (s.gpus - 1)
    split_ms += fitted.TENSOR_PARALLEL_MS_PER_LAYER * s.model.layers if tensor_parallel > 1 else 0.0
    split_ms += fitted.TENSOR_PARALLEL_PCIE_MS_PER_LAYER * s.model.layers if tensor_over_pcie(s, tensor_parallel) else 0.0
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
    low, high = interval_for(cls, s.engine, s.model)
    loads = memory.max_concurrent_tokens is None or memory.max_concurrent_tokens >= s.context
    return SpeedEstimate(
        fits=mlx_holds(memory, s.gpu) if s.engine == "mlx" else bool(memory.fits),
        gpu_layers=memory.gpu_layers, total_layers=memory.total_layers,
        decode_tokens_per_s=per_user, decode_tokens_per_s_low=per_user * low, decode_tokens_per_s_high=per_user * high,
        aggregate_tokens_per_s=aggregate, prefill_tokens_per_s=prefill, time_to_first_token_s=ttft,
        bottleneck=bottleneck, backend=chosen, hardware_class=cls,
        formula=_formula(s, weights * on_gpu_share - cpu_experts, kv_read * step_users * on_gpu_share, cpu_bytes, efficiency,
                         kv_factor, tensor_parallel, fixed_ms + split_ms, shader_s, attention_s, system_ram_gbps, step_s,
                         expert_bytes_gpu),
        loads=loads, calibrated=calibrated_engine(s.engine),
    )


def _formula(s: Scenario, weights: float, kv: float, cpu_bytes: float, efficiency: float, kv_factor: float,
             tensor_parallel: int, fixed_ms: float, shader_s: float, attention_s: float, system_ram_gbps: float,
             step_s: float, expert_bytes: float) -> str:
    assert s.gpu is not None
    bw = f"{s.gpu.bandwidth_gbps:g} GB/s" + (f" × {tensor_parallel}" if tensor_parallel > 1 else "")
    parts = [f"{weights / GIB:.2f} GiB / ({bw} × {efficiency:.2f})", f"{kv_factor:.2f} × {kv / GIB:.2f} GiB KV / {bw}"]
    if expert_bytes and fitted.EXPERT_READ_EXTRA:
        parts.append(f"{fitted.EXPERT_READ_EXTRA:g} × {expert_bytes / GIB:.2f} GiB experts / {bw}")
    if shader_s and s.gpu.fp32_tflops:
        flops = f"{s.gpu.fp32_tflops:g} FP32 TFLOPS" + (f" × {tensor_parallel}" if tensor_parallel > 1 else "")
        per_weight = shader_flops_per_weight(s.quant)
        weights_g = shader_s * s.gpu.fp32_tflops * 1e3 * tensor_parallel / per_weight
        parts.append(f"{per_weight:g} FLOPs × {weights_g:.2f} G weights / {flops}")
    if attention_s and s.gpu.fp32_tflops and fitted.ATTENTION_FLOPS_FACTOR:
        flops = f"{s.gpu.fp32_tflops:g} FP32 TFLOPS" + (f" × {tensor_parallel}" if tensor_parallel > 1 else "")
        work = attention_s * s.gpu.fp32_tflops * 1e3 * tensor_parallel / fitted.ATTENTION_FLOPS_FACTOR
        parts.append(f"{fitted.ATTENTION_FLOPS_FACTOR:g} × {work:.2f} GFLOP attention / {flops}")
    if cpu_bytes:
        parts.append(f"{cpu_bytes / GIB:.2f} GiB / {system_ram_gbps:g} GB/s")
    parts.append(f"{fixed_ms:.2f} ms fixed (builds of {fitted.BUILD_REFERENCE})")
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
