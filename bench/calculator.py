"""VRAM calculator: server-side rerun time after an input change, against a minimal one-page app,
and the CLI's time for 1,000 scenarios in one process."""

from __future__ import annotations

import contextlib
import io
import itertools
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
RUNS = 25
MINIMAL_APP = """
import streamlit as st
value = st.number_input("x", value=1, key="x")
st.write(value * 2)
"""


def _rerun_times(at: AppTest, key: str, values: list[int]) -> list[float]:
    at.run()
    times = []
    for value in values:
        at.number_input(key=key).set_value(value)
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    return times


def rerun_ratio(page_file: str = "vram.py", key: str = "ctx") -> tuple[float, float]:
    """Median rerun time of a page after a number input changes, and of a minimal app likewise."""
    contexts = [1024 * (i % 60 + 2) for i in range(RUNS)]
    with tempfile.TemporaryDirectory() as tmp:
        minimal_path = Path(tmp) / "minimal.py"
        minimal_path.write_text(MINIMAL_APP, encoding="utf-8")
        minimal = _rerun_times(AppTest.from_file(str(minimal_path), default_timeout=60), "x", contexts)
    page = AppTest.from_file(str(ROOT / "pages" / page_file), default_timeout=60)
    page.query_params["lang"] = "en"
    measured = _rerun_times(page, key, contexts)
    return statistics.median(measured), statistics.median(minimal)


def cli_scenarios(count: int = 1000) -> float:
    from core.cli import main
    from core.plan.models import model_catalog

    models = [m.id for m in model_catalog()]
    grid = itertools.cycle(itertools.product(models, ("Q4_K_M", "Q8_0", "F16"), ("2048", "8192", "32768")))
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for _ in range(count):
            model, quant, context = next(grid)
            main(["vram", "--model", model, "--quant", quant, "--context", context, "--gpu", "rtx-4090", "--json"])
    return time.perf_counter() - started


def run() -> None:
    page_s, minimal_s = rerun_ratio()
    print(f"calculator rerun after an input change: median {page_s * 1000:.1f} ms over {RUNS} runs")
    print(f"minimal one-page app rerun:             median {minimal_s * 1000:.1f} ms")
    print(f"ratio: {page_s / minimal_s:.2f}x (goal <= 2x)")
    total = cli_scenarios()
    # total seconds for 1,000 runs is numerically the milliseconds per run.
    print(f"CLI: 1,000 vram scenarios in one process: {total:.2f} s ({total:.2f} ms per scenario)")
