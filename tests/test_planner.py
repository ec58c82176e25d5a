"""The catalog-wide views agree with estimating each card on its own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.plan.catalog import catalog
from core.plan.estimate import Scenario, estimate
from core.plan.fits import gpus_needed
from core.plan.models import find_model
from core.plan.vram_report import fits_across, vram_report


@pytest.mark.parametrize(
    "scenario",
    [
        Scenario(model=find_model("llama3.1:70b"), quant="Q4_K_M", context=8192, engine="ollama"),
        Scenario(model=find_model("qwen2.5:14b"), quant="Q8_0", context=32768, engine="llama.cpp", parallel=2),
        Scenario(model=find_model("llama3.1:8b"), quant="BF16", context=8192, engine="vllm", parallel=16),
        Scenario(model=find_model("llama3.1:8b"), context=2048, mode="qlora", batch=2, grad_checkpointing=True),
    ],
    ids=["70b-ollama", "14b-llama.cpp", "8b-vllm", "8b-qlora"],
)
def test_fits_across_matches_per_card_estimates(scenario: Scenario) -> None:
    for row in fits_across(scenario, catalog()):
        assert row.count == gpus_needed(scenario, row.gpu), row.gpu.id
        if row.count:
            direct = estimate(replace(scenario, gpu=row.gpu, gpus=row.count))
            assert direct.fits
            if scenario.engine != "vllm":
                assert row.headroom_gib == pytest.approx(direct.headroom_gib, abs=1e-6)


def test_report_lists_every_card_green_before_red() -> None:
    report = vram_report(Scenario(model=find_model("llama3.1:70b"), context=8192), catalog())
    statuses = [row.status for row in report.fits_on]
    assert len(statuses) == len(catalog())
    assert statuses == sorted(statuses, key=["green", "amber", "red"].index)
    assert "red" in statuses and "green" in statuses
