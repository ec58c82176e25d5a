"""Fit the speed estimator to published measurements and report its error on measurements kept out.

Every source in data/speed_benchmarks.csv is split in two by a hash of each row's content: one half
fits the few constants per class of hardware, the other half is only evaluated, and its error is what
docs/speed_calibration.md reports. `make bench` prints both.
"""

from __future__ import annotations

import csv
import statistics
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.plan import speed
from core.plan.catalog import GpuSpec, catalog
from core.plan.estimate import Scenario
from core.plan.memory import kv_bytes_per_token
from core.plan.models import ModelArch, find_model

ROOT = Path(__file__).resolve().parents[1]
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
    "H100 PCIe": "h100-pcie", "H100 SXM": "h100-sxm", "DGX Spark": "dgx-spark", "RX 7900 XTX": "rx-7900-xtx",
    "Radeon AI PRO R9700": "radeon-ai-pro-r9700", "Radeon PRO W7900": "radeon-pro-w7900",
    # Apple: bandwidth depends on the chip and GPU-core bin, not on the memory size.
    "M1 7c": "apple-m1-8gb", "M1 8c": "apple-m1-16gb", "M1 Max 24c": "apple-m1-max-32gb",
    "M1 Max 32c": "apple-m1-max-64gb", "M1 Ultra 48c": "apple-m1-ultra-64gb", "M1 Ultra 64c": "apple-m1-ultra-128gb",
    "M2 Ultra 60c": "apple-m2-ultra-64gb", "M2 Ultra 76c": "apple-m2-ultra-192gb", "M3 Max 30c": "apple-m3-max-36gb",
    "M3 Max 40c": "apple-m3-max-64gb", "M3 Ultra 60c": "apple-m3-ultra-96gb", "M3 Ultra 80c": "apple-m3-ultra-512gb",
    "M4 Pro 16c": "apple-m4-pro-48gb", "M4 Pro 20c": "apple-m4-pro-64gb", "M4 Max 32c": "apple-m4-max-36gb",
    "M4 Max 40c": "apple-m4-max-128gb",
}
MODEL_IDS = {
    "Llama-2-7B": "llama-2-7b", "Llama-2-13B": "llama-2-13b", "Llama-2-70B": "llama-2-70b",
    "LLaMA-30B": "llama-1-33b", "LLaMA-33B": "llama-1-33b", "LLaMA-65B": "llama-1-65b",
    "Llama-3-8B": "llama-3.1-8b", "Llama-3.1-8B": "llama-3.1-8b", "Llama-3.1-8B-Instruct": "llama-3.1-8b",
    "Llama-3-70B": "llama-3.1-70b", "Llama-3.1-70B": "llama-3.1-70b", "Llama-3.1-70B-Instruct": "llama-3.1-70b",
    "Llama-3.2-3B": "llama-3.2-3b", "Llama-3.1-405B": "llama-3.1-405b", "Hermes-3-Llama-3.1-405B": "llama-3.1-405b",
    "DeepSeek-R1-Distill-Qwen-14B": "deepseek-r1-distill-qwen-14b",
    "DeepSeek-R1-Distill-Qwen-32B": "deepseek-r1-distill-qwen-32b",
    "DeepSeek-R1-Distill-Llama-70B": "deepseek-r1-distill-llama-70b", "gpt-oss-20b": "gpt-oss-20b",
    "gpt-oss-120b": "gpt-oss-120b", "Mistral-7B-Instruct-v0.3": "mistral-7b-v0.3", "Qwen3-4B-Instruct-2507": "qwen3-4b",
    "Qwen3-30B-A3B": "qwen3-30b-a3b", "Qwen3-30B-A3B-Instruct-2507": "qwen3-30b-a3b",
    "Qwen3-Coder-30B-A3B": "qwen3-30b-a3b", "Mixtral-8x7B-Instruct-v0.1": "mixtral-8x7b", "Gemma-3-4B-QAT": "gemma-3-4b",
    "Qwen2.5-Coder-7B": "qwen2.5-7b",
}
QUANTS = ("Q4_0", "Q4_K_M", "Q8_0", "F16", "BF16", "FP8", "MXFP4", "AWQ", "GPTQ")
LLAMA_BENCH_DEFAULT_TOKENS = 128


