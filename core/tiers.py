"""The team's planning tiers (../shared/seeds/hardware_notes.txt) priced with today's data."""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog import GpuSpec
from core.models import find_model
from core.prices import PriceBook
from core.recommend import Request, recommend, sizing
from core.workstation import Workstation, build

NOTES_URL = "../shared/seeds/hardware_notes.txt"


@dataclass(frozen=True)
class Tier:
    key: str  # personal | mid
    gpu_id: str
    target_model: str  # an Ollama tag standing for the tier's model class
    notes_budget_krw: tuple[int, int]


TIERS = (
    Tier("personal", "rtx-4070", "llama3.1:8b", (2_000_000, 2_500_000)),
    Tier("mid", "rtx-4090", "qwen2.5:32b", (4_000_000, 5_000_000)),
)


@dataclass(frozen=True)
class PricedTier:
    tier: Tier
    workstation: Workstation
    best_in_budget: GpuSpec | None  # today's cheapest option that holds the tier's model within its budget
    best_count: int


def price_tiers(gpus: tuple[GpuSpec, ...], book: PriceBook, context: int = 8192) -> tuple[PricedTier, ...]:
    out = []
    by_id = {g.id: g for g in gpus}
    for tier in TIERS:
        request = Request(models=(find_model(tier.target_model),), context=context,
                          budget_krw=tier.notes_budget_krw[1])
        params_b, weights = sizing(request)
        station = build(by_id[tier.gpu_id], 1, book, params_b, weights, "inference")
        options = recommend(request, gpus, book).options
        best = options[0] if options else None
        out.append(PricedTier(tier, station, best.gpu if best else None, best.count if best else 0))
    return tuple(out)
