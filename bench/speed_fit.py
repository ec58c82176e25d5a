"""Fit the speed estimator to published measurements and say how far off it is on sources it never saw.

The headline is leave-one-source-out: fit on every source but one, predict that one, repeat. Rows of one
source share hardware, build, settings and method, so a split inside sources measures interpolation, not
what a user gets. The 80% ranges the estimator ships come from these held-out residuals, per class of
hardware; their coverage is checked the same way (quantiles from the other sources, tested on the one
left out). `python -m bench.speed_fit --write` writes the constants fitted on every source into
core/plan/speed_fitted.py.
"""

from __future__ import annotations

import collections
import csv
import math
import re
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.errors import InputError
from core.plan import speed, speed_ranges, traffic
from core.plan import speed_fitted as fitted
from core.plan.catalog import catalog, database
from core.plan.estimate import Scenario, estimate
from core.plan.models import ModelArch, find_model

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "speed_benchmarks.csv"
OLDEST_BUILD = "2024"
"""llama.cpp's kernels and multi-GPU path changed a lot through 2023 (the same RTX 4090 decodes Llama-2-7B
Q4_0 at 149 tok/s in a Dec 2023 table and 186 in today's scoreboard): rows dated before 2024 describe
builds nobody runs now, and are left out of both the fit and the error."""
PRIOR_WEIGHT = 3.0
"""How many measurements' worth of pull toward the prior each constant gets: a class with two rows cannot
swing its constants far. Measured leaving one source out (median / p90) on 1,449 runs: 1 → 10.2% / 29.8%,
1.5 → 10.2% / 30.6%, 2 → 10.1% / 30.1%, 2.5 → 10.2% / 29.6%, 3 → 10.1% / 29.4%, 4 → 10.1% / 29.4%; from 2.5 on the
p90 stays under 30% at the same median, and 3 is the middle of that stretch."""
HUBER_DELTA = 0.15
SOURCE_WEIGHT_POWER = 0.5
"""Each run weighs 1/√(its source's run count) in the fit: a source of 300 runs counts about 17 times a source
of one run, not 300 times, so one lab's hardware and build do not set the constants every other source is
predicted with (what leaving a source out measures)."""
MIN_ROWS_FOR_INTERVAL = 15
TAIL_SHARES = (0.10, 0.075, 0.05, 0.035, 0.025)
"""Candidate shares of held-out runs left outside each end of the range, narrowest range first: the first
whose ranges, built from the other sources only, cover at least COVERAGE_GOAL of each left-out source's
runs is shipped (errors cluster by source, so the 10th-90th percentile of pooled residuals covers less)."""
COVERAGE_GOAL = 78.0

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


def predict(m: Measurement) -> speed.SpeedEstimate:
    kwargs = {"backend": m.backend, "flash_attention": m.flash_attention is not False,
              "build_age_years": build_age(m.date, fitted.BUILD_REFERENCE)}
    if m.users == 1:
        return speed.estimate_speed(m.scenario, prompt_tokens=m.prompt_tokens, generated_tokens=m.attended, **kwargs)
    return speed.estimate_speed(m.scenario, users=m.users, prompt_tokens=m.prompt_tokens,
                                generated_tokens=m.prompt_tokens + m.generated_tokens // 2,
                                answer_tokens=m.generated_tokens, **kwargs)


# --- the fit: robust, linear in its constants, pulled toward a prior ---------------------------------------


