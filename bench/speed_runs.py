"""The published speed runs the estimator is fitted to: data/speed_benchmarks.csv read into the scenarios the planner
models, each with its source, its build's date and what the run measured. A row the planner cannot model (a GPU,
model or format it does not know, a build from before 2024) is skipped and counted, never guessed."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from pathlib import Path

from core.errors import InputError
from core.plan import speed
from core.plan.catalog import catalog, database
from core.plan.estimate import Scenario, estimate
from core.plan.models import ModelArch, find_model

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "speed_benchmarks.csv"
OLDEST_BUILD = "2024"
"""llama.cpp's kernels and multi-GPU path changed a lot through 2023 (the same RTX 4090 decodes Llama-2-7B
Q4_0 at 149 tok/s in a Dec 2023 table and 186 in today's scoreboard): rows dated before 2024 describe
builds nobody runs now, and are left out of both the fit and the error."""

GPU_IDS = {
    "RTX 2080 Ti": "rtx-2080-ti", "RTX 3060 12GB": "rtx-3060-12gb", "RTX 3070": "rtx-3070",
    "RTX 3080 10GB": "rtx-3080-10gb", "RTX 3080 Ti": "rtx-3080-ti", "RTX 3090": "rtx-3090",
    "RTX 3090 Ti": "rtx-3090-ti", "RTX 4070": "rtx-4070", "RTX 4070 Super": "rtx-4070-super",
    "RTX 4070 Ti": "rtx-4070-ti", "RTX 4070 Ti Super": "rtx-4070-ti-super", "RTX 4080": "rtx-4080",
    "RTX 4080 Super": "rtx-4080-super", "RTX 4090": "rtx-4090", "RTX 5060 Ti 16GB": "rtx-5060-ti-16gb",
    "RTX 5070": "rtx-5070", "RTX 5070 Ti": "rtx-5070-ti", "RTX 5080": "rtx-5080", "RTX 5090": "rtx-5090",
    "RTX A4000": "rtx-a4000", "RTX A5000": "rtx-a5000", "RTX A6000": "rtx-a6000", "RTX 4000 Ada": "rtx-4000-ada",
    "RTX 5000 Ada": "rtx-5000-ada", "RTX 6000 Ada": "rtx-6000-ada", "RTX PRO 6000 Blackwell": "rtx-pro-6000-blackwell",
    "A40": "a40", "A100 40GB": "a100-40gb-pcie", "A100 80GB": "a100-80gb-pcie", "A100 80GB SXM": "a100-80gb-sxm",
    "H100 PCIe": "h100-pcie", "H100 SXM": "h100-sxm", "H200 SXM": "h200", "DGX Spark": "dgx-spark",
    # Cards outside the catalog, from its TechPowerUp database (data/gpu_database.csv): memory and bandwidth as
    # the rows name them (a V100 32GB has 900 GB/s in either form factor).
    "RX 9070 XT": "db-radeon-rx-9070-xt", "RX 9070": "db-radeon-rx-9070", "RX 6700 XT": "db-radeon-rx-6700-xt",
    "RX 6800 XT": "db-radeon-rx-6800-xt", "RTX PRO 2000 Blackwell": "db-rtx-pro-2000-blackwell",
    "RTX PRO 4000 Blackwell": "db-rtx-pro-4000-blackwell", "RTX 4090 D": "db-geforce-rtx-4090-d", "L40": "db-l40",
    "Tesla V100 32GB": "db-tesla-v100-pcie-32-gb", "A30": "db-a30-pcie", "Instinct MI210": "db-radeon-instinct-mi210",
    "Instinct MI100": "db-radeon-instinct-mi100", "Quadro RTX 6000": "db-quadro-rtx-6000",
    "Quadro RTX 8000": "db-quadro-rtx-8000", "Instinct MI60": "db-radeon-instinct-mi60", "Tesla P40": "db-tesla-p40",
    "RTX PRO 6000 Blackwell Max-Q": "db-rtx-pro-6000-blackwell-max-q",
    "GTX 1070": "db-geforce-gtx-1070", "GTX 1070 Ti": "db-geforce-gtx-1070-ti", "GTX 1080 Ti": "db-geforce-gtx-1080-ti",
    "GTX 1660": "db-geforce-gtx-1660", "Quadro RTX 4000": "db-quadro-rtx-4000", "RTX 2060 Super": "db-geforce-rtx-2060-super",
    "RTX 2070 Super": "db-geforce-rtx-2070-super", "RTX A4500": "db-rtx-a4500", "RX 6900 XT": "db-radeon-rx-6900-xt",
    "RX 7800 XT": "db-radeon-rx-7800-xt", "RX 7900 GRE": "db-radeon-rx-7900-gre", "RX 7900 XT": "db-radeon-rx-7900-xt",
    "Radeon Pro VII": "db-radeon-pro-vii", "Tesla T4": "db-tesla-t4", "Titan V": "db-titan-v", "Titan Xp": "db-titan-xp",
    # Both memory sizes of these share one bandwidth; the scoreboard's 7B Q4_0 fits either.
    "RTX 4060 Ti": "rtx-4060-ti-16gb", "Instinct MI50": "db-radeon-instinct-mi50",
    "RX 7900 XTX": "rx-7900-xtx", "Radeon AI PRO R9700": "radeon-ai-pro-r9700", "Radeon PRO W7900": "radeon-pro-w7900",
    "Instinct MI300X": "mi300x", "Radeon 8060S (Strix Halo)": "ryzen-ai-max-395-128gb",
    # Apple: bandwidth depends on the chip and GPU-core bin, not on the memory size.
    "M1 7c": "apple-m1-8gb", "M1 8c": "apple-m1-16gb", "M1 Max 24c": "apple-m1-max-32gb",
    "M1 Max 32c": "apple-m1-max-64gb", "M1 Ultra 48c": "apple-m1-ultra-64gb", "M1 Ultra 64c": "apple-m1-ultra-128gb",
    "M2 Ultra 60c": "apple-m2-ultra-64gb", "M2 Ultra 76c": "apple-m2-ultra-192gb", "M3 Max 30c": "apple-m3-max-36gb",
    "M3 Max 40c": "apple-m3-max-64gb", "M3 Ultra 60c": "apple-m3-ultra-96gb", "M3 Ultra 80c": "apple-m3-ultra-512gb",
    "M4 Pro 16c": "apple-m4-pro-48gb", "M4 Pro 20c": "apple-m4-pro-64gb", "M4 Max 32c": "apple-m4-max-36gb",
    "M4 Max 40c": "apple-m4-max-128gb",
    # Where the memory decides whether a run fitted, a row names it.
    "M4 Max 40c 64GB": "apple-m4-max-64gb",
}
MODEL_IDS = {
    "Llama-2-7B": "llama-2-7b", "Llama-2-13B": "llama-2-13b", "Llama-2-70B": "llama-2-70b",
    "LLaMA-30B": "llama-1-33b", "LLaMA-33B": "llama-1-33b", "LLaMA-65B": "llama-1-65b",
    "Llama-3-8B": "llama-3.1-8b", "Llama-3.1-8B": "llama-3.1-8b", "Llama-3.1-8B-Instruct": "llama-3.1-8b",
    "Meta-Llama-3.1-8B-Instruct": "llama-3.1-8b",
    "Llama-3-70B": "llama-3.1-70b", "Llama-3.1-70B": "llama-3.1-70b", "Llama-3.1-70B-Instruct": "llama-3.1-70b",
    "Llama-3.3-70B-Instruct": "llama-3.3-70b", "Llama-3.3-70B": "llama-3.3-70b",
    "Llama-3.2-1B": "llama-3.2-1b", "Llama-3.2-1B-Instruct": "llama-3.2-1b",
    "Llama-3.2-3B": "llama-3.2-3b", "Llama-3.2-3B-Instruct": "llama-3.2-3b",
    "Llama-3.1-405B": "llama-3.1-405b", "Hermes-3-Llama-3.1-405B": "llama-3.1-405b",
    "Llama-3.1-405B-Instruct": "llama-3.1-405b",
    "DeepSeek-R1-Distill-Qwen-7B": "deepseek-r1-distill-qwen-7b", "DeepSeek-R1-Distill-Qwen-14B": "deepseek-r1-distill-qwen-14b",
    "DeepSeek-R1-Distill-Qwen-32B": "deepseek-r1-distill-qwen-32b", "DeepSeek-R1-Distill-Llama-8B": "deepseek-r1-distill-llama-8b",
    "DeepSeek-R1-Distill-Llama-70B": "deepseek-r1-distill-llama-70b", "DeepSeek-R1-0528-Qwen3-8B": "qwen3-8b",
    "gpt-oss-20b": "gpt-oss-20b", "gpt-oss-120b": "gpt-oss-120b", "Mistral-7B-Instruct-v0.3": "mistral-7b-v0.3",
    "Mistral-Small-3.2-24B": "mistral-small-24b", "Mistral-Small-24B": "mistral-small-24b",
    "Qwen3-4B": "qwen3-4b", "Qwen3-4B-Instruct-2507": "qwen3-4b", "Qwen3-8B": "qwen3-8b", "Qwen3-14B": "qwen3-14b",
    "Qwen3-32B": "qwen3-32b", "Qwen3-30B-A3B": "qwen3-30b-a3b", "Qwen3-30B-A3B-Instruct-2507": "qwen3-30b-a3b",
    "Qwen3-Coder-30B-A3B": "qwen3-30b-a3b", "Qwen3-Coder-30B-A3B-Instruct": "qwen3-30b-a3b",
    "Qwen3-235B-A22B": "qwen3-235b-a22b", "Qwen3-235B-A22B-Instruct-2507": "qwen3-235b-a22b",
    "Qwen2.5-7B": "qwen2.5-7b", "Qwen2.5-7B-Instruct": "qwen2.5-7b", "Qwen2.5-Coder-7B": "qwen2.5-7b",
    "Qwen2.5-14B": "qwen2.5-14b", "Qwen2.5-14B-Instruct": "qwen2.5-14b", "Qwen2.5-32B": "qwen2.5-32b",
    "Qwen2.5-32B-Instruct": "qwen2.5-32b", "Qwen2.5-Coder-32B": "qwen2.5-32b", "Qwen2.5-72B": "qwen2.5-72b",
    "Mixtral-8x7B-Instruct-v0.1": "mixtral-8x7b", "Gemma-3-4B-QAT": "gemma-3-4b", "Gemma-3-4B": "gemma-3-4b",
    "gemma-3-4b-it": "gemma-3-4b", "gemma-3-12b-it": "gemma-3-12b", "gemma-3-27b-it": "gemma-3-27b",
    "Gemma-3-12B": "gemma-3-12b", "Gemma-3-27B": "gemma-3-27b", "Phi-4": "phi-4", "Gemma-3-12B-it": "gemma-3-12b",
    "Qwen3-30B-A3B-Thinking-2507": "qwen3-30b-a3b", "Phi-3.5-mini": "phi-3.5-mini",
    # QwQ-32B is Qwen2.5-32B's architecture (its config.json: 64 layers, 5120 wide, 40/8 heads, 152,064 tokens).
    "QwQ-32B": "qwen2.5-32b",
    "Ministral-3-14B-Instruct-2512": "ministral-3-14b", "Ministral-3-14B": "ministral-3-14b",
    "Ministral-3-8B-Instruct-2512": "ministral-3-8b", "Ministral-3-8B": "ministral-3-8b",
    "Ministral-3-3B-Instruct-2512": "ministral-3-3b", "Phi-4-mini-instruct": "phi-4-mini",
    "Mistral-Large-Instruct-2407": "mistral-large-2407", "Mixtral-8x22B-Instruct-v0.1": "mixtral-8x22b",
    "Mistral-Nemo-Instruct-2407": "mistral-nemo-12b",
    # Wayfarer-12B is a fine-tune of Mistral Nemo: the same architecture and file sizes.
    "Wayfarer-12B": "mistral-nemo-12b",
    "Qwen2.5-0.5B": "qwen2.5-0.5b", "Qwen2.5-1.5B": "qwen2.5-1.5b", "Qwen2.5-3B": "qwen2.5-3b", "Qwen3-0.6B": "qwen3-0.6b",
    "TinyLlama-1.1B": "tinyllama-1.1b", "TinyLlama-1.1B-1T-OpenOrca": "tinyllama-1.1b", "CodeLlama-7B": "codellama-7b",
    "gemma-4-31B-it": "gemma-4-31b", "gemma-4-26B-A4B-it": "gemma-4-26b-a4b", "gemma-4-26b-a4b-it": "gemma-4-26b-a4b",
    "GLM-4.5-Air": "glm-4.5-air", "GLM-4.7-Flash": "glm-4.7-flash",
    # Mistral Small 3.1 adds a vision encoder to Mistral Small 3's language model: its text config is the same.
    "Mistral-Small-3.1-24B-Instruct-2503": "mistral-small-24b", "Mistral-Small-3.1-24B": "mistral-small-24b",
    "Qwen3.6-35B-A3B": "qwen3.6-35b-a3b", "Qwen3.6-27B": "qwen3.6-27b", "Qwen3.5-122B-A10B": "qwen3.5-122b-a10b",
    "Qwen3-Next-80B-A3B-Instruct": "qwen3-next-80b-a3b",
    # Qwen3.5-35B-A3B's config.json is Qwen3.6-35B-A3B's (data/models.csv notes); standard formats only.
    "Qwen3.5-35B-A3B": "qwen3.6-35b-a3b",
    "NVIDIA-Nemotron-3-Nano-30B-A3B": "nemotron-3-nano-30b-a3b", "Nemotron-3-Nano-30B-A3B": "nemotron-3-nano-30b-a3b",
    "NVIDIA-Nemotron-3-Super-120B-A12B": "nemotron-3-super-120b-a12b",
}
QUANT_NAMES = {
    "Q4_0": "Q4_0", "Q4_K_M": "Q4_K_M", "Q4_K_S": "Q4_K_S", "Q5_K_M": "Q5_K_M", "Q6_K": "Q6_K", "Q8_0": "Q8_0",
    "Q3_K_M": "Q3_K_M", "F16": "F16", "BF16": "BF16", "FP8": "FP8", "MXFP4": "MXFP4", "AWQ": "AWQ", "GPTQ": "GPTQ",
    # MLX's affine 4- and 8-bit formats: groups of 64 weights with an fp16 scale and bias, 4.5 and 8.5 bits a
    # weight, as Q4_0 and Q8_0 are.
    "4bit": "Q4_0", "8bit": "Q8_0", "MLX 4bit": "Q4_0", "MLX 8bit": "Q8_0",
    # 6-bit affine, groups of 64: 6.5 bits a weight, against Q6_K's 6.5625 (1% apart).
    "6bit": "Q6_K", "MLX 6bit": "Q6_K",
    # Unsloth's dynamic files: used where the model's file size is published (data/gguf_sizes.csv).
    **{f"{prefix}Q{bits}_K_XL": f"Q{bits}_K_XL" for prefix in ("", "UD-") for bits in (3, 4, 5, 6, 8)},
}
ENGINES = {"llama.cpp": "llama.cpp", "ollama": "ollama", "vllm": "vllm", "mlx": "mlx"}
BACKENDS = {"CUDA": "CUDA", "ROCm": "ROCm", "HIP": "ROCm", "Vulkan": "Vulkan", "Metal": "Metal", "MLX": "MLX", "": "auto"}


@dataclass(frozen=True)
class Measurement:
    source: str
    date: str
    scenario: Scenario
    backend: str
    flash_attention: bool | None
    users: int
    prompt_tokens: int
    generated_tokens: int
    depth_tokens: int
    decode: float | None
    prefill: float | None
    fits: bool

    @property
    def hw(self) -> str:
        assert self.scenario.gpu is not None
        return speed.hardware_class(self.scenario.gpu, self.backend, self.scenario.engine)

    @property
    def attended(self) -> int:
        """The context the average generated token attends to."""
        return max(1, self.depth_tokens + self.generated_tokens // 2)


def source_of(url: str) -> str:
    """One independent source: the owner of a GitHub repository's files (one person or team, with one set of
    machines and scripts across their repositories), or one issue, pull request or discussion thread (its posts
    come from different people on different machines); a web site elsewhere."""
    parts = url.split("/")
    if "github.com" not in url:
        return parts[2].removeprefix("www.")
    thread = re.match(r"https://github\.com/([^/]+/[^/]+)/(issues|pull|discussions)/(\d+)", url)
    return f"{thread.group(1)}#{thread.group(3)}" if thread else parts[3]


OLLAMA_FIT_SINCE = "2026-05-29"
"""Ollama 0.30 (ollama/ollama#16031) hands placement to llama-server's --fit and picks its own batch; runs
before it used Ollama's older estimator, and llama-bench always forces every layer onto the GPU (-ngl 99).
A run whose flash attention is not recorded is sized with the engine's default (default_flash_attention)."""


OLLAMA_FLASH_ATTENTION_SINCE = (("gpt-oss", "2025-08-28"), ("qwen3", "2025-10-09"), ("gemma3", "2025-10-16"),
                                ("ministral-3", "2025-12-07"))
"""When a release of Ollama first turned flash attention on by default for an architecture: the release dates of
v0.11.8, v0.12.4, v0.12.6 and v0.13.2, the first tags holding ollama/ollama commits 85ccf73, 0bda728, c3c85aa and
9191dfa (a run is dated by when it ran, and runs on a release); from 0.30 llama-server's --flash-attn auto turns
it on for all."""


FUSED_ATTENTION = ("vllm", "mlx")
"""Engines whose attention is always one fused kernel (vLLM's attention backends, MLX's scaled_dot_product_attention)."""


def default_flash_attention(engine: str, model: ModelArch, raw: dict[str, str], fitted: bool) -> bool:
    """Flash attention for a run that does not record it: the engine's default for that build and model."""
    if engine != "ollama":
        return False
    return fitted or any((model.family == key or model.id.startswith(key)) and raw["date"] >= since
                         for key, since in OLLAMA_FLASH_ATTENTION_SINCE)


def _version(text: str, engine: str) -> tuple[int, ...] | None:
    """The engine's own version in ``text`` ("Ollama 0.12.3", "rocm/vllm:rocm6.4.1_vllm_0.10.1"), not a driver's
    or a toolkit's that the field may also name ("ROCm 6.0.2" is no Ollama version)."""
    found = re.search(rf"{re.escape(engine)}[\s_:-]*v?(\d+)\.(\d+)(?:\.(\d+))?", text, re.IGNORECASE)
    return tuple(int(g or 0) for g in found.groups()) if found else None


def built_since(raw: dict[str, str], version: tuple[int, ...], date: str) -> bool | None:
    """Whether a run's build is ``version`` or later: by its recorded version, else by its date; None if it
    records neither."""
    recorded = _version(raw["software_version"], raw["engine"])
    if recorded is not None:
        return recorded >= version
    return raw["date"] >= date if raw["date"] else None


def runs_fit(raw: dict[str, str]) -> bool:
    """An Ollama run from 0.30 on: by its recorded version, else by its date."""
    return bool(built_since(raw, (0, 30), OLLAMA_FIT_SINCE))


OLLAMA_DEFAULT_NUM_CTX = (((0, 6, 7), "2025-04-28", 4096), ((0, 15, 5), "2026-01-27", None))
"""The context Ollama allocates when a run sets none: 2,048 tokens until 0.6.7 (ollama@44b466eeb, "config: update
default context length to 4096"), 4,096 from then, and from 0.15.5 a tier by the GPUs' total memory
(ollama@0334ffa62, server/routes.go): 4,096 below 23 GiB, 32,768 from 23 GiB, 262,144 from 47 GiB."""


def ollama_default_num_ctx(raw: dict[str, str], total_gib: float) -> int:
    """Ollama's default context for a run that states none: by its recorded version, else by its date."""
    context = 2048
    for version, date, value in OLLAMA_DEFAULT_NUM_CTX:
        if built_since(raw, version, date):
            context = value if value is not None else (262_144 if total_gib >= 47 else 32_768 if total_gib >= 23 else 4096)
    return context


VLLM_V1_SINCE = ((0, 8), "2025-03-18")
"""vLLM 0.8.0 made its V1 engine the default (vllm-project/vllm#13726, in the v0.8.0 release notes), and 0.11.0
removed V0. V0 spent milliseconds of host work on every decode step that V1 no longer does; the planner models
the engine as it is now, so the speeds of runs on V0 (by their version, else by their date) are left out of the
fit. Whether their model fitted is kept: V1 sizes memory as V0 did (--gpu-memory-utilization)."""


def vllm_v0(raw: dict[str, str]) -> bool:
    return built_since(raw, *VLLM_V1_SINCE) is False


QUANTIZED_KV_ATTENTION_SINCE = "2025-10-09"
"""Before ggml b6646 (ggml-org/llama.cpp, vendored by Ollama from v0.12.4, released on this date), CUDA's flash
attention read a q8_0/q4_0 cache only at head size 128 (ggml-cuda.cu, ggml_backend_cuda_device_supports_op, as
vendored in Ollama v0.12.3): any other head size ran attention on the CPU for every token. The planner models
current builds, where every head size has a kernel, so such runs are left out of the fit."""


def attention_on_cpu(raw: dict[str, str], model: ModelArch, backend: str) -> bool:
    quantized = raw["kv_cache_type"] not in ("", "f16", "f32")
    return (quantized and backend == "CUDA" and raw["flash_attention"] == "1" and model.head_dim != 128
            and bool(raw["date"]) and raw["date"] < QUANTIZED_KV_ATTENTION_SINCE)


MEMORY_UNSTATED = {
    # Apple machines named by chip and GPU cores only: the smallest memory Apple sold each with.
    "M1 Pro 14c": "apple-m1-pro-14c-16gb", "M1 Pro 16c": "apple-m1-pro-16c-16gb", "M2 8c": "apple-m2-8c-8gb",
    "M2 10c": "apple-m2-10c-8gb", "M2 Pro 16c": "apple-m2-pro-16c-16gb", "M2 Pro 19c": "apple-m2-pro-19c-16gb",
    "M2 Max 30c": "apple-m2-max-30c-32gb", "M2 Max 38c": "apple-m2-max-38c-32gb", "M3 Pro 14c": "apple-m3-pro-14c-18gb",
    "M3 Pro 18c": "apple-m3-pro-18c-18gb", "M4 10c": "apple-m4-10c-16gb", "M5 Max 40c": "apple-m5-max-40c-128gb",
}
"""Memory decides only whether a model fits: a run is used on the smallest size when the model fits there (then
every size gives the same answer), and dropped when only a larger one would hold it (its size would be a guess)."""
SMALLER_IN_CATALOG = {
    # The database lists the MI50 with 16 GB only; the 32 GB card has the same chip and 1,024 GB/s.
    "Instinct MI50 32GB": "db-radeon-instinct-mi50",
}
"""Cards the catalogs hold only in a smaller memory size: used as MEMORY_UNSTATED's are, where the model fits the
smaller size."""
SIZED_WHERE_IT_FITS = {**MEMORY_UNSTATED, **SMALLER_IN_CATALOG}
"""Rows whose card is sized smaller than it may be: kept only where the model fits that size."""


def load(path: Path = DATA) -> tuple[list[Measurement], int]:
    gpus = {g.id: g for g in (*catalog(), *database())}
    out, skipped = [], 0
    with path.open(encoding="utf-8") as handle:
        for raw in csv.DictReader(handle):
            gpu_id = GPU_IDS.get(raw["gpu"]) or SIZED_WHERE_IT_FITS.get(raw["gpu"])
            model_id = MODEL_IDS.get(raw["model"])
            engine, quant = ENGINES.get(raw["engine"]), QUANT_NAMES.get(raw["quant"])
            backend = BACKENDS.get(raw["backend"])
            old = bool(raw["date"]) and raw["date"] < OLDEST_BUILD
            # The planner plans workstations: a Raspberry Pi driving a GPU over one PCIe lane is bound by its host.
            old = old or "Raspberry Pi" in raw["notes"]
            if old or not gpu_id or not model_id or not quant or not engine or backend is None:
                skipped += 1
                continue
            model = find_model(model_id)
            if attention_on_cpu(raw, model, backend):
                skipped += 1
                continue
            generated = int(raw["generated_tokens"] or 128)
            prompt = int(raw["prompt_tokens"] or 512)
            depth = int(raw["depth_tokens"] or 0)
            # llama-bench runs its prompt and generation tests each in a context of its own length; an Ollama run
            # allocates the num_ctx it was given, which its notes record.
            # "num_ctx A -> B" records a baseline build's context and the newer one's, which --fit may have trimmed.
            fitted = engine == "ollama" and runs_fit(raw)
            allocated = re.search(r"num_ctx[= ](\d+)(?:\s*->\s*(\d+))?", raw["notes"])
            num_ctx = int(allocated.group(2) if fitted and allocated.group(2) else allocated.group(1)) if allocated else 0
            if engine == "ollama" and not allocated and not raw["depth_tokens"]:
                num_ctx = ollama_default_num_ctx(raw, gpus[gpu_id].vram_gib * int(raw["gpu_count"] or 1))
            context = max(prompt, depth + generated, 512, num_ctx)
            context = min(max(model.context_max, model.context_rope_scaled or 0), context)
            fa = {"1": True, "0": False}.get(raw["flash_attention"])
            # The server's own slots and cache type where the source set them (OLLAMA_NUM_PARALLEL, -np, -ctk).
            scenario = Scenario(model=model, quant=quant, context=context, engine=engine if engine != "mlx" else "llama.cpp",
                                gpu=gpus[gpu_id], gpus=int(raw["gpu_count"] or 1), kv_cache=raw["kv_cache_type"] or "f16",
                                parallel=int(raw["parallel_slots"] or 1),
                                flash_attention=fa if fa is not None else default_flash_attention(engine, model, raw, fitted),
                                auto_fit=fitted)
            try:
                memory = estimate(scenario)
            except InputError:  # a format this engine does not load, or a context past the model's
                skipped += 1
                continue
            if raw["gpu"] in SIZED_WHERE_IT_FITS and not memory.fits:
                skipped += 1
                continue
            if engine == "mlx":
                scenario = replace(scenario, engine="mlx")
            timed = not (engine == "vllm" and vllm_v0(raw))
            out.append(Measurement(
                source=source_of(raw["source_url"]), date=raw["date"], scenario=scenario, backend=backend,
                flash_attention=fa if fa is not None else engine in FUSED_ATTENTION or scenario.flash_attention,
                users=int(raw["users"] or 1), prompt_tokens=prompt, generated_tokens=generated,
                depth_tokens=depth, decode=float(raw["decode_tokens_per_s"]) if raw["decode_tokens_per_s"] and timed else None,
                prefill=float(raw["prefill_tokens_per_s"]) if raw["prefill_tokens_per_s"] and timed else None,
                fits=raw["fits_in_vram"] == "true",
            ))
    return out, skipped


def months(date: str) -> int | None:
    """A run's date as a month count; a year alone is its middle."""
    found = re.match(r"(\d{4})(?:-(\d{2}))?", date)
    return int(found.group(1)) * 12 + (int(found.group(2)) if found.group(2) else 6) - 1 if found else None


def newest_month(rows: list[Measurement]) -> str:
    newest = max(n for n in (months(m.date) for m in rows) if n is not None)
    return f"{newest // 12}-{newest % 12 + 1:02d}"


def build_age(date: str, reference: str) -> float:
    """Years the run's build is older than ``reference``; an undated run counts as current (most undated rows are
    scoreboards whose later entries ran on newer builds)."""
    run, ref = months(date), months(reference)
    return max(0.0, (ref - run) / 12) if run is not None and ref is not None else 0.0


def decode_rows(rows: list[Measurement]) -> list[Measurement]:
    """One user, wholly on the GPU, a decode figure: what the bandwidth model explains."""
    return [m for m in rows if m.users == 1 and m.fits and m.decode]
