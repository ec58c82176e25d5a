"""Every answer measures the workstation: stored once, flagged when it does not count, and the predictions
that follow are corrected by what was measured, with how many answers and how much spread they rest on."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from core.chat.measurements import MeasurementStore, from_csv, to_csv
from core.chat.store import DB_NAME
from core.csvdata import DataFileError
from core.plan.local import PRIOR_RUNS, LocalRun, fit_corrections
from tests.fakes.fake_nvml import FakeGpu, FakeNvml
from tests.fakes.ollama_server import FakeOllama

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def workstation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[FakeOllama, Path]]:
    """A loopback Ollama answering 40 tokens, and one RTX 4090 under the fake NVML."""
    ui.monitor_sampler.clear()
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml(gpus=[FakeGpu(util_gpu=50)]))
    with FakeOllama(tokens_per_s=2000, answer_tokens=40) as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
        yield server, tmp_path / DB_NAME
    ui.monitor_sampler.clear()


def ask(at: AppTest, text: str) -> AppTest:
    return at.chat_input[0].set_value(text).run()


def test_three_answers_store_three_measurements_and_the_fourth_prediction_is_calibrated(
        workstation: tuple[FakeOllama, Path]) -> None:
    _, db = workstation
    at = AppTest.from_file(str(ROOT / "pages" / "chat.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    for question in ("one", "two", "three"):
        ask(at, question)
        assert not at.exception
    rows = MeasurementStore(db).all()
    assert len(rows) == 3 and all(r.counts for r in rows)
    first = rows[0]
    assert (first.source, first.gpu_id, first.gpu_count, first.engine, first.model) == ("chat", "rtx-4090", 1, "ollama",
                                                                                         "llama3.2:latest")
    assert first.eval_count >= 40 and first.decode_tokens_per_s and first.predicted_tokens_per_s
    assert first.predicted_low < first.predicted_tokens_per_s < first.predicted_high
    assert "one" not in to_csv(rows)  # no prompt or answer text in the table
    ask(at, "four")
    line = at.chat_message[-1].caption[0].value
    assert re.search(r"calibrated on this workstation: 3 answers, ±\d+%", line), line


def test_a_short_or_stopped_answer_is_kept_but_flagged(workstation: tuple[FakeOllama, Path]) -> None:
    server, db = workstation
    server.answer_tokens = 5
    at = AppTest.from_file(str(ROOT / "pages" / "chat.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    ask(at.run(), "brief")
    (row,) = MeasurementStore(db).all()
    assert row.flag == "short" and not row.counts


def test_the_correction_is_shrunk_toward_the_published_calibration() -> None:
    lucky = fit_corrections([LocalRun("rtx-4090", 1, "ollama", "CUDA", 100.0, 150.0)])
    (one,) = lucky.values()
    assert one.runs == 1 and math.isclose(one.factor, math.exp(math.log(1.5) / (1 + PRIOR_RUNS)), rel_tol=1e-3)
    steady = fit_corrections([LocalRun("rtx-4090", 1, "ollama", "CUDA", 100.0, 80.0 + i % 3) for i in range(40)])
    (many,) = steady.values()
    assert 0.8 < many.factor < 0.84 and many.spread_pct < 3  # forty consistent answers move it nearly all the way


def test_export_and_import_round_trip_and_bad_files_name_the_cell(workstation: tuple[FakeOllama, Path]) -> None:
    _, db = workstation
    at = AppTest.from_file(str(ROOT / "pages" / "chat.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    ask(at.run(), "measure me")
    exported = to_csv(MeasurementStore(db).all())
    (back,) = from_csv(exported, "ours.csv")
    assert back.source == "import" and back.decode_tokens_per_s == MeasurementStore(db).all()[0].decode_tokens_per_s
    broken = exported.replace(",ollama,", ",ollama,", 1).splitlines()
    header = broken[0].split(",")
    cells = broken[1].split(",")
    cells[header.index("gpu_count")] = "many"
    with pytest.raises(DataFileError) as raised:
        from_csv("\n".join([broken[0], ",".join(cells)]) + "\n", "theirs.csv")
    assert (raised.value.path, raised.value.line, raised.value.column) == ("theirs.csv", 2, header.index("gpu_count") + 1)


def test_the_monitor_page_plots_measured_against_predicted(workstation: tuple[FakeOllama, Path]) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "chat.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    for question in ("one", "two", "three"):
        ask(at, question)
    monitor = AppTest.from_file(str(ROOT / "pages" / "monitor.py"), default_timeout=60)
    monitor.query_params["lang"] = "en"
    monitor.run()
    assert not monitor.exception
    assert "Measured on our machines" in [s.value for s in monitor.subheader]
    table = monitor.dataframe[-1].value
    assert list(table["Runs"]) == [3] and table.iloc[0]["Model"] == "llama3.2:latest"
    charts = [c for c in monitor.get("plotly_chart") if "Predicted against measured (3 runs)" in c.proto.spec]
    assert charts


def test_the_loaded_model_is_set_beside_the_estimate_and_kept_once(workstation: tuple[FakeOllama, Path]) -> None:
    _, db = workstation
    at = AppTest.from_file(str(ROOT / "pages" / "chat.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    ask(at.run(), "load it")
    at.run()  # redrawn: the same loaded configuration is not stored twice
    line = next(c.value for c in at.caption if c.value.startswith("estimate "))
    assert "Ollama reports 1.9 GiB (1.9 GiB in VRAM)" in line and "NVML runner" in line
    (check,) = MeasurementStore(db).memory_checks()
    assert check["model"] == "llama3.2:latest" and check["gpu_id"] == "rtx-4090" and check["estimate_gib"]
