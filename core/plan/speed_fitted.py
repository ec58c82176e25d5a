"""The speed model's fitted constants (core.plan.speed), written by `python -m bench.speed_fit --write` from the
fit on every source; how they were fitted and how far they miss on sources left out: docs/speed_calibration.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.plan.estimate import Scenario


@dataclass(frozen=True)
class HardwareFit:
    """Fitted constants for one class of hardware and backend (docs/speed_calibration.md)."""

    bandwidth_efficiency_quant: float  # share of spec bandwidth reached on block-quantized weights
    bandwidth_efficiency_16bit: float  # same for 16-bit weights
    per_layer_ms: float  # fixed cost per layer per token (kernel launches, synchronisation)
    prefill_efficiency: float  # share of dense FP16 tensor TFLOPS reached in prompt processing


FITS: dict[str, HardwareFit] = {
    "nvidia_cuda": HardwareFit(0.844, 0.829, 0.0149, 0.398),
    "nvidia_hbm_cuda": HardwareFit(0.808, 0.799, 0.054, 0.216),
    "nvidia_unified_cuda": HardwareFit(0.804, 0.8, 0.0537, 0.206),
    "nvidia_vulkan": HardwareFit(0.803, 0.8, 0.0, 0.39),
    "amd_rocm": HardwareFit(0.816, 0.802, 0.056, 0.179),
    "amd_hbm_rocm": HardwareFit(0.774, 0.793, 0.1073, 0.4),
    "amd_vulkan": HardwareFit(0.812, 0.8, 0.0452, 0.4),
    "amd_apu_rocm": HardwareFit(0.814, 0.806, 0.0822, 0.4),
    "amd_apu_vulkan": HardwareFit(0.835, 0.802, 0.0485, 0.4),
    "apple_metal": HardwareFit(0.801, 0.814, 0.1135, 0.618),
    "apple_mlx": HardwareFit(0.823, 0.805, 0.0417, 0.4),
}
ENGINE_OVERHEAD_MS = {"llama.cpp": 0.178, "ollama": 0.0, "vllm": 0.223, "mlx": 0.0, "ollama_cgo": 0.632, "ollama_cgo_apple": 0.0}
"""Host work per generated token that no bandwidth removes: sampling, scheduling, launching the graph."""
OLLAMA_CGO = "ollama_cgo"
"""ENGINE_OVERHEAD_MS's key for Ollama before 0.30, which ran GGML models in its own cgo runners; 0.30 runs them in
llama.cpp's llama-server (ollama/ollama#16031, "runner: Remove CGO engines, use llama-server exclusively for GGML
models"). Ollama's later runs are the ones placed by --fit (``Scenario.auto_fit``), and so is every plan."""


OLLAMA_CGO_APPLE = "ollama_cgo_apple"
"""The same runners on Apple's chips, fitted apart: held out in turn, Ollama's pre-0.30 runs on CUDA and ROCm
cards ran slower than one cost for both could say, and those on Macs faster."""


def overhead_key(s: Scenario) -> str:
    """Whose host work per token a run or a plan pays."""
    if s.engine == "ollama" and not s.auto_fit:
        return OLLAMA_CGO_APPLE if s.gpu is not None and s.gpu.vendor == "Apple" else OLLAMA_CGO
    return s.engine


