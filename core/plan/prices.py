"""Dated, sourced prices: GPUs, the rest of a workstation, cloud hours and the constants behind them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import cast

from core.csvdata import DATA_DIR, Column, DataFileError, read_rows
from core.plan.catalog import GpuSpec, catalog

GPU_PRICES_CSV = DATA_DIR / "gpu_prices.csv"
PARTS_CSV = DATA_DIR / "workstation_parts.csv"
CLOUD_CSV = DATA_DIR / "cloud_prices.csv"
CONSTANTS_CSV = DATA_DIR / "constants.csv"


@dataclass(frozen=True)
class Price:
    """One dated price. ``krw`` is what the source says, or the USD figure converted (``converted``)."""

    krw: float
    date: str
    source_url: str
    condition: str = "new"
    converted: bool = False


@dataclass(frozen=True)
class Part:
    part_id: str
    kind: str
    name: str
    price: Price
    spec: str


@dataclass(frozen=True)
class CloudPrice:
    gpu_id: str
    provider: str
    usd_per_hour: float
    gpus_per_instance: int
    date: str
    source_url: str


@dataclass(frozen=True)
class Constant:
    value: float
    unit: str
    date: str
    source_url: str


_URL = Column("source_url", required=True)
_GPU_PRICE_COLUMNS = (
    Column("gpu_id", required=True), Column("price_krw", "float", low=10_000, high=2_000_000_000),
    Column("price_usd", "float", low=10, high=2_000_000), Column("date", required=True),
    Column("condition", "choice", required=True, choices=("new", "used", "list")), _URL, Column("notes"),
)
_PART_COLUMNS = (
    Column("part_id", required=True), Column("kind", "choice", required=True,
                                             choices=("cpu", "ram", "psu", "ssd", "board", "case")),
    Column("name", required=True), Column("price_krw", "float", low=1_000, high=200_000_000),
    Column("price_usd", "float", low=1, high=200_000), Column("date", required=True), Column("spec"), _URL,
    Column("notes"),
)
_CLOUD_COLUMNS = (
    Column("gpu_id", required=True), Column("provider", required=True),
    Column("usd_per_hour", "float", required=True, low=0.01, high=1_000),
    Column("gpus_per_instance", "int", low=1, high=64), Column("date", required=True), _URL, Column("notes"),
)
_CONSTANT_COLUMNS = (
    Column("key", required=True), Column("value", "float", required=True), Column("unit", required=True),
    Column("date", required=True), _URL, Column("notes"),
)


@dataclass(frozen=True)
class PriceBook:
    """Everything priced, read once. Missing files give empty tables, not errors: prices are optional."""

    gpu: dict[str, list[Price]]
    parts: tuple[Part, ...]
    cloud: tuple[CloudPrice, ...]
    constants: dict[str, Constant]

    @cached_property
    def parts_by_kind(self) -> dict[str, list[Part]]:
        """The parts grouped by kind (cpu, ram, psu, ...): grouped once, looked up for every candidate."""
        by_kind: dict[str, list[Part]] = {}
        for part in self.parts:
            by_kind.setdefault(part.kind, []).append(part)
        return by_kind

    @cached_property
    def chosen(self) -> dict[tuple[object, ...], object]:
        """What was once picked from this book (a card's price, the parts for one sizing), kept with it: a ranking
        prices a hundred candidates against a few dozen cards and a handful of sizings, and reruns with each input."""
        return {}

    @property
    def usd_krw(self) -> Constant | None:
        return self.constants.get("usd_krw")

    @property
    def krw_per_kwh(self) -> Constant | None:
        """Electricity price for running a workstation (general-service rate where published)."""
        for key in ("krw_per_kwh_general", "krw_per_kwh", "krw_per_kwh_residential"):
            if key in self.constants:
                return self.constants[key]
        return None

    def price_rows(self, gpus: tuple[GpuSpec, ...], condition: str = "new") -> list[dict[str, object]]:
        """One row per GPU with its current price, date and source: the editable price table."""
        rows: list[dict[str, object]] = []
        for gpu in gpus:
            price = self.gpu_price(gpu, condition)
            rows.append({"gpu_id": gpu.id, "gpu": gpu.name, "price_krw": round(price.krw) if price else None,
                         "date": price.date if price else "", "source": price.source_url if price else ""})
        return rows

    def default_krw_per_kwh(self) -> float | None:
        """The sourced electricity price; None (an empty field for the user to fill) when there is none."""
        rate = self.krw_per_kwh
        return float(rate.value) if rate else None

    def to_krw(self, usd: float) -> float | None:
        rate = self.usd_krw
        return None if rate is None else usd * rate.value

    def gpu_price(self, gpu: GpuSpec, condition: str = "new") -> Price | None:
        """The price for ``gpu``: street before list (``any`` admits used first), won before converted
        dollars, then the newest."""
        key = ("gpu_price", gpu, condition)
        if key not in self.chosen:
            self.chosen[key] = self._gpu_price(gpu, condition)
        return cast("Price | None", self.chosen[key])

    def _gpu_price(self, gpu: GpuSpec, condition: str) -> Price | None:
        wanted = ("new", "list") if condition == "new" else ("used", "new", "list")
        rows = [p for p in self.gpu.get(gpu.id, []) if p.condition in wanted]
        if gpu.street_price_krw and gpu.street_price_date:
            rows.append(Price(float(gpu.street_price_krw), gpu.street_price_date, gpu.source_urls[0], "new"))
        if not rows and gpu.msrp_usd:
            converted = self.to_krw(gpu.msrp_usd)
            if converted is not None:
                rows.append(Price(converted, self.usd_krw.date if self.usd_krw else "", gpu.source_urls[0], "list",
                                  converted=True))
        if not rows:
            return None
        rank = {c: i for i, c in enumerate(wanted)}
        # A won price a Korean shop published beats a dollar price converted at some exchange rate.
        return min(rows, key=lambda p: (rank.get(p.condition, 9), p.converted, _negate(p.date)))


def _negate(date: str) -> tuple[int, ...]:
    """Sort key that puts the newest date first."""
    return tuple(-int(part) for part in date.replace("/", "-").split("-") if part.isdigit())


def _price(path: Path, line: int, row: dict, book_rate: Constant | None) -> Price:
    if row["price_krw"] is not None:
        return Price(row["price_krw"], row["date"], row["source_url"], row.get("condition") or "new")
    if row["price_usd"] is None:
        raise DataFileError(path, line, None, "a row needs price_krw or price_usd")
    if book_rate is None:
        raise DataFileError(path, line, None, "price_usd needs a usd_krw rate in constants.csv")
    return Price(row["price_usd"] * book_rate.value, row["date"], row["source_url"], row.get("condition") or "new",
                 converted=True)


def load_prices(data_dir: Path = DATA_DIR) -> PriceBook:
    constants: dict[str, Constant] = {}
    path = data_dir / CONSTANTS_CSV.name
    if path.exists():
        for _, row in read_rows(path, _CONSTANT_COLUMNS):
            constants[row["key"]] = Constant(row["value"], row["unit"], row["date"], row["source_url"])
    rate = constants.get("usd_krw")
    known = {g.id for g in catalog()}
    gpu: dict[str, list[Price]] = {}
    path = data_dir / GPU_PRICES_CSV.name
    if path.exists():
        for line, row in read_rows(path, _GPU_PRICE_COLUMNS):
            if row["gpu_id"] not in known:
                raise DataFileError(path, line, 1, f"gpu_id {row['gpu_id']!r} is not in gpu_benchmarks.csv")
            gpu.setdefault(row["gpu_id"], []).append(_price(path, line, row, rate))
    parts: list[Part] = []
    path = data_dir / PARTS_CSV.name
    if path.exists():
        for line, row in read_rows(path, _PART_COLUMNS):
            parts.append(Part(row["part_id"], row["kind"], row["name"], _price(path, line, row, rate), row["spec"] or ""))
    cloud: list[CloudPrice] = []
    path = data_dir / CLOUD_CSV.name
    if path.exists():
        for _, row in read_rows(path, _CLOUD_COLUMNS):
            cloud.append(CloudPrice(row["gpu_id"], row["provider"], row["usd_per_hour"], row["gpus_per_instance"] or 1,
                                    row["date"], row["source_url"]))
    return PriceBook(gpu, tuple(parts), tuple(cloud), constants)


@lru_cache(maxsize=1)
def price_book() -> PriceBook:
    return load_prices()
