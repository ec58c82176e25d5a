"""`python -m core bench` against the loopback fake Ollama and the fake NVML: a progress bar, a table of
measured against predicted, the runs stored; bad input ends with one line and nothing stored."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.chat.measurements import MeasurementStore
from core.chat.store import DB_NAME
from core.cli import main
from tests.fakes.fake_nvml import FakeGpu, FakeNvml
from tests.fakes.ollama_server import FakeOllama
from tests.support.net import free_port


@pytest.fixture
def workstation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeOllama]:
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml(gpus=[FakeGpu()]))
    monkeypatch.delenv("OLLAMA_HOSTS", raising=False)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    with FakeOllama(tokens_per_s=4000, answer_tokens=40) as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        yield server


def stored(tmp_path: Path) -> int:
    path = tmp_path / DB_NAME
    return len(MeasurementStore(path).all()) if path.exists() else 0


def test_bench_measures_both_depths_and_stores_every_run(workstation: FakeOllama, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--model", "llama3.2", "--reps", "2", "--tokens", "40"]) == 0
    out, err = capsys.readouterr()
    assert "4/4" in err and "#" in err  # the progress bar reached the end
    table = out.splitlines()
    assert table[0].split() == ["host", "model", "depth", "measured", "predicted", "error"]
    assert [line.split()[2] for line in table[1:3]] == ["short", "long"]
    assert all(line.split()[4] != "n/a" for line in table[1:3])  # an RTX 4090 the catalog knows: a prediction
    assert stored(tmp_path) == 4
    rows = MeasurementStore(tmp_path / DB_NAME).all()
    assert {r.source for r in rows} == {"bench"} and {r.num_ctx for r in rows} == {2048, 8192}
    assert all(r.counts for r in rows)


@pytest.mark.parametrize(("argv", "fragment"), [
    (["bench", "--model", "nonexistent"], "is not installed"),
    (["bench", "--host", "nowhere"], "no Ollama host named"),
    (["bench", "--reps", "0"], "must be a positive whole number"),
])
def test_bad_input_is_one_line_and_nothing_is_stored(workstation: FakeOllama, tmp_path: Path, argv: list[str],
                                                     fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]
    assert stored(tmp_path) == 0


def test_ollama_down_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml(gpus=[FakeGpu()]))
    monkeypatch.delenv("OLLAMA_HOSTS", raising=False)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{free_port()}")
    assert main(["bench"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:")
    assert stored(tmp_path) == 0