@dataclass(frozen=True)
class Constants:
    fits: dict[str, fitted.HardwareFit]
    engine_ms: dict[str, float]
    kv: float
    kv_nofa: float
    split_ms: float
    tp_ms: float
    tp_pcie_ms: float
    moe_ms: dict[str, float]
    shader: float
    attention: float
    shader_legacy: float
    expert: float
    moe_tau: float
    bf16_vulkan_ms: float
    slow_bus: float
    age_ms: float
    reference: str

    @staticmethod
    def shipped() -> Constants:
        return Constants(dict(fitted.FITS), dict(fitted.ENGINE_OVERHEAD_MS), fitted.KV_READ_FACTOR,
                         fitted.KV_READ_FACTOR_NO_FA, fitted.LAYER_SPLIT_MS_PER_GPU, fitted.TENSOR_PARALLEL_MS_PER_LAYER,
                         fitted.TENSOR_PARALLEL_PCIE_MS_PER_LAYER,
                         dict(fitted.MOE_MS_PER_LAYER), fitted.SHADER_FLOPS_PER_WEIGHT, fitted.ATTENTION_FLOPS_FACTOR,
                         fitted.SHADER_FLOPS_PER_WEIGHT_LEGACY, fitted.EXPERT_READ_EXTRA, fitted.MOE_LAYER_TAU_SHARE,
                         fitted.BF16_EXPERTS_VULKAN_MS_PER_LAYER, fitted.SLOW_BUS_EXTRA,
                         fitted.BUILD_AGE_MS_PER_LAYER_YEAR, fitted.BUILD_REFERENCE)

    def count(self) -> int:
        return 3 * len(self.fits) + len(self.engine_ms) + len(self.moe_ms) + 14  # with the recurrent layers' share of τ, chosen


PRIOR = Constants(
    # Bandwidth shares and per-layer costs a roofline would start from; classes with few rows stay near them.
    fits={cls: fitted.HardwareFit(0.8, 0.8, 0.05, 0.4) for cls in fitted.FITS},
    engine_ms={engine: 0.0 for engine in speed.OVERHEAD_KEYS}, kv=1.0, kv_nofa=0.5, split_ms=0.25, tp_ms=0.02, tp_pcie_ms=0.0,
    moe_ms={key: 0.05 for key in fitted.MOE_MS_PER_LAYER}, shader=4.0, attention=1.0, shader_legacy=4.0, expert=0.0,
    moe_tau=0.0, bf16_vulkan_ms=0.0, slow_bus=0.0,
    age_ms=0.0, reference="",
)
MOE_TAU_SHARES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
"""Candidates for the share of τ a MoE layer adds (fitted.MOE_LAYER_TAU_SHARE): the fit keeps the one with the
smallest loss on its own runs, so a left-out source never chooses it."""


@contextmanager
def using(constants: Constants) -> Iterator[None]:
    """Predict with ``constants`` in place of the shipped ones."""
    saved = Constants.shipped()

    def put(c: Constants) -> None:
        fitted.FITS.clear()
        fitted.FITS.update(c.fits)
        fitted.ENGINE_OVERHEAD_MS.clear()
        fitted.ENGINE_OVERHEAD_MS.update(c.engine_ms)
        fitted.KV_READ_FACTOR, fitted.KV_READ_FACTOR_NO_FA = c.kv, c.kv_nofa
        fitted.LAYER_SPLIT_MS_PER_GPU, fitted.TENSOR_PARALLEL_MS_PER_LAYER = c.split_ms, c.tp_ms
        fitted.TENSOR_PARALLEL_PCIE_MS_PER_LAYER = c.tp_pcie_ms
        fitted.MOE_MS_PER_LAYER.clear()
        fitted.MOE_MS_PER_LAYER.update(c.moe_ms)
        fitted.SHADER_FLOPS_PER_WEIGHT = c.shader
        fitted.SHADER_FLOPS_PER_WEIGHT_LEGACY = c.shader_legacy
        fitted.ATTENTION_FLOPS_FACTOR = c.attention
        fitted.EXPERT_READ_EXTRA = c.expert
        fitted.MOE_LAYER_TAU_SHARE = c.moe_tau
        fitted.BF16_EXPERTS_VULKAN_MS_PER_LAYER = c.bf16_vulkan_ms
        fitted.SLOW_BUS_EXTRA = c.slow_bus
        fitted.BUILD_AGE_MS_PER_LAYER_YEAR, fitted.BUILD_REFERENCE = c.age_ms, c.reference

    put(constants)
    try:
        yield
    finally:
        put(saved)