BUILD_AGE_MS_PER_LAYER_YEAR = 0.0159
"""Each year a build is older than BUILD_REFERENCE adds this to every layer's fixed cost τ: fused kernels and
graphs have cut launches per layer release by release. Predictions are for builds as of BUILD_REFERENCE."""
BUILD_REFERENCE = "2026-10"
"""The newest month of the calibration runs: the software generation every prediction is for."""
KV_READ_FACTOR = 1.245
"""Attention reads the KV cache at this many times the cost of streaming the same bytes of weights."""
KV_READ_FACTOR_NO_FA = 0.532
"""Extra KV cost without flash attention (the scores are written out and read back)."""
LAYER_SPLIT_MS_PER_GPU = 0.235
"""Per-token hand-over cost of each added GPU in llama.cpp's layer split (activations cross PCIe)."""
LAYER_SPLIT_AMD_PCIE_MS_PER_GPU = 1.772
"""What each added GPU's hand-over costs on top of LAYER_SPLIT_MS_PER_GPU where AMD cards split the layers over PCIe
(not FABRIC_LINKED), under ROCm or Vulkan: without peer-to-peer copies between the cards, the activations go through
the host and the next card waits for them (two MI50s under llama.cpp and Ollama, two RX 7900 XTX under Vulkan, from
four sources, ran ×0.63-×0.79 of one shared hand-over cost)."""
TENSOR_PARALLEL_MS_PER_LAYER = 0.02
"""Per-token all-reduce cost per layer in vLLM's tensor parallelism. Paid once per layer whatever the GPU count: at one
user the exchange is a few kilobytes, so its latency, not its bytes, sets the cost (fitted per added GPU instead, the
held-out vLLM runs missed by a median of 27.8% against 24%)."""
TENSOR_PARALLEL_PCIE_MS_PER_LAYER = 0.0058
"""What each layer's all-reduce adds on top where the GPUs exchange over PCIe rather than a board-level fabric
(FABRIC_LINKED): through the host bridges, each small exchange waits longer."""
FABRIC_LINKED = ("mi300x", "db-radeon-instinct-mi250", "db-radeon-instinct-mi250x", "db-radeon-instinct-mi300",
                 "db-radeon-instinct-mi350x", "db-radeon-instinct-mi355x", "db-b200")
"""Modules whose GPUs sit on one board-level fabric besides every SXM part (NVLink): AMD's OAM Instinct parts
(Infinity Fabric) and the B200. Every other card in tensor parallelism talks over PCIe; a PCIe card's NVLink
bridge is optional, so it does not count."""
MOE_MS_PER_LAYER = {"llama.cpp": 0.0324, "ollama_cgo": 0.0561, "mlx": 0.0545, "vllm": 0.0737}
"""Per-token cost of each mixture-of-experts layer that does not scale with its backend's launch cost (the host's
share of routing), per engine (moe_key): each builds its MoE layer its own way, llama.cpp's graph (which Ollama runs
from 0.30 on), Ollama's cgo runners before it, mlx-lm's and vLLM's. The launch part is MOE_LAYER_TAU_SHARE."""


def moe_key(s: Scenario) -> str:
    """Whose MoE layer a run or a plan pays: Ollama from 0.30 runs llama.cpp's, before it its own cgo runners'."""
    if s.engine == "ollama":
        return "llama.cpp" if s.auto_fit else OLLAMA_CGO
    return s.engine


