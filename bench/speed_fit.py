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
import math
import re
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.speed_runs import OLDEST_BUILD, ROOT, Measurement, build_age, decode_rows, load, newest_month
from core.plan import speed, speed_ranges, traffic
from core.plan import speed_fitted as fitted

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
    split_amd_ms: float
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
                         fitted.KV_READ_FACTOR_NO_FA, fitted.LAYER_SPLIT_MS_PER_GPU, fitted.LAYER_SPLIT_AMD_PCIE_MS_PER_GPU,
                         fitted.TENSOR_PARALLEL_MS_PER_LAYER,
                         fitted.TENSOR_PARALLEL_PCIE_MS_PER_LAYER,
                         dict(fitted.MOE_MS_PER_LAYER), fitted.SHADER_FLOPS_PER_WEIGHT, fitted.ATTENTION_FLOPS_FACTOR,
                         fitted.SHADER_FLOPS_PER_WEIGHT_LEGACY, fitted.EXPERT_READ_EXTRA, fitted.MOE_LAYER_TAU_SHARE,
                         fitted.BF16_EXPERTS_VULKAN_MS_PER_LAYER, fitted.SLOW_BUS_EXTRA,
                         fitted.BUILD_AGE_MS_PER_LAYER_YEAR, fitted.BUILD_REFERENCE)

    def count(self) -> int:
        return 3 * len(self.fits) + len(self.engine_ms) + len(self.moe_ms) + 15  # with the recurrent layers' share of τ, chosen


PRIOR = Constants(
    # Bandwidth shares and per-layer costs a roofline would start from; classes with few rows stay near them.
    fits={cls: fitted.HardwareFit(0.8, 0.8, 0.05, 0.4) for cls in fitted.FITS},
    engine_ms={engine: 0.0 for engine in speed.OVERHEAD_KEYS}, kv=1.0, kv_nofa=0.5, split_ms=0.25, split_amd_ms=0.0,
    tp_ms=0.02, tp_pcie_ms=0.0,
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
        fitted.LAYER_SPLIT_AMD_PCIE_MS_PER_GPU = c.split_amd_ms
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


def _columns() -> list[tuple[str, str]]:
    cols = [(cls, what) for cls in fitted.FITS for what in ("a_quant", "a_16bit", "tau")]
    shared = [("", name) for name in ("kv", "kv_nofa", "split", "split_amd", "tp", "tp_pcie", "shader", "shader_legacy", "attention",
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
    row[index[("", "split_amd")]] = (s.gpus - 1) / 1000 if s.engine != "vllm" and speed.split_through_host(s) else 0.0
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
                                  "split": (PRIOR.split_ms, 0.5), "split_amd": (PRIOR.split_amd_ms, 5.0),
                                  "tp": (PRIOR.tp_ms, 0.05),
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
                          round(shared["split_amd"], 3),
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
          f"without flash attention); layer split {constants.split_ms} ms/GPU (+{constants.split_amd_ms} on AMD cards over PCIe); "
          f"tensor parallel {constants.tp_ms} ms/layer "
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
                        ("LAYER_SPLIT_MS_PER_GPU", constants.split_ms),
                        ("LAYER_SPLIT_AMD_PCIE_MS_PER_GPU", constants.split_amd_ms),
                        ("TENSOR_PARALLEL_MS_PER_LAYER", constants.tp_ms),
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
