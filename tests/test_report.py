"""Plan reports: the scenario, the answer, formulas, assumptions and every source, in either language."""

from __future__ import annotations

import pytest

from core.plan.catalog import catalog, find_gpu
from core.plan.estimate import Scenario
from core.plan.models import find_model
from core.plan.prices import price_book
from core.plan.recommend import Request, recommend
from core.plan.report import calculator_report, recommendation_report
from core.plan.vram_report import vram_report


@pytest.fixture(scope="module")
def vram():  # type: ignore[no-untyped-def]
    scenario = Scenario(model=find_model("llama3.1:8b"), context=8192, gpu=find_gpu("rtx-4090"))
    return vram_report(scenario, catalog())


def test_calculator_report_markdown_has_scenario_formulas_and_sources(vram) -> None:  # type: ignore[no-untyped-def]
    text = calculator_report(vram, "en", date="2026-11-21").markdown("en")
    assert text.startswith("# GPU memory plan: Llama 3.1 8B Instruct")
    assert "Date: 2026-11-21" in text
    assert "KV = 2·L·n_kv·d_head·b·cells" in text and "1.00" in text
    assert "https://huggingface.co/meta-llama/Llama-3.1-8B" in text
    assert "**Assumptions**" in text
    gpu = find_gpu("rtx-4090")
    assert gpu.accessed and f"{gpu.source_urls[0]} (read {gpu.accessed})" in text  # when the spec was read


def test_reports_are_written_in_the_chosen_language(vram) -> None:  # type: ignore[no-untyped-def]
    text = calculator_report(vram, "ko").markdown("ko")
    assert "GPU 메모리 계획" in text and "가정" in text and "출처" in text


def test_html_is_self_contained(vram) -> None:  # type: ignore[no-untyped-def]
    page = calculator_report(vram, "en").html("en")
    assert page.count("class=\"plotly-graph-div\"") == 3
    assert "<script src=" not in page  # plotly.js is inline, nothing is fetched
    assert len(page) > 3_000_000


def test_recommendation_report_names_the_workstation_and_its_price_sources() -> None:
    request = Request(models=(find_model("qwen2.5:14b"),), users=5, budget_krw=6_000_000)
    result = recommend(request, catalog(), price_book())
    report = recommendation_report(request, result, catalog(), "en")
    text = report.markdown("en")
    assert "Workstation plan: Qwen2.5 14B Instruct" in text
    assert "The whole workstation" in text
    best = result.options[0]
    assert ("| cpu |" in text) is bool(best.workstation.parts)
    assert all(url.startswith(("http", "docs/")) for url in report.sources)
    assert best.workstation.gpu_price_source in report.sources
    assert all(part.price.source_url in report.sources for part in best.workstation.parts)
