"""AppTest: the monitor page's team view over a real Prometheus (two hosts), and with Prometheus gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from tests.fakes.prometheus_stack import DCGM_HOST, NVITOP_HOST, Stack, start_stack
from tests.support.html_tables import html_tables
from tests.test_team_prometheus import until

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "monitor.py")

pytestmark = pytest.mark.prometheus


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    started = start_stack()
    until(started, lambda v: len(v.hosts) == 2 and len(v.history["gpu_util_pct"]) == 4, window_s=900)
    yield started
    started.close()


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    ui.monitor_team_view.clear()
    yield
    ui.monitor_team_view.clear()


def team_page(monkeypatch: pytest.MonkeyPatch, url: str, lang: str = "en") -> AppTest:
    monkeypatch.setenv("PROMETHEUS_URL", url)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["scope"] = "team"
    return at.run()


def text(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "caption", "markdown", "warning", "error", "info", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts + [f"{m.label} {m.value}" for m in at.metric])


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_team_view_shows_both_hosts_totals_history_and_where_a_model_fits(
        monkeypatch: pytest.MonkeyPatch, stack: Stack, lang: str) -> None:
    at = team_page(monkeypatch, stack.url, lang)
    assert not at.exception
    shown = text(at)
    assert DCGM_HOST in shown and NVITOP_HOST in shown
    assert "NVIDIA H100 80GB HBM3" in shown and "NVIDIA GeForce RTX 3090" in shown
    assert len(at.get("plotly_chart")) == 4  # utilization and VRAM for each host
    if lang == "en":
        assert "Workstations 2" in shown
        table = html_tables(at)[0]
        assert {row["Workstation"] for row in table} == {DCGM_HOST, NVITOP_HOST}
        assert table[0]["Workstation"] == DCGM_HOST  # the roomiest host that fits comes first
        assert table[0]["Verdict"].startswith("Fits on one GPU")
        # A model larger than any host's free VRAM: nowhere, and the page says so.
        at.selectbox(key="team_model").set_value("llama-3.1-405b").run()
        assert not at.exception
        assert [w.value for w in at.warning] == ["No workstation has enough free VRAM for this model right now."]
        assert {row["Verdict"] for row in html_tables(at)[0]} == {"Does not fit"}


def test_without_prometheus_url_the_page_has_no_team_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_URL", raising=False)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Live GPU monitor"
    assert not [w for w in at.get("button_group") if w.key == "scope"]


def test_with_prometheus_url_the_page_offers_the_team_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.net import free_port

    monkeypatch.setenv("PROMETHEUS_URL", f"http://127.0.0.1:{free_port()}")  # nothing needs to answer here
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert [w for w in at.get("button_group") if w.key == "scope"]


def test_a_stopped_prometheus_gives_a_banner_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.net import free_port

    at = team_page(monkeypatch, f"http://127.0.0.1:{free_port()}")
    assert not at.exception
    assert [e.value for e in at.error] == ["Prometheus cannot be reached."]
    assert "Check PROMETHEUS_URL on the server" in text(at)
