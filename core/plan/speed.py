"""Decode and prefill speed: a memory-bandwidth roofline for decode, a compute roofline for prefill,
each with constants fitted to published measurements (bench/speed_fit.py, docs/speed_calibration.md).

Decode reads every active weight and the whole KV cache once per generated token:

    t_token = (W_active_gpu + KV_per_token·n_ctx) / (BW·e) + L·τ  [+ (n_gpu − 1)·τ_split]  [+ W_cpu / BW_ram]

Prefill is compute-bound on the tensor cores: 2 FLOPs per active parameter per token plus attention,
which grows with the prompt: rate = e_p·TFLOPS / (2·P_active + 4·L·d·n_prompt/2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.plan.catalog import GpuSpec
from core.plan.estimate import Scenario, estimate
from core.plan.memory import host_embedding_bytes, kv_bytes_per_token, weight_bytes
from core.plan.quant import find_quant
from core.units import GIB

DEFAULT_SYSTEM_RAM_GBPS = 60.0
"""Effective dual-channel DDR5 bandwidth a CPU-offloaded layer is read at (theoretical 89.6 GB/s at
DDR5-5600; measured CPU streaming reaches roughly two thirds of theoretical)."""


@dataclass(frozen=True)
class HardwareFit:
    """Fitted constants for one class of hardware (docs/speed_calibration.md)."""

    bandwidth_efficiency_quant: float  # share of spec bandwidth reached on block-quantized weights
    bandwidth_efficiency_16bit: float  # same for 16-bit weights
    per_layer_ms: float  # fixed cost per layer per token (kernel launches, synchronisation)
    prefill_efficiency: float  # share of dense FP16 tensor TFLOPS reached in prompt processing


# Replaced by the values bench/speed_fit.py prints; see docs/speed_calibration.md.
FITS: dict[str, HardwareFit] = {
    "nvidia": HardwareFit(0.886, 0.849, 0.0465, 0.436),
    # Too few post-2023 llama.cpp rows on HBM parts to fit decode: the XiongjieDai tables
    # (github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference: A100 SXM 987 of 2039 GB/s, H100 PCIe 1424 of 2000) stand in.
    "nvidia_hbm": HardwareFit(0.55, 0.6, 0.09, 0.315),
    "apple": HardwareFit(0.871, 0.886, 0.1857, 0.72),
    "amd": HardwareFit(0.823, 0.8, 0.0336, 0.404),
}
LAYER_SPLIT_MS_PER_GPU = 0.25
"""Extra per-token cost of each added GPU in llama.cpp's layer split (activations cross PCIe): the median
residual of the multi-GPU rows in the fit half (bench/speed_fit.py)."""
TENSOR_PARALLEL_EFFICIENCY = 0.85
"""Share of the added bandwidth vLLM's tensor parallelism turns into speed (all-reduce per layer)."""
BATCHED_ENGINES = ("vllm",)
"""Engines that batch concurrent requests into one forward pass. Ollama and llama.cpp's server do too
when parallel slots are configured; we model them as serving users in turn, their default."""


@dataclass(frozen=True)
class SpeedEstimate:
    fits: bool
    gpu_layers: int
    total_layers: int
    decode_tokens_per_s: float  # per user
    aggregate_tokens_per_s: float  # all users together
    prefill_tokens_per_s: float | None  # None when the GPU's tensor throughput is not published
    time_to_first_token_s: float | None
    bottleneck: str  # memory_bandwidth | cpu_offload | compute | interconnect
    formula: str


def hardware_class(gpu: GpuSpec) -> str:
    """Apple, AMD, NVIDIA with HBM (datacenter parts, which llama.cpp cannot saturate), other NVIDIA."""
    if gpu.vendor == "Apple":
        return "apple"
    if gpu.vendor == "AMD":
        return "amd"
    return "nvidia_hbm" if gpu.segment == "datacenter" else "nvidia"


def active_weight_bytes(s: Scenario) -> float:
    """Weight bytes read per generated token.

    The token-embedding table is a lookup (one row per token), so it is not streamed; llama.cpp does
    not even keep it on the GPU. A MoE reads its shared weights and only the routed experts: with
    E experts of e parameters each, e = (P − P_active)/(E − E_active), and the experts' bytes are
    taken at the format's bits per weight, the rest of the file being the shared weights.
    """
    model, quant = s.model, find_quant(s.quant)
    total = weight_bytes(model, quant, s.engine).bytes
    streamed = total - (0 if model.tied_embeddings else host_embedding_bytes(model, quant))
    if not model.is_moe or model.active_params_b is None:
        return streamed
    if not model.experts or not model.experts_active:
        # A MoE typed in by its active parameter count alone: each token reads that share of the weights.
        return streamed * model.active_params_b / model.params_b
    per_expert = (model.params_b - model.active_params_b) * 1e9 / (model.experts - model.experts_active)
    expert_bytes = min(streamed, model.experts * per_expert * quant.bits_per_weight / 8)
    return streamed - expert_bytes + expert_bytes * model.experts_active / model.experts