@dataclass(frozen=True)
class Measurement:
    source: str
    date: str
    scenario: Scenario
    users: int
    prompt_tokens: int
    generated_tokens: int
    decode: float | None
    prefill: float | None
    fits: bool


def _source(url: str) -> str:
    parts = url.split("/")
    return "/".join(parts[3:5]) if "github.com" in url else parts[2]


def load(path: Path = ROOT / "data" / "speed_benchmarks.csv") -> tuple[list[Measurement], int]:
    gpus = {g.id: g for g in catalog()}
    out, skipped = [], 0
    with path.open(encoding="utf-8") as handle:
        for raw in csv.DictReader(handle):
            gpu_id, model_id = GPU_IDS.get(raw["gpu"]), MODEL_IDS.get(raw["model"])
            engine = raw["engine"]
            old = bool(raw["date"]) and raw["date"] < OLDEST_BUILD
            if old or not gpu_id or not model_id or raw["quant"] not in QUANTS or engine not in ("llama.cpp", "ollama", "vllm"):
                skipped += 1
                continue
            model = find_model(model_id)
            generated = int(raw["context_tokens"] or LLAMA_BENCH_DEFAULT_TOKENS)
            prompt = int(raw["prompt_tokens"] or 512)
            quant = raw["quant"]
            if engine != "vllm" and quant in ("FP8", "AWQ", "GPTQ"):
                skipped += 1
                continue
            if engine == "vllm" and quant in ("Q4_0", "Q4_K_M", "Q8_0"):
                skipped += 1
                continue
            # llama-bench runs its prompt and generation tests separately, each in a context of its own length.
            context = min(model.context_max, max(prompt, generated) if engine != "vllm" else prompt + generated)
            scenario = Scenario(model=model, quant=quant, context=context, engine=engine, gpu=gpus[gpu_id],
                                gpus=int(raw["gpu_count"] or 1), kv_cache="f16")
            out.append(Measurement(
                source=_source(raw["source_url"]), date=raw["date"], scenario=scenario, users=int(raw["users"] or 1),
                prompt_tokens=prompt, generated_tokens=generated,
                decode=float(raw["decode_tokens_per_s"]) if raw["decode_tokens_per_s"] else None,
                prefill=float(raw["prefill_tokens_per_s"]) if raw["prefill_tokens_per_s"] else None,
                fits=raw["fits_in_vram"] == "true",
            ))
    return out, skipped


