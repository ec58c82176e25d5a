"""What to buy: every GPU (and count) that holds the target models, priced as a whole workstation,
ranked, with the reasons in words and why the popular cards were left out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from core.errors import InputError
from core.i18n import fmt_krw, range_ends, t
from core.plan.catalog import GpuSpec
from core.plan.estimate import MemoryEstimate, Scenario, effective_engine, estimate
from core.plan.local import LocalCorrection, correction_for
from core.plan.models import ModelArch
from core.plan.prices import PriceBook
from core.plan.speed import estimate_speed
from core.plan.workstation import Workstation, build, is_whole_system

POPULAR = ("rtx-4070", "rtx-3090", "rtx-4090", "rtx-5090", "rtx-a6000", "rtx-pro-6000-blackwell",
           "apple-m4-max-128gb", "dgx-spark")
SCALES_WITH_GPUS = ("vllm",)
"""Only tensor parallelism turns more GPUs into more speed; layer split only adds memory."""


def _money(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class Reason:
    """A sentence for either language: a key in core/strings plus its values."""

    key: str
    values: dict[str, object] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """Values named ``*_krw`` are money and are written the way each language counts it."""
        return t(self.key, lang, **{k: fmt_krw(_money(v), lang) if k.endswith("_krw") else v for k, v in self.values.items()})


@dataclass(frozen=True)
class Request:
    models: tuple[ModelArch, ...]
    quant: str = "Q4_K_M"
    context: int = 8192
    users: int = 1
    mode: str = "inference"
    engine: str = "ollama"
    budget_krw: float | None = None
    min_tokens_per_s: float | None = None
    condition: str = "new"
    max_gpus: int = 4
    price_overrides_krw: dict[str, float] = field(default_factory=dict)
    system_ram_gbps: float = 60.0
    local: Mapping[tuple[str, int, str, str], LocalCorrection] = field(default_factory=dict)
    """Corrections measured on the team's own machines (core.plan.local), for the GPUs it already owns."""


@dataclass(frozen=True)
class Option:
    workstation: Workstation
    fits: bool
    headroom_gib: float
    decode_tokens_per_s: float | None  # per user, for the slowest target model
    aggregate_tokens_per_s: float | None
    reasons: tuple[Reason, ...]
    meets_target: bool  # the low end of the 80% range clears the target, not only the central estimate
    within_budget: bool
    decode_tokens_per_s_low: float | None = None
    decode_tokens_per_s_high: float | None = None

    @property
    def tight(self) -> bool:
        """It fits, but within one more safety margin: a longer prompt or a driver update may tip it over."""
        return any(reason.key == "rec.reason.tight" for reason in self.reasons)

    @property
    def gpu(self) -> GpuSpec:
        return self.workstation.gpu

    @property
    def count(self) -> int:
        return self.workstation.count

    @property
    def price_krw(self) -> float | None:
        return self.workstation.total_krw

    @property
    def won_per_token_s(self) -> float | None:
        """Price of one token per second of the team's total throughput."""
        if self.price_krw is None or not self.aggregate_tokens_per_s:
            return None
        return self.price_krw / self.aggregate_tokens_per_s


@dataclass(frozen=True)
class Recommendation:
    options: tuple[Option, ...]
    why_not: tuple[tuple[GpuSpec, Reason], ...]


def _scenario(request: Request, model: ModelArch, gpu: GpuSpec | None, count: int) -> Scenario:
    return Scenario(
        model=model, quant=request.quant if request.mode == "inference" else "BF16", context=request.context,
        parallel=request.users if request.mode == "inference" else 1, engine=effective_engine(request.engine, request.mode),
        gpu=gpu, gpus=count, mode=request.mode, grad_checkpointing=request.mode != "inference",
        kv_cache="f16",
    )


VRAM_SAFETY_MARGIN_GIB = 1.0
"""Free memory each GPU keeps before an option counts as a fit: llama.cpp's `--fit` leaves 1024 MiB per device
by default (`-fitt`, common/fit.cpp in ggml-org/llama.cpp), for the driver, other processes and what the
estimate cannot see. The llama.cpp family's estimates already hold it back (MemoryEstimate.margin_gib, so
their headroom is what is left beyond it); the others (vLLM, transformers) must leave it here."""


def _margin_left(memories: list[MemoryEstimate]) -> float:
    """The safety margin still to be kept beyond the estimates' headroom: none where the engine's own is in."""
    return 0.0 if all(mem.margin_gib > 0 for mem in memories) else VRAM_SAFETY_MARGIN_GIB


def sizing(request: Request) -> tuple[float, float]:
    """What the workstation around the GPUs is sized for: the largest model's parameters (billions) and the
    largest weights (GiB). The same for every candidate, so it is worked out once per request."""
    largest = max(request.models, key=lambda m: m.params_b)
    weights = max(estimate(_scenario(request, m, None, 1)).components_gib["weights"] for m in request.models)
    return largest.params_b, weights


