"""The bench's reference for the held-out error: how far independent sources measure the very same setup apart."""

from __future__ import annotations

from bench.speed_fit import Residual
from bench.speed_runs import Measurement
from bench.speed_spread import describe, spread
from core.plan.catalog import find_gpu
from core.plan.estimate import Scenario
from core.plan.models import find_model


def run(source: str, tokens_per_s: float, gpu: str = "rtx-4090", depth: int = 0) -> Measurement:
    s = Scenario(model=find_model("llama3.1:8b"), quant="Q4_K_M", context=4096, engine="llama.cpp", gpu=find_gpu(gpu))
    return Measurement(source=source, date="2026-05", scenario=s, backend="CUDA", flash_attention=True, users=1,
                       prompt_tokens=512, generated_tokens=128, depth_tokens=depth, decode=tokens_per_s, prefill=None,
                       fits=True)


def test_each_source_is_read_against_the_other_sources_runs_of_the_same_setup_only() -> None:
    residuals = [
        Residual(run("lab-a", 100.0), predicted=90.0),
        Residual(run("lab-b", 80.0), predicted=90.0),
        Residual(run("lab-a", 50.0, depth=32768), predicted=50.0),  # a deeper context: another setup
        Residual(run("lab-c", 60.0, gpu="rtx-3090"), predicted=60.0),  # one source only: nothing to compare
    ]
    s = spread(residuals)
    assert (s.setups, s.runs) == (1, 2)
    assert sorted(round(e, 6) for e in s.other_sources_pct) == [20.0, 25.0]  # 80 against 100, 100 against 80
    assert sorted(round(e, 6) for e in s.model_pct) == [10.0, 12.5]
    assert "1 setup measured by two sources or more (2 runs)" in describe(s)


def test_with_no_setup_shared_it_says_so() -> None:
    assert describe(spread([Residual(run("lab-a", 100.0), predicted=90.0)])) == "no setup was measured by two sources"
