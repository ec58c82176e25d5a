"""The calculator's memory by term, drawn as HTML: every term's GiB on the bar, the usable line, nothing from a
model's name as markup."""

from __future__ import annotations

import re

import pytest

from core.plan.catalog import catalog
from core.plan.estimate import Scenario
from core.plan.hfconfig import custom_model
from core.plan.models import find_model
from core.plan.vram_report import vram_report
from ui.memory_bar import memory_bar_html


def widths(html: str) -> list[float]:
    return [float(w) for w in re.findall(r'class="mb-seg" style="left: [\d.]+%; width: ([\d.]+)%', html)]


def test_two_gpus_get_a_bar_each_and_the_terms_fill_the_total() -> None:
    gpu = next(g for g in catalog() if g.id == "rtx-4090")
    report = vram_report(Scenario(model=find_model("llama-3.1-70b"), quant="Q4_K_M", gpu=gpu, gpus=2), catalog())
    html = memory_bar_html(report, "en")
    terms = len(report.estimate.components_gib)
    assert html.count('class="mb-row"') == 2 and len(widths(html)) == 2 * terms
    scale = float(re.findall(r">([\d.]+) GiB</span>", html)[-1])
    assert sum(widths(html)) / 100 * scale == pytest.approx(report.estimate.total_gib, rel=1e-3)
    limit = float(re.search(r'class="mb-limit" style="left: ([\d.]+)%', html).group(1))
    assert limit / 100 * scale == pytest.approx(report.estimate.usable_gib_per_gpu, rel=1e-3)
    assert "usable" in html and "Weights" in html


def test_a_custom_model_name_is_text() -> None:
    model = custom_model(params_b=1.0, layers=16, hidden=2048, heads=32, kv_heads=8, vocab=32000, context_max=8192)
    model = type(model)(**{**model.__dict__, "name": '<img src=x onerror="alert(1)">'})
    html = memory_bar_html(vram_report(Scenario(model=model, quant="Q4_K_M"), catalog()), "ko")
    assert "<img" not in html and "&lt;img" in html