def decode_rows(rows: list[Measurement]) -> list[Measurement]:
    """One user, wholly on the GPU, a decode figure: what the bandwidth model explains."""
    return [m for m in rows if m.users == 1 and m.fits and m.decode]


def _columns() -> list[tuple[str, str]]:
    cols = [(cls, what) for cls in fitted.FITS for what in ("a_quant", "a_16bit", "tau")]
    shared = [("", name) for name in ("kv", "kv_nofa", "split", "tp", "tp_pcie", "shader", "shader_legacy", "attention",
                                      "expert", "slow_bus", "bf16_vulkan", "age")]
    return cols + [(e, "engine") for e in speed.OVERHEAD_KEYS] + [(e, "moe") for e in fitted.MOE_MS_PER_LAYER] + shared


def _moe_tau_row(m: Measurement, index: dict[tuple[str, str], int], reference: str) -> np.ndarray:
    """What one unit of the MoE layer's share of τ adds to a run's row: its MoE layers, in its class's τ column
    and, by its build's age, in the age column."""
    row = np.zeros(len(index))
    row[index[(m.hw, "tau")]] = m.scenario.model.moe_layers / 1000
    row[index[("", "age")]] = build_age(m.date, reference) * m.scenario.model.moe_layers / 1000
    return row


def _design(m: Measurement, index: dict[tuple[str, str], int], reference: str) -> np.ndarray:
    s = m.scenario
    assert s.gpu is not None
    row = np.zeros(len(index))
    tp = s.gpus if s.engine == "vllm" else 1
    bandwidth = s.gpu.bandwidth_gbps * 1e9 * tp
    sixteen = s.quant in ("F16", "BF16")
    x_weights = traffic.active_weight_bytes(s) / bandwidth
    x_kv = traffic.cache_read_bytes(s.model, s.kv_cache, m.attended) / bandwidth
    row[index[(m.hw, "a_16bit" if sixteen else "a_quant")]] = x_weights
    # A MoE layer's share of τ: _moe_tau_row; a recurrent layer's is fixed (fitted.RECURRENT_LAYER_TAU_SHARE).
    layers = s.model.layers + fitted.RECURRENT_LAYER_TAU_SHARE * s.model.recurrent_layers
    row[index[(m.hw, "tau")]] = layers / 1000
    row[index[("", "age")]] = build_age(m.date, reference) * layers / 1000
    row[index[(fitted.overhead_key(s), "engine")]] = 1 / 1000
    row[index[("", "kv")]] = x_kv
    row[index[("", "kv_nofa")]] = x_kv if m.flash_attention is False else 0.0
    row[index[("", "split")]] = (s.gpus - 1) / 1000 if s.engine != "vllm" else 0.0
    row[index[("", "tp")]] = s.model.layers / 1000 if tp > 1 else 0.0
    row[index[("", "tp_pcie")]] = s.model.layers / 1000 if speed.tensor_over_pcie(s, tp) else 0.0
    row[index[(fitted.moe_key(s), "moe")]] = s.model.moe_layers / 1000
    row[index[("", "expert")]] = traffic.routed_expert_bytes(s) / bandwidth
    row[index[("", "slow_bus")]] = x_weights if speed.slow_bus(s.gpu) else 0.0
    row[index[("", "bf16_vulkan")]] = s.model.moe_layers / 1000 if speed.bf16_experts_on_vulkan(s, m.backend) else 0.0
    with using(replace(Constants.shipped(), shader=1.0, shader_legacy=1.0)):
        row[index[("", "shader_legacy" if speed.one_scale_blocks(s.quant) else "shader")]] = speed.shader_seconds(
            s, traffic.active_weight_bytes(s), tp)
    with using(replace(Constants.shipped(), attention=1.0)):
        row[index[("", "attention")]] = speed.attention_seconds(s, m.attended, tp)
    return row