def evaluate(request: Request, gpu: GpuSpec, count: int, book: PriceBook,
             sized_for: tuple[float, float] | None = None, offered_only: bool = False) -> Option:
    """One candidate: does every model fit, how fast is the slowest, what does the workstation cost.

    ``offered_only`` leaves the speed out (None) where the option cannot be offered, because it does not fit or
    is over the budget: nothing shows those speeds, and the speed is most of the cost of a ranking."""
    memories = [estimate(_scenario(request, m, gpu, count)) for m in request.models]
    headroom = min(mem.headroom_gib or 0.0 for mem in memories)
    fits = all(mem.fits for mem in memories) and headroom >= _margin_left(memories)
    params_b, model_gib = sized_for or sizing(request)
    station = build(gpu, count, book, params_b, model_gib, request.mode, request.condition,
                    request.price_overrides_krw.get(gpu.id))
    within = request.budget_krw is None or (station.total_krw is not None and station.total_krw <= request.budget_krw)
    decode = aggregate = low = high = None
    local = None
    uncalibrated = False
    if request.mode == "inference" and not (offered_only and not (fits and within)):
        speeds = [estimate_speed(replace(_scenario(request, m, gpu, count), parallel=1), users=request.users,
                                 system_ram_gbps=request.system_ram_gbps) for m in request.models]
        slowest = min(speeds, key=lambda sp: sp.decode_tokens_per_s)
        decode, aggregate = slowest.decode_tokens_per_s, slowest.aggregate_tokens_per_s
        low, high = slowest.decode_tokens_per_s_low, slowest.decode_tokens_per_s_high
        local = correction_for(request.local, gpu.id, count, request.engine, slowest.backend)
        if not slowest.calibrated:
            # No published runs to stand on: no speed, rather than a roofline quoted as a prediction.
            uncalibrated, decode, aggregate, low, high, local = True, None, None, None, None, None
        elif local is not None:
            # Measured here: the team's own correction, its spread as the range.
            decode, aggregate = local.apply(slowest.decode_tokens_per_s), local.apply(slowest.aggregate_tokens_per_s)
            low, high = decode * (1 - local.spread_pct / 100), decode * (1 + local.spread_pct / 100)
    # A target is met when the slow end of the range clears it: the one in ten slower runs still counts.
    meets = fits and (request.min_tokens_per_s is None or (low or 0) >= request.min_tokens_per_s)
    reasons = _reasons(request, gpu, count, all(mem.fits for mem in memories), headroom, (decode, low, high),
                       station, memories)
    if uncalibrated:
        reasons.append(Reason("rec.reason.uncalibrated", {"engine": request.engine}))
    if request.mode == "inference" and local is not None:
        reasons.append(Reason("rec.reason.calibrated", {"runs": local.runs, "spread": f"{local.spread_pct:.0f}"}))
    return Option(station, fits, headroom, decode, aggregate, tuple(reasons), meets, within, low, high)


def _reasons(request: Request, gpu: GpuSpec, count: int, fits: bool, headroom: float,
             speed_range: tuple[float | None, float | None, float | None], station: Workstation,
             memories: list) -> list[Reason]:
    out = []
    decode, low, high = speed_range
    if fits and headroom < _margin_left(memories):
        out.append(Reason("rec.reason.margin", {"headroom": f"{headroom:.1f}", "margin": f"{VRAM_SAFETY_MARGIN_GIB:g}"}))
    elif fits and headroom < _margin_left(memories) + VRAM_SAFETY_MARGIN_GIB:
        out.append(Reason("rec.reason.tight", {"headroom": f"{headroom:.1f}"}))
    elif fits:
        out.append(Reason("rec.reason.fits", {"headroom": f"{headroom:.1f}"}))
    else:
        worst = min(memories, key=lambda mem: mem.gpu_layers / mem.total_layers)
        out.append(Reason("rec.reason.offload", {"gpu": worst.gpu_layers, "total": worst.total_layers}))
    if decode is not None and low is not None and high is not None:
        shown_low, shown_high = range_ends(low, high)
        out.append(Reason("rec.reason.speed", {"tps": f"{decode:.0f}", "low": shown_low, "high": shown_high,
                                               "users": request.users}))
    if count > 1 and request.engine not in SCALES_WITH_GPUS:
        out.append(Reason("rec.reason.layer_split", {"n": count}))
    if gpu.segment == "datacenter":
        out.append(Reason("rec.reason.datacenter"))
    if gpu.segment == "apple":
        out.append(Reason("rec.reason.apple"))
    if station.gpu_price_krw is None:
        out.append(Reason("rec.reason.no_price"))
    elif not station.complete and not is_whole_system(gpu):
        out.append(Reason("rec.reason.parts_missing"))
    return out


