"""A whole workstation around the GPUs: CPU, memory, power supply, disk, board and case, priced.

The sizing rules are the team's planning notes (docs/team/hardware_notes.txt) made explicit:
the CPU follows the GPU tier; system RAM is 32 GB for the 7B tier, 64 GB for 13B–30B, 128 GB when
fine-tuning, and never less than the model itself (loading and CPU offload go through it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from core.plan.catalog import GpuSpec
from core.plan.prices import Part, PriceBook

PSU_HEADROOM = 1.25
"""Size the supply 25% above the summed board powers: transients on modern GPUs exceed their TDP."""
REST_OF_SYSTEM_W = 100
CPU_W = {"mainstream": 170, "workstation": 350}
"""Package power of the CPU tiers (Ryzen 9 7950X: 170 W TDP; Threadripper 7960X: 350 W TDP)."""


@dataclass(frozen=True)
class Workstation:
    gpu: GpuSpec
    count: int
    gpu_price_krw: float | None
    parts: tuple[Part, ...]
    ram_gb: int
    psu_w: int | None  # None when a board power is not published: never sized as if it drew nothing
    disk_tb: int
    power_w: float | None
    complete: bool  # every part found a price; the system is a whole computer (Mac, DGX Spark) otherwise
    gpu_price_source: str | None = None  # URL of the GPU price, or None when the user typed it in

    @property
    def cpu_name(self) -> str | None:
        return next((part.name for part in self.parts if part.kind == "cpu"), None)

    @property
    def parts_price_krw(self) -> float:
        return sum(p.price.krw for p in self.parts)

    @property
    def total_krw(self) -> float | None:
        return None if self.gpu_price_krw is None else self.gpu_price_krw + self.parts_price_krw


def is_whole_system(gpu: GpuSpec) -> bool:
    """Macs, the DGX Spark and Strix Halo boxes are bought as computers, their memory unified: no parts to add."""
    return gpu.is_unified_memory


def cpu_tier(count: int) -> str:
    # Three or more GPUs need the PCIe lanes of a workstation platform.
    return "workstation" if count >= 3 else "mainstream"


def ram_needed_gb(largest_params_b: float, model_gib: float, mode: str) -> int:
    tier = 128 if mode != "inference" else 32 if largest_params_b <= 9 else 64 if largest_params_b <= 34 else 128
    floor = 2 ** math.ceil(math.log2(max(model_gib, 1)))
    return max(tier, floor)


def _capacity(part: Part) -> float:
    return _spec_capacity(part.spec)


@lru_cache(maxsize=4096)
def _spec_capacity(spec: str) -> float:
    # Cached by the spec text: a recommendation sizes every candidate against the same few dozen parts.
    match = re.search(r"(\d+(?:\.\d+)?)\s*(GB|TB|W)", spec, re.IGNORECASE)
    return float(match.group(1)) if match else 0.0


def _cheapest_at_least(parts: list[Part], amount: float) -> Part | None:
    """The smallest part that is big enough, cheapest first; None when none is (never a smaller one)."""
    fitting = [p for p in parts if _capacity(p) >= amount]
    return min(fitting, key=lambda p: (_capacity(p), p.price.krw)) if fitting else None


def _cpu_wanted(tier: str, gpu_vram_gb: float) -> tuple[str, ...]:
    if tier == "workstation":
        return ("threadripper",)
    if gpu_vram_gb >= 20:
        # AMD for both mainstream tiers so one AM5 board fits either (the notes' i9-13900K is the Intel twin).
        return ("7950x", "9950x")
    return ("7700x", "9700x")


def _cpu(parts: list[Part], wanted: tuple[str, ...]) -> Part | None:
    matches = [p for p in parts if any(w in p.name.lower() for w in wanted)]
    return min(matches, key=lambda p: p.price.krw) if matches else None


def build(gpu: GpuSpec, count: int, book: PriceBook, largest_params_b: float, model_gib: float, mode: str,
          condition: str = "new", gpu_price_override_krw: float | None = None) -> Workstation:
    """Price ``count`` × ``gpu`` and the parts around them."""
    price = book.gpu_price(gpu, condition)
    unit = gpu_price_override_krw if gpu_price_override_krw is not None else (price.krw if price else None)
    gpu_price = unit * count if unit is not None else None
    source = price.source_url if price is not None and gpu_price_override_krw is None else None
    if is_whole_system(gpu):
        # A computer draws what its own supply allows (DGX Spark: 240 W), not only its chip.
        whole = gpu.system_power_w or gpu.tdp_w
        return Workstation(gpu, count, gpu_price, (), 0, None, 0, whole, True, source)
    gpu_power = gpu.tdp_w * count if gpu.tdp_w is not None else None
    tier = cpu_tier(count)
    ram_gb = ram_needed_gb(largest_params_b, model_gib, mode)
    power = gpu_power + CPU_W[tier] + REST_OF_SYSTEM_W if gpu_power is not None else None
    psu_w = int(math.ceil(power * PSU_HEADROOM / 50) * 50) if power is not None else None
    disk_tb = max(2, int(2 ** math.ceil(math.log2(max(model_gib * 3 / 1000, 1)))))
    wanted_cpu = _cpu_wanted(tier, gpu.vram_gib * count)
    key = ("parts", tier, wanted_cpu, ram_gb, psu_w, disk_tb)
    if key not in book.chosen:
        by_kind = book.parts_by_kind
        ram = _ram(by_kind.get("ram", []), ram_gb)
        chosen = [
            _cpu(by_kind.get("cpu", []), wanted_cpu),
            ram[0] if ram else None,
            _cheapest_at_least(by_kind.get("psu", []), psu_w) if psu_w is not None else None,
            _cheapest_at_least(by_kind.get("ssd", []), disk_tb),
            _board(by_kind.get("board", []), tier),
            min(by_kind.get("case", []), key=lambda p: p.price.krw, default=None),
        ]
        parts = tuple(p for p in chosen if p is not None) + ram[1:]
        book.chosen[key] = (parts, len(parts) == len(chosen))
    parts, complete = cast("tuple[tuple[Part, ...], bool]", book.chosen[key])
    return Workstation(gpu, count, gpu_price, parts, ram_gb, psu_w, disk_tb, power, complete, source)


DIMM_SLOTS = 4
"""A board with four DIMM slots takes at most four single modules, or two kits of two."""


def _modules(kit: Part) -> int | None:
    """Modules in a kit, as its spec says ("32 GB (2x16)"); None when it does not say."""
    match = re.search(r"\((\d+)\s*x\s*\d+", kit.spec)
    return int(match.group(1)) if match else None


def _ram(parts: list[Part], gb: int) -> tuple[Part, ...]:
    """One kit that holds ``gb``, else the cheapest set of identical kits that does and fits the board's slots;
    () when none can. A kit whose module count is not published is never bought more than once."""
    single = _cheapest_at_least(parts, gb)
    if single is not None:
        return (single,)
    sets = []
    for kit in parts:
        modules = _modules(kit)
        if modules is None or _capacity(kit) <= 0:
            continue
        count = math.ceil(gb / _capacity(kit))
        if count * modules <= DIMM_SLOTS:
            sets.append((kit,) * count)
    return min(sets, key=lambda s: sum(p.price.krw for p in s), default=())


def _board(parts: list[Part], tier: str) -> Part | None:
    wanted = "trx50" if tier == "workstation" else "am5"
    matches = [p for p in parts if wanted in (p.name + " " + p.spec).lower()] or parts
    return min(matches, key=lambda p: p.price.krw) if matches else None