def _prior_vector(index: dict[tuple[str, str], int]) -> tuple[np.ndarray, np.ndarray]:
    value, scale = np.zeros(len(index)), np.zeros(len(index))
    for (key, what), i in index.items():
        if what in ("a_quant", "a_16bit"):
            fit = PRIOR.fits[key]
            value[i] = 1 / (fit.bandwidth_efficiency_quant if what == "a_quant" else fit.bandwidth_efficiency_16bit)
            scale[i] = 0.3
        elif what == "tau":
            value[i], scale[i] = PRIOR.fits[key].per_layer_ms, 0.5
        elif what == "engine":
            value[i], scale[i] = 0.0, 3.0
        elif what == "moe":
            value[i], scale[i] = PRIOR.moe_ms[key], 0.2
        else:
            value[i], scale[i] = {"kv": (PRIOR.kv, 1.0), "kv_nofa": (PRIOR.kv_nofa, 1.0),
                                  "split": (PRIOR.split_ms, 0.5), "tp": (PRIOR.tp_ms, 0.05),
                                  "tp_pcie": (PRIOR.tp_pcie_ms, 0.05),
                                  "shader": (PRIOR.shader, 10.0),
                                  "shader_legacy": (PRIOR.shader_legacy, 10.0),
                                  "attention": (PRIOR.attention, 10.0), "expert": (PRIOR.expert, 1.0),
                                  "bf16_vulkan": (PRIOR.bf16_vulkan_ms, 10.0), "slow_bus": (PRIOR.slow_bus, 1.0),
                                  "age": (PRIOR.age_ms, 0.2)}[what]
    return value, scale


def _solve(relative: np.ndarray, prior: np.ndarray, scale: np.ndarray, base_weights: np.ndarray) -> tuple[np.ndarray, float]:
    """The constants minimising the Huber loss of relative errors plus the prior's pull (iteratively reweighted
    least squares, a negative constant held at zero), and that loss."""
    n_rows, n_cols = relative.shape
    free = np.ones(n_cols, dtype=bool)
    theta = prior.copy()
    weights = base_weights.copy()
    for _ in range(40):
        rows_a = [relative * np.sqrt(weights)[:, None], np.diag(math.sqrt(PRIOR_WEIGHT) / scale)]
        rows_b = [np.sqrt(weights), math.sqrt(PRIOR_WEIGHT) * prior / scale]
        a, b = np.vstack(rows_a), np.concatenate(rows_b)
        solution = np.zeros(n_cols)
        solution[free] = np.linalg.lstsq(a[:, free], b, rcond=None)[0]
        if (solution[free] < 0).any():  # an active set: a negative constant is held at zero
            free &= solution >= 0
            continue
        # The error is the predicted speed's over the measured one, the figure every goal is stated in: a run
        # slower than predicted counts as much as it misleads. The model is linear in time (q = predicted /
        # measured time), so the speed error 1/q - 1 enters as the time error q - 1 weighed by 1/q².
        ratio = np.maximum(relative @ solution, 1e-6)
        residual = 1 / ratio - 1
        new = base_weights * np.where(np.abs(residual) <= HUBER_DELTA, 1.0,
                                      HUBER_DELTA / np.maximum(np.abs(residual), 1e-9)) / ratio**2
        theta = solution
        if np.allclose(new, weights, atol=1e-4):
            break
        weights = new
    residual = np.abs(1 / np.maximum(relative @ theta, 1e-6) - 1)
    huber = np.where(residual <= HUBER_DELTA, residual**2 / 2, HUBER_DELTA * (residual - HUBER_DELTA / 2))
    return theta, float((base_weights * huber).sum() + PRIOR_WEIGHT * (((theta - prior) / scale) ** 2).sum() / 2)