def validate(request: Request) -> None:
    if not request.models:
        raise InputError("err.no_models")
    if not 1 <= request.users <= 1024:
        raise InputError("err.range", name="users", value=request.users, low="1", high="1,024")
    if request.budget_krw is not None and not 0 < request.budget_krw <= 10_000_000_000:
        raise InputError("err.range", name="budget", value=request.budget_krw, low="1", high="10,000,000,000")
    if request.min_tokens_per_s is not None and not 0 < request.min_tokens_per_s <= 100_000:
        raise InputError("err.range", name="min_tokens_per_s", value=request.min_tokens_per_s, low="0", high="100,000")
    if not 1 <= request.max_gpus <= 8:
        raise InputError("err.range", name="max_gpus", value=request.max_gpus, low="1", high="8")
    # Scenario-level checks (quant, engine, context against every model) raise their own errors.
    for model in request.models:
        estimate(_scenario(request, model, None, 1))


def supported(gpu: GpuSpec, request: Request) -> bool:
    """Fine-tuning stacks (PyTorch + bitsandbytes) and vLLM need CUDA or ROCm; Macs run Ollama/llama.cpp."""
    if request.mode != "inference":
        return gpu.vendor == "NVIDIA"
    if request.engine in ("vllm", "transformers"):
        return gpu.vendor in ("NVIDIA", "AMD")
    return True


def _rank(o: Option) -> tuple[bool, float, float]:
    if o.meets_target:
        return False, o.price_krw or 0.0, -(o.decode_tokens_per_s or 0.0)
    return True, -(o.decode_tokens_per_s_low or 0.0), o.price_krw or 0.0


def recommend(request: Request, gpus: tuple[GpuSpec, ...], book: PriceBook) -> Recommendation:
    """Rank every candidate within budget: those fast enough first, cheapest first; then the others, the closest to the
    target (the highest low end of the speed range) first."""
    validate(request)
    sized_for = sizing(request)
    candidates: list[Option] = []
    for gpu in gpus:
        if not supported(gpu, request):
            continue
        counts = (1,) if is_whole_system(gpu) else range(1, request.max_gpus + 1)
        for count in counts:
            option = evaluate(request, gpu, count, book, sized_for, offered_only=True)
            candidates.append(option)
            # Past the first count that holds everything, more layer-split GPUs only cost money.
            if option.fits and request.engine not in SCALES_WITH_GPUS:
                break
    offered = [o for o in candidates if o.fits and o.within_budget and o.price_krw is not None
               and not _unsized(o)]
    offered.sort(key=_rank)
    why_not: list[tuple[GpuSpec, Reason]] = []
    shown = {(o.gpu.id) for o in offered[:10]}
    by_id = {g.id: g for g in gpus}
    # A card without a published board power is refused, never sized as if it drew nothing.
    for gpu in {o.gpu.id: o.gpu for o in candidates if _unsized(o)}.values():
        why_not.append((gpu, Reason("rec.why.no_power")))
        shown.add(gpu.id)
    # The popular cards, and every card a user added from the database, say why they are not on the list.
    for gpu_id in (*POPULAR, *(g.id for g in gpus if g.from_database)):
        if gpu_id in shown or gpu_id not in by_id:
            continue
        best = [o for o in candidates if o.gpu.id == gpu_id]
        reason = _why_not(request, best) if best else Reason("rec.why.unsupported", {"engine": request.engine})
        why_not.append((by_id[gpu_id], reason))
    return Recommendation(tuple(offered), tuple(why_not))


def _unsized(option: Option) -> bool:
    """A workstation whose power supply cannot be sized: its cards publish no board power. A whole system
    (Mac, DGX Spark) needs no sizing; without a published figure only its running cost stays unknown."""
    return option.workstation.power_w is None and not is_whole_system(option.gpu)


def _why_not(request: Request, options: list[Option]) -> Reason:
    fitting = [o for o in options if o.fits]
    if not fitting:
        largest = max(options, key=lambda o: o.count)
        return Reason("rec.why.no_fit", {"n": largest.count})
    best = min(fitting, key=lambda o: o.price_krw or float("inf"))
    if best.price_krw is None:
        return Reason("rec.why.no_price")
    if not best.within_budget:
        return Reason("rec.why.budget", {"price_krw": best.price_krw, "n": best.count})
    if not best.meets_target and any(r.key == "rec.reason.uncalibrated" for r in best.reasons):
        return Reason("rec.why.uncalibrated", {"engine": request.engine})
    if not best.meets_target:
        return Reason("rec.why.slow", {"tps": f"{best.decode_tokens_per_s or 0:.0f}"})
    return Reason("rec.why.ranked_lower")