def estimate_speed(
    s: Scenario, users: int = 1, prompt_tokens: int = 512, system_ram_gbps: float = DEFAULT_SYSTEM_RAM_GBPS,
    generated_tokens: int | None = None, answer_tokens: int = 256,
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
    batched = s.engine in BATCHED_ENGINES and s.mode == "inference"
    memory = estimate(replace(s, parallel=max(s.parallel, users) if batched else s.parallel))
    fit = FITS[hardware_class(s.gpu)]
    quant = find_quant(s.quant)
    sixteen_bit = quant.bits_per_weight >= 15
    efficiency = fit.bandwidth_efficiency_16bit if sixteen_bit else fit.bandwidth_efficiency_quant
    bandwidth = s.gpu.bandwidth_gbps * 1e9 * efficiency
    if s.engine == "vllm" and s.gpus > 1:
        bandwidth *= s.gpus * TENSOR_PARALLEL_EFFICIENCY

    weights = active_weight_bytes(s)
    on_gpu_share = memory.gpu_layers / memory.total_layers
    context = generated_tokens if generated_tokens is not None else max(1, s.context // 2)
    kv_read = kv_bytes_per_token(s.model, s.kv_cache if s.kv_cache in ("f16", "q8_0", "q4_0", "fp8") else "f16") * context
    step_users = users if batched else 1
    gpu_bytes = weights * on_gpu_share + kv_read * step_users * on_gpu_share
    cpu_bytes = (weights + kv_read) * (1 - on_gpu_share)
    layers_ms = fit.per_layer_ms * s.model.layers
    split_ms = LAYER_SPLIT_MS_PER_GPU * (s.gpus - 1) if s.engine in ("ollama", "llama.cpp") else 0.0
    step_s = gpu_bytes / bandwidth + cpu_bytes / (system_ram_gbps * 1e9) + (layers_ms + split_ms) / 1000

    prefill = _prefill_rate(s, fit, prompt_tokens, on_gpu_share, system_ram_gbps)
    compute_step_s = None
    if batched and prefill is not None:
        # A batched decode step does as much arithmetic as prefilling one token per user.
        compute_step_s = step_users / prefill
    bottleneck = "cpu_offload" if on_gpu_share < 1 else "memory_bandwidth"
    if compute_step_s is not None and compute_step_s > step_s:
        step_s, bottleneck = compute_step_s, "compute"
    if split_ms and split_ms / 1000 > 0.25 * step_s:
        bottleneck = "interconnect"

    # One request after another (or one batch of users together): prompt prefill, then the answer.
    prefill_s = prompt_tokens * step_users / prefill if prefill else 0.0
    aggregate = step_users * answer_tokens / (prefill_s + answer_tokens * step_s)
    per_user = 1 / step_s if users == 1 else aggregate / users
    ttft = prompt_tokens / prefill if prefill else None
    return SpeedEstimate(
        fits=bool(memory.fits), gpu_layers=memory.gpu_layers, total_layers=memory.total_layers,
        decode_tokens_per_s=per_user, aggregate_tokens_per_s=aggregate, prefill_tokens_per_s=prefill,
        time_to_first_token_s=ttft, bottleneck=bottleneck,
        formula=(
            f"t = ({gpu_bytes / GIB:.2f} GiB on GPU) / ({s.gpu.bandwidth_gbps:g} GB/s × {efficiency:.2f}"
            f"{f' × {s.gpus} × {TENSOR_PARALLEL_EFFICIENCY}' if s.engine == 'vllm' and s.gpus > 1 else ''})"
            f" + {cpu_bytes / GIB:.2f} GiB / {system_ram_gbps:g} GB/s + {s.model.layers} × {fit.per_layer_ms} ms"
            f"{f' + {split_ms:.1f} ms split' if split_ms else ''} = {step_s * 1000:.1f} ms"
        ),
    )


def _prefill_rate(s: Scenario, fit: HardwareFit, prompt_tokens: int, on_gpu_share: float,
                  system_ram_gbps: float) -> float | None:
    tflops = s.gpu.tensor_tflops(s.effective_engine) if s.gpu else None
    if not tflops:
        return None
    count = s.gpus if s.engine == "vllm" else 1  # layer split runs the layers one GPU after another
    active = (s.model.active_params_b or s.model.params_b) * 1e9
    flops_per_token = 2 * active + 4 * s.model.layers * s.model.hidden * prompt_tokens / 2
    rate = fit.prefill_efficiency * tflops * 1e12 * count / flops_per_token
    if on_gpu_share < 1:
        # Offloaded layers still stream their weights from system RAM once per batch of 512 tokens.
        cpu_bytes = weight_bytes(s.model, find_quant(s.quant), s.engine).bytes * (1 - on_gpu_share)
        rate = 1 / (1 / rate + cpu_bytes / (system_ram_gbps * 1e9) / 512)
    return rate