def fit(rows: list[Measurement], prefill_from: list[Measurement] | None = None) -> Constants:
    """Minimise a Huber loss of the relative decode-speed error, each run weighed by its source's size
    (SOURCE_WEIGHT_POWER), every constant pulled toward its prior by PRIOR_WEIGHT measurements' worth, none
    negative; the MoE layer's share of τ is the candidate with the smallest loss."""
    data = decode_rows(rows)
    cols = _columns()
    index = {c: i for i, c in enumerate(cols)}
    if not data:
        raise ValueError("no decode runs to fit")
    observed = np.array([1 / m.decode for m in data if m.decode])
    reference = newest_month(data)
    base = np.array([_design(m, index, reference) for m in data]) / observed[:, None]
    per_moe_tau = np.array([_moe_tau_row(m, index, reference) for m in data]) / observed[:, None]
    prior, scale = _prior_vector(index)
    per_source = collections.Counter(m.source for m in data)
    source_weights = np.array([per_source[m.source] ** -SOURCE_WEIGHT_POWER for m in data])
    source_weights *= len(data) / source_weights.sum()
    solved = {share: _solve(base + share * per_moe_tau, prior, scale, source_weights) for share in MOE_TAU_SHARES}
    moe_tau = min(solved, key=lambda share: solved[share][1])
    theta = solved[moe_tau][0]
    fits = {}
    for cls in fitted.FITS:
        q, sixteen, tau = (theta[index[(cls, w)]] for w in ("a_quant", "a_16bit", "tau"))
        fits[cls] = fitted.HardwareFit(round(1 / q, 3) if q > 0 else 1.0, round(1 / sixteen, 3) if sixteen > 0 else 1.0,
                                      round(float(tau), 4), PRIOR.fits[cls].prefill_efficiency)
    shared = {name: float(theta[index[(key, name)]]) + 0.0 for key, name in cols if key == ""}  # + 0.0: no "-0.0"
    constants = Constants(fits, {e: round(float(theta[index[(e, "engine")]]), 3) for e in speed.OVERHEAD_KEYS},
                          round(shared["kv"], 3), round(shared["kv_nofa"], 3), round(shared["split"], 3),
                          round(shared["tp"], 4), round(shared["tp_pcie"], 4),
                          {e: round(float(theta[index[(e, "moe")]]), 4) for e in fitted.MOE_MS_PER_LAYER}, round(shared["shader"], 2),
                          round(shared["attention"], 3), round(shared["shader_legacy"], 2), round(shared["expert"], 3),
                          moe_tau,
                          round(shared["bf16_vulkan"], 3), round(shared["slow_bus"], 3),
                          round(shared["age"], 4), reference)
    return fit_prefill(prefill_from if prefill_from is not None else rows, constants)


def fit_prefill(rows: list[Measurement], constants: Constants) -> Constants:
    """Per class, the median ratio of measured to predicted prompt processing on one GPU."""
    ratios: dict[str, list[float]] = {}
    with using(constants):
        for m in rows:
            s = m.scenario
            if not m.prefill or not m.fits or s.gpus != 1 or not s.gpu or not s.gpu.tensor_tflops(s.engine):
                continue
            predicted = predict(m).prefill_tokens_per_s
            if predicted:
                ratios.setdefault(m.hw, []).append(m.prefill / predicted * constants.fits[m.hw].prefill_efficiency)
    fits = {cls: replace(f, prefill_efficiency=round(statistics.median(ratios[cls]), 3)) if len(ratios.get(cls, [])) >= 5
            else f for cls, f in constants.fits.items()}
    return replace(constants, fits=fits)


# --- leave one source out ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Residual:
    m: Measurement
    predicted: float

    @property
    def log_ratio(self) -> float:
        """log(measured / predicted): positive when the run was faster than predicted."""
        assert self.m.decode
        return math.log(self.m.decode / self.predicted)

    @property
    def error_pct(self) -> float:
        assert self.m.decode
        return abs(self.predicted - self.m.decode) / self.m.decode * 100


def leave_one_source_out(rows: list[Measurement]) -> list[Residual]:
    out = []
    for source in sorted({m.source for m in decode_rows(rows)}):
        held = [m for m in decode_rows(rows) if m.source == source]
        constants = fit([m for m in rows if m.source != source])
        with using(constants):
            out += [Residual(m, predict(m).decode_tokens_per_s) for m in held]
    return out


def quantiles(values: list[float], tail: float) -> tuple[float, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]  # noqa: E731
    return pick(tail), pick(1 - tail)


