"""Chart builders: every figure passes plotly's full validation and carries title, units and source."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from core.plan import charts_vram
from core.plan.catalog import catalog, find_gpu
from core.plan.estimate import Scenario
from core.plan.models import find_model
from core.plan.vram_report import vram_report


@pytest.fixture(scope="module", params=["inference", "qlora"])
def report(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    scenario = Scenario(model=find_model("llama3.1:8b"), quant="Q4_K_M", context=8192, gpu=find_gpu("rtx-4090"),
                        gpus=2, mode=request.param)
    return vram_report(scenario, catalog())


@pytest.mark.parametrize("builder", [charts_vram.breakdown_chart, charts_vram.context_chart, charts_vram.fits_chart])
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_figures_are_valid_and_labelled(report, builder, lang: str) -> None:  # type: ignore[no-untyped-def]
    fig = builder(report, lang)
    checked = go.Figure(fig.to_dict())  # full validation: raises on any misspelt property
    layout = checked.layout
    assert layout.title.text
    assert ("출처" if lang == "ko" else "Source") in layout.title.subtitle.text
    assert layout.xaxis.title.text or layout.yaxis.title.text


def test_breakdown_has_one_bar_per_gpu_and_the_usable_line(report) -> None:  # type: ignore[no-untyped-def]
    fig = charts_vram.breakdown_chart(report, "en")
    assert all(len(trace.y) == 2 for trace in fig.data)
    assert fig.layout.shapes[0].x0 == pytest.approx(24.0)
    stacked = sum(sum(trace.x) for trace in fig.data)
    assert stacked == pytest.approx(report.estimate.total_gib)