def predict(m: Measurement) -> speed.SpeedEstimate:
    # llama-bench's tg test starts from an empty cache: the average token sees half the generated length.
    if m.users == 1:
        return speed.estimate_speed(m.scenario, prompt_tokens=m.prompt_tokens,
                                    generated_tokens=max(1, m.generated_tokens // 2))
    return speed.estimate_speed(m.scenario, users=m.users, prompt_tokens=m.prompt_tokens,
                                generated_tokens=m.prompt_tokens + m.generated_tokens // 2,
                                answer_tokens=m.generated_tokens)


def fit_decode(rows: list[Measurement]) -> dict[str, speed.HardwareFit]:
    """Per hardware class, weighted least squares of t = a_q·B_q/BW + a_16·B_16/BW + τ·L on single-GPU rows."""
    fitted = dict(speed.FITS)
    for hw in fitted:
        subset = [m for m in rows if speed.hardware_class(m.scenario.gpu) == hw and m.scenario.gpus == 1
                  and m.decode and m.fits and m.users == 1]
        if len(subset) < 6:
            continue
        design, target = [], []
        for m in subset:
            s = m.scenario
            bytes_read = speed.active_weight_bytes(s) + kv_bytes_per_token(s.model, "f16") * max(1, m.generated_tokens // 2)
            seconds_per_byte = bytes_read / (s.gpu.bandwidth_gbps * 1e9)
            sixteen = s.quant in ("F16", "BF16")
            weight = m.decode  # relative error: divide each row by its observed time
            design.append([seconds_per_byte * (not sixteen) * weight, seconds_per_byte * sixteen * weight,
                           s.model.layers / 1000 * weight])
            target.append(1.0)
        (a_q, a_16, tau), *_ = np.linalg.lstsq(np.array(design), np.array(target), rcond=None)
        old = fitted[hw]
        fitted[hw] = replace(old, bandwidth_efficiency_quant=round(1 / a_q, 3) if a_q > 0 else old.bandwidth_efficiency_quant,
                             bandwidth_efficiency_16bit=round(1 / a_16, 3) if a_16 > 0 else old.bandwidth_efficiency_16bit,
                             per_layer_ms=round(max(tau, 0.0), 4))
    return fitted


def fit_prefill(rows: list[Measurement]) -> dict[str, float]:
    ratios: dict[str, list[float]] = {}
    for m in rows:
        if not m.prefill or not m.fits or m.scenario.gpus != 1 or not m.scenario.gpu.tensor_tflops(m.scenario.engine):
            continue
        predicted = predict(m).prefill_tokens_per_s
        hw = speed.hardware_class(m.scenario.gpu)
        ratios.setdefault(hw, []).append(m.prefill / predicted * speed.FITS[hw].prefill_efficiency)
    return {hw: round(statistics.median(r), 3) for hw, r in ratios.items()}


def errors(rows: list[Measurement], field: str) -> list[float]:
    out = []
    for m in rows:
        observed = getattr(m, field)
        if not observed or not m.fits:
            continue
        est = predict(m)
        predicted = est.aggregate_tokens_per_s if (field == "decode" and m.users > 1) else (
            est.decode_tokens_per_s if field == "decode" else est.prefill_tokens_per_s)
        if predicted:
            out.append(abs(predicted - observed) / observed * 100)
    return out


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def summary(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: no rows"
    return f"{label}: median {statistics.median(values):.1f}%, p90 {p90(values):.1f}% (n={len(values)})"


def in_fit_half(m: Measurement) -> bool:
    """A fixed, content-based half of every source goes into the fit; the other half is only evaluated."""
    s = m.scenario
    key = f"{m.source}|{s.gpu.id}|{s.gpus}|{s.model.id}|{s.quant}|{m.generated_tokens}|{m.users}"
    return zlib.crc32(key.encode()) % 2 == 0


def run() -> None:
    rows, skipped = load()
    fit_rows = [m for m in rows if in_fit_half(m)]
    held = [m for m in rows if not in_fit_half(m)]
    print(f"{len(rows)} measurements usable ({skipped} skipped: before {OLDEST_BUILD}, or engine, GPU, model or "
          f"format not modelled); fit on {len(fit_rows)}, {len(held)} held out")
    for hw, fit in fit_decode(fit_rows).items():
        print(f"  fitted {hw:<6} e_quant {fit.bandwidth_efficiency_quant}, e_16bit {fit.bandwidth_efficiency_16bit}, "
              f"τ {fit.per_layer_ms} ms/layer (shipped: {speed.FITS[hw]})")
    print(f"  fitted prefill efficiency: {fit_prefill(fit_rows)}")
    single = [m for m in held if m.users == 1]
    print(summary("held-out decode tok/s, one user", errors(single, "decode")))
    print(summary("held-out decode tok/s, one user, one GPU", errors([m for m in single if m.scenario.gpus == 1], "decode")))
    for src in sorted({m.source for m in single}):
        print("   " + summary(src, errors([m for m in single if m.source == src], "decode")))
    print(summary("held-out aggregate tok/s, batched users (vLLM)", errors([m for m in held if m.users > 1], "decode")))
    print(summary("held-out prefill tok/s", errors(held, "prefill")))
    print(summary("fit-set decode tok/s", errors([m for m in fit_rows if m.users == 1], "decode")))
    # vLLM queues requests beyond what its KV pool holds: whether it runs is judged for one sequence.
    calls = [(speed.estimate_speed(m.scenario).fits, m.fits) for m in rows]
    right = sum(p == o for p, o in calls)
    print(f"fits-in-GPU-memory calls right: {right}/{len(calls)} "
          f"(measured OOM or offloaded: {sum(not o for _, o in calls)}, of which called right: "
          f"{sum(p == o for p, o in calls if not o)})")
    wrong = [m for m in rows if speed.estimate_speed(m.scenario).fits != m.fits][:5]
    for m in wrong:
        s = m.scenario
        print(f"   wrong call: {m.source} {s.gpus}× {s.gpu.id} {s.model.id} {s.quant} ctx {s.context}: "
              f"measured fits={m.fits}")


def model_of(name: str) -> ModelArch:
    return find_model(MODEL_IDS[name])


def gpu_of(name: str) -> GpuSpec:
    return next(g for g in catalog() if g.id == GPU_IDS[name])