def interval_keys(m: Measurement) -> tuple[str, str, str, str]:
    """The range groups a run belongs to, most specific first, as predictions look them up (speed_ranges). Held out,
    one range for every kind covered 66.5% of MoE runs and 58.8% of small dense ones, against 82.9% of the other
    dense ones (docs/speed_calibration.md)."""
    return speed_ranges.interval_keys(m.hw, m.scenario.engine, speed_ranges.range_kind(m.scenario.model))


def _range(residuals: list[Residual], m: Measurement, tail: float) -> tuple[float, float]:
    """The most specific group with enough held-out residuals."""
    for key in interval_keys(m):
        mine = [r.log_ratio for r in residuals if key in interval_keys(r.m)]
        if len(mine) >= MIN_ROWS_FOR_INTERVAL or key == "*":
            return quantiles(mine, tail)
    raise AssertionError("unreachable")


def intervals(residuals: list[Residual], tail: float) -> dict[str, tuple[float, float]]:
    """Measured ÷ predicted at the ``tail`` and 1 − ``tail`` quantiles of held-out runs, per group with enough."""
    out = {}
    for key in sorted({k for r in residuals for k in interval_keys(r.m)}):
        mine = [r.log_ratio for r in residuals if key in interval_keys(r.m)]
        if len(mine) >= MIN_ROWS_FOR_INTERVAL or key == "*":
            low, high = quantiles(mine, tail)
            out[key] = (round(math.exp(low), 3), round(math.exp(high), 3))
    return out


def coverage(residuals: list[Residual], tail: float) -> dict[str, float]:
    """Share of held-out runs inside the range built from the other sources' residuals only: of all ("*") and of each
    kind (speed_ranges.KINDS), in one pass."""
    counts = {key: [0, 0] for key in ("*", *speed_ranges.KINDS)}
    for source in {r.m.source for r in residuals}:
        others = [o for o in residuals if o.m.source != source]
        for r in (r for r in residuals if r.m.source == source):
            low, high = _range(others, r.m, tail)
            for key in ("*", speed_ranges.range_kind(r.m.scenario.model)):
                counts[key][0] += low <= r.log_ratio <= high
                counts[key][1] += 1
    return {key: inside / counted * 100 for key, (inside, counted) in counts.items() if counted}


def calibrated_tail(residuals: list[Residual]) -> tuple[float, dict[str, float]]:
    """The narrowest candidate range that reaches the coverage goal on sources left out, and its coverage."""
    for tail in TAIL_SHARES:
        covered = coverage(residuals, tail)
        if covered["*"] >= COVERAGE_GOAL:
            return tail, covered
    return TAIL_SHARES[-1], covered