EXPERT_READ_EXTRA = 0.177
"""Routed experts are read as many small matrices: each byte of them costs this much more than streaming."""
MOE_LAYER_TAU_SHARE = 0.5
"""Each mixture-of-experts layer also costs this share of its class's per-layer cost τ more (the router, top-k,
gathering the chosen experts: more kernels to launch, each at the backend's own launch cost)."""
RECURRENT_LAYER_TAU_SHARE = 1.0
"""Each recurrent layer of a hybrid model (Gated DeltaNet in Qwen3-Next and Qwen3.5/3.6, Mamba 2 in Nemotron 3) costs
this share of its class's per-layer cost τ more: its state update (a short convolution, gates, the delta rule) is
several small kernels where attention over a short cache is one. Chosen, not fitted, by leave-one-source-out among
0.5-3 (docs/speed_calibration.md); the fit keeps it fixed."""
SLOW_BUS_CHIPS = ("apple-m1-max", "apple-m1-ultra")
"""Apple's first Max and Ultra chips, whose GPU streams weights more slowly for its advertised bandwidth than
the later chips of its class: held-out runs of them from four sources came out 0.83-0.91 of the prediction."""
SLOW_BUS_EXTRA = 0.197
"""On those chips each weight byte costs this share of a byte at the bus's full rate more."""
BF16_EXPERTS_VULKAN_MS_PER_LAYER = 1.348
"""Per MoE layer, what 16-bit brain-float experts cost more on llama.cpp's Vulkan backend: its one-token
mat-vec path for MUL_MAT_ID takes F32, F16 and block-quantized experts only (ggml-vulkan.cpp's dispatch;
ggml.c marks BF16 as not quantized), so BF16 experts run the tiled matrix-matrix `matmul_id_bf16` shader."""
SHADER_FLOPS_PER_WEIGHT = 5.76
"""Shader work per weight read of a k-quant or other grouped format (unpacking the block and its sub-block
scales, scaling, the dot product), paid at the card's FP32
vector rate on top of the memory stream: why an A100 (1,935 GB/s, 19.5 FP32 TFLOPS) decodes no faster than
an RTX 4090 (1,008 GB/s, 82.6). Cards whose FP32 rate is not in the catalog (Apple) have it in their class's
bandwidth share instead."""
SHADER_FLOPS_PER_WEIGHT_LEGACY = 4.77
"""The same for blocks with one scale each (ggml's Q4_0 and Q8_0, Unsloth's Q8_0-based Q8_K_XL, MXFP4's 32
values per power-of-two scale): no sub-block scales to unpack."""
LEGACY_BLOCKS = ("Q4_0", "Q8_0", "Q8_K_XL", "MXFP4")
ATTENTION_FLOPS_FACTOR = 1.744
"""The attention's arithmetic over the cache (core.plan.traffic.attention_flops), paid at this many times the
card's FP32 vector rate: decode's attention kernels run on the shader cores for one token."""
INTERVALS: dict[str, tuple[float, float]] = {
    "*": (0.682, 1.284),
    "*/dense": (0.755, 1.237),
    "*/moe": (0.582, 1.349),
    "*/small": (0.57, 1.403),
    "amd_apu_rocm/dense": (0.597, 1.224),
    "amd_apu_rocm/llama.cpp/dense": (0.597, 1.224),
    "amd_apu_rocm/llama.cpp/moe": (0.75, 1.365),
    "amd_apu_rocm/moe": (0.75, 1.315),
    "amd_apu_vulkan/dense": (0.903, 1.163),
    "amd_apu_vulkan/llama.cpp/dense": (0.903, 1.16),
    "amd_apu_vulkan/llama.cpp/moe": (0.399, 1.349),
    "amd_apu_vulkan/moe": (0.399, 1.349),
    "amd_hbm_rocm/dense": (0.723, 1.984),
    "amd_hbm_rocm/llama.cpp/dense": (0.77, 1.183),
    "amd_rocm/dense": (0.938, 1.261),
    "amd_rocm/llama.cpp/dense": (0.937, 1.267),
    "amd_vulkan/dense": (0.757, 1.441),
    "amd_vulkan/llama.cpp/dense": (0.757, 1.441),
    "apple_metal/dense": (0.621, 1.141),
    "apple_metal/llama.cpp/dense": (0.609, 1.143),
    "apple_metal/moe": (0.522, 1.164),
    "apple_metal/ollama/dense": (0.802, 1.116),
    "apple_mlx/dense": (0.723, 1.21),
    "apple_mlx/mlx/dense": (0.723, 1.21),
    "apple_mlx/mlx/moe": (0.689, 1.339),
    "apple_mlx/mlx/small": (0.627, 1.458),
    "apple_mlx/moe": (0.689, 1.339),
    "apple_mlx/small": (0.627, 1.458),
    "nvidia_cuda/dense": (0.808, 1.213),
    "nvidia_cuda/llama.cpp/dense": (0.844, 1.213),
    "nvidia_cuda/llama.cpp/moe": (0.785, 1.401),
    "nvidia_cuda/moe": (0.795, 1.401),
    "nvidia_cuda/ollama/dense": (0.777, 1.223),
    "nvidia_cuda/ollama/moe": (0.822, 1.397),
    "nvidia_cuda/ollama/small": (0.531, 1.077),
    "nvidia_cuda/small": (0.531, 1.077),
    "nvidia_cuda/vllm/dense": (0.855, 1.207),
    "nvidia_hbm_cuda/dense": (0.908, 1.288),
    "nvidia_hbm_cuda/llama.cpp/dense": (0.931, 1.295),
    "nvidia_hbm_cuda/moe": (0.573, 1.618),
    "nvidia_hbm_cuda/ollama/dense": (0.908, 1.162),
    "nvidia_vulkan/dense": (0.843, 1.154),
    "nvidia_vulkan/llama.cpp/dense": (0.843, 1.154),
}
"""Measured ÷ predicted decode speed that 80% of held-out runs fell within, per "class/engine", else per
class, else for everything ("*"): the range a prediction is quoted with."""
CALIBRATED_ON = (f"llama.cpp and Ollama builds, vLLM (its V1 engine) and MLX releases from 2024 to {BUILD_REFERENCE}; "
                 f"predicted for builds as of {BUILD_REFERENCE}")
