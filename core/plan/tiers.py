"""The team's planning tiers (data/team_tiers.csv, from docs/team/hardware_notes.txt) priced with today's data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.csvdata import DATA_DIR, Column, DataFileError, read_rows
from core.errors import InputError
from core.plan.catalog import GpuSpec, find_gpu
from core.plan.models import find_model
from core.plan.prices import PriceBook
from core.plan.recommend import Request, recommend, sizing
from core.plan.workstation import Workstation, build

TIERS_CSV = DATA_DIR / "team_tiers.csv"
_COLUMNS = (
    Column("key", "choice", required=True, choices=("personal", "mid")), Column("gpu_id", required=True),
    Column("target_model", required=True), Column("budget_low_krw", "int", required=True, low=1, high=10**10),
    Column("budget_high_krw", "int", required=True, low=1, high=10**10), Column("source", required=True),
    Column("notes"),
)


@dataclass(frozen=True)
class Tier:
    key: str  # personal | mid
    gpu_id: str
    target_model: str  # an Ollama tag standing for the tier's model class
    notes_budget_krw: tuple[int, int]


def load_tiers(path: Path = TIERS_CSV, gpus: tuple[GpuSpec, ...] | None = None) -> tuple[Tier, ...]:
    """The tiers, each checked against the catalogs; a bad row names the file, line and column."""
    tiers = []
    for line, row in read_rows(path, _COLUMNS):
        try:
            find_gpu(row["gpu_id"], gpus)
        except InputError as exc:
            raise DataFileError(path, line, 2, str(exc)) from None
        try:
            find_model(row["target_model"])
        except InputError as exc:
            raise DataFileError(path, line, 3, str(exc)) from None
        if row["budget_low_krw"] > row["budget_high_krw"]:
            raise DataFileError(path, line, 4, "budget_low_krw is above budget_high_krw")
        tiers.append(Tier(row["key"], row["gpu_id"], row["target_model"],
                          (row["budget_low_krw"], row["budget_high_krw"])))
    return tuple(tiers)


@lru_cache(maxsize=1)
def team_tiers() -> tuple[Tier, ...]:
    return load_tiers()


@dataclass(frozen=True)
class PricedTier:
    tier: Tier
    workstation: Workstation
    best_in_budget: GpuSpec | None  # today's cheapest option that holds the tier's model within its budget
    best_count: int


def price_tiers(gpus: tuple[GpuSpec, ...], book: PriceBook, context: int = 8192,
                tiers: tuple[Tier, ...] | None = None) -> tuple[PricedTier, ...]:
    out = []
    for tier in tiers if tiers is not None else team_tiers():
        request = Request(models=(find_model(tier.target_model),), context=context,
                          budget_krw=tier.notes_budget_krw[1])
        params_b, weights = sizing(request)
        station = build(find_gpu(tier.gpu_id, gpus), 1, book, params_b, weights, "inference")
        options = recommend(request, gpus, book).options
        best = options[0] if options else None
        out.append(PricedTier(tier, station, best.gpu if best else None, best.count if best else 0))
    return tuple(out)