# --- reports -------------------------------------------------------------------------------------------------


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def summary(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: no rows"
    return f"{label}: median {statistics.median(values):.1f}%, p90 {p90(values):.1f}% (n={len(values)})"


def size_band(m: Measurement) -> str:
    active = m.scenario.model.active_params_b or m.scenario.model.params_b
    return "≤3B active" if active <= 3.5 else "3-10B" if active <= 10 else "10-40B" if active <= 40 else ">40B"


def breakdown(residuals: list[Residual], key: Callable[[Measurement], str], title: str) -> list[str]:
    lines = [title]
    for value in sorted({key(r.m) for r in residuals}):
        lines.append("   " + summary(value, [r.error_pct for r in residuals if key(r.m) == value]))
    return lines


def bandwidth_only(m: Measurement) -> float:
    """The plain formula public calculators use: bandwidth over the bytes of the weights."""
    s = m.scenario
    assert s.gpu is not None
    return s.gpu.bandwidth_gbps * 1e9 * (s.gpus if s.engine == "vllm" else 1) / traffic.active_weight_bytes(s)


def fit_calls(rows: list[Measurement]) -> tuple[int, int, list[str]]:
    """Whether the engine would hold the whole model on the GPU, against what the runs report."""
    right, wrong = 0, []
    for m in rows:
        called = speed.estimate_speed(m.scenario, backend=m.backend).fits
        if called == m.fits:
            right += 1
        else:
            s = m.scenario
            wrong.append(f"{m.source}: {s.gpus}× {s.gpu.id if s.gpu else '?'} {s.model.id} {s.quant} "
                         f"ctx {s.context} ({s.engine}): measured fits={m.fits}")
    return right, len(rows), wrong


def report(rows: list[Measurement], skipped: int) -> tuple[Constants, dict[str, tuple[float, float]]]:
    usable = decode_rows(rows)
    sources = {m.source for m in usable}
    print(f"{len(rows)} measurements usable ({skipped} skipped: before {OLDEST_BUILD}, a Raspberry Pi host, attention on "
          f"the CPU (a quantized cache on an old CUDA build), or engine, GPU, model or "
          f"format not modelled); {len(usable)} single-user decode runs from {len(sources)} independent sources")
    residuals = leave_one_source_out(rows)
    errors = [r.error_pct for r in residuals]
    print("Leave-one-source-out (fit on every other source, predict this one):")
    print("  " + summary("decode tok/s, one user", errors))
    print("  " + summary("same runs, bandwidth over weight bytes (what public calculators do)",
                         [abs(bandwidth_only(r.m) - r.m.decode) / r.m.decode * 100 for r in residuals if r.m.decode]))
    tail, by_kind = calibrated_tail(residuals)
    covered = by_kind["*"]
    print(f"  80% ranges (the {tail:.1%}-{1 - tail:.1%} quantiles of the other sources' residuals) cover "
          f"{covered:.1f}% of held-out runs (goal 75-85%; " + ", ".join(
              f"{kind} {by_kind[kind]:.1f}%" for kind in speed_ranges.KINDS if kind in by_kind)
          + f"; the plain 10th-90th percentile covers {coverage(residuals, 0.10)['*']:.1f}%)")
    from bench.speed_spread import describe, spread  # it reads this module's residuals: imported when they exist

    print("  " + describe(spread(residuals)))
    for title, key in (("  per engine", lambda m: m.scenario.engine), ("  per hardware class", lambda m: m.hw),
                       ("  per size band", size_band), ("  per GPU count", lambda m: f"{m.scenario.gpus} GPU"),
                       ("  per source", lambda m: m.source)):
        print("\n".join(breakdown(residuals, key, title)))
    constants = fit(rows)
    bands = intervals(residuals, tail)
    print(f"Constants fitted on every source ({constants.count()} for {len(usable)} runs):")
    for cls, f in constants.fits.items():
        n = sum(1 for m in usable if m.hw == cls)
        print(f"  {cls:<19} n={n:<4} e_quant {f.bandwidth_efficiency_quant}, e_16bit {f.bandwidth_efficiency_16bit}, "
              f"τ {f.per_layer_ms} ms/layer, prefill e_p {f.prefill_efficiency}")
    print(f"  per-token engine overhead ms {constants.engine_ms}; KV read ×{constants.kv} (+{constants.kv_nofa} "
          f"without flash attention); layer split {constants.split_ms} ms/GPU; tensor parallel {constants.tp_ms} ms/layer "
          f"(+{constants.tp_pcie_ms} over PCIe); "
          f"MoE routing {constants.moe_ms} ms/layer + {constants.moe_tau} τ, "
          f"routed experts read ×(1 + "
          f"{constants.expert}), BF16 experts on Vulkan +{constants.bf16_vulkan_ms} ms/layer; shader work "
          f"{constants.shader} FP32 FLOPs per weight ({constants.shader_legacy} on one-scale blocks); attention "
          f"arithmetic ×{constants.attention}; M1 Max/Ultra weights ×(1 + {constants.slow_bus}); τ +{constants.age_ms} ms "
          f"per year a build is older than {constants.reference}")
    print("80% ranges shipped (measured ÷ predicted): " + ", ".join(f"{k} ×{lo}–×{hi}" for k, (lo, hi) in bands.items()))
    right, total, wrong = fit_calls(rows)
    print(f"Fits-in-GPU-memory calls right: {right}/{total} (measured offload or OOM: {sum(not m.fits for m in rows)})")
    placed = [m for m in rows if m.scenario.auto_fit]
    right_placed, total_placed, _ = fit_calls(placed)
    print(f"  of them Ollama ≥ 0.30, placed by llama-server's --fit (the engine as it is now): "
          f"{right_placed}/{total_placed} right")
    for line in wrong[:12]:
        print(f"   wrong call: {line}")
    median, high = statistics.median(errors), p90(errors)
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    print(f"Goals: median ≤ 10% ({median:.1f}%, {verdict(median <= 10)}); p90 ≤ 30% ({high:.1f}%, {verdict(high <= 30)}); "
          f"80% ranges cover 75-85% ({covered:.1f}%, {verdict(75 <= covered <= 85)}); every fit call right "
          f"({right}/{total}, {verdict(right == total)}; current Ollama {right_placed}/{total_placed}); "
          "KV cells as llama.cpp logs them: tests/test_memory.py")
    return constants, bands


def write(constants: Constants, bands: dict[str, tuple[float, float]],
          path: Path = ROOT / "core" / "plan" / "speed_fitted.py") -> None:
    """Replace the fitted block in core/plan/speed_fitted.py with ``constants``."""
    text = path.read_text(encoding="utf-8")
    fits = "\n".join(f'    "{cls}": HardwareFit({f.bandwidth_efficiency_quant}, {f.bandwidth_efficiency_16bit}, '
                     f'{f.per_layer_ms}, {f.prefill_efficiency}),' for cls, f in constants.fits.items())
    ranges = "".join(f'\n    "{k}": {v},' for k, v in bands.items())
    text = re.sub(r"INTERVALS: dict\[str, tuple\[float, float\]\] = \{.*?\n?\}",
                  "INTERVALS: dict[str, tuple[float, float]] = {" + ranges + "\n}", text, flags=re.S)
    text = re.sub(r"FITS: dict\[str, HardwareFit\] = \{\n.*?\n\}", "FITS: dict[str, HardwareFit] = {\n" + fits + "\n}",
                  text, flags=re.S)
    engines = ", ".join(f'"{e}": {v}' for e, v in constants.engine_ms.items())
    text = re.sub(r"ENGINE_OVERHEAD_MS = \{.*?\}", "ENGINE_OVERHEAD_MS = {" + engines + "}", text)
    moe = ", ".join(f'"{e}": {v}' for e, v in constants.moe_ms.items())
    text = re.sub(r"MOE_MS_PER_LAYER = \{.*?\}", "MOE_MS_PER_LAYER = {" + moe + "}", text)
    for name, value in (("KV_READ_FACTOR", constants.kv), ("KV_READ_FACTOR_NO_FA", constants.kv_nofa),
                        ("LAYER_SPLIT_MS_PER_GPU", constants.split_ms), ("TENSOR_PARALLEL_MS_PER_LAYER", constants.tp_ms),
                        ("TENSOR_PARALLEL_PCIE_MS_PER_LAYER", constants.tp_pcie_ms),
                        ("SHADER_FLOPS_PER_WEIGHT", constants.shader),
                        ("SHADER_FLOPS_PER_WEIGHT_LEGACY", constants.shader_legacy),
                        ("ATTENTION_FLOPS_FACTOR", constants.attention), ("EXPERT_READ_EXTRA", constants.expert),
                        ("MOE_LAYER_TAU_SHARE", constants.moe_tau),
                        ("BF16_EXPERTS_VULKAN_MS_PER_LAYER", constants.bf16_vulkan_ms),
                        ("SLOW_BUS_EXTRA", constants.slow_bus), ("BUILD_AGE_MS_PER_LAYER_YEAR", constants.age_ms),
                        ("BUILD_REFERENCE", f'"{constants.reference}"')):
        text = re.sub(rf"^{name} = .*$", f"{name} = {value}", text, flags=re.M)
    path.write_text(text, encoding="utf-8")


def run() -> None:
    rows, skipped = load()
    constants, bands = report(rows, skipped)
    if "--write" in sys.argv:
        write(constants, bands)
        print("written to core/plan/speed_fitted.py")


if __name__ == "__main__":
    run()
