"""AppTest: the monitor page in each state, in both languages, and one sampler whatever the number of sessions."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from tests.fakes import fake_nvml as fake
from tests.fakes.fake_nvml import FakeGpu, FakeNvml, FakeProcess
from tests.support.html_tables import html_tables

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "monitor.py")
TIMEOUT_S = 60


@pytest.fixture(autouse=True)
def fresh_samplers() -> Iterator[None]:
    """Each test builds the server's samplers anew from its own fake NVML; releasing them stops their threads."""
    ui.monitor_sampler.clear()
    yield
    ui.monitor_sampler.clear()


def with_nvml(monkeypatch: pytest.MonkeyPatch, nvml: FakeNvml) -> FakeNvml:
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    return nvml


def page(lang: str = "en", demo: bool = False) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    at.query_params["lang"] = lang
    if demo:
        at.query_params["demo"] = "1"
    return at.run()


FIGURE = re.compile(r'<div class="live-label"(?: title="[^"]*")?>(.*?)</div><div class="live-value">(.*?)</div>'
                    r'(?:<span class="live-note [^"]*">(.*?)</span>)?')


def figures(at: AppTest) -> list[tuple[str, str, str]]:
    """The live figures as the browser shows them: (label, value, note), in page order."""
    return [tuple(unescape(part or "") for part in found.groups())  # type: ignore[misc]
            for block in at.html for found in FIGURE.finditer(block.value)]


def everything(at: AppTest) -> str:
    """Every text the page shows, as one string to search."""
    parts = [e.value for kind in ("title", "caption", "markdown", "warning", "error", "info", "subheader")
             for e in getattr(at, kind)]
    parts += [unescape(re.sub(r"<[^>]+>", " ", block.value)) for block in at.html]
    parts += [" ".join(figure) for figure in figures(at)]
    return "\n".join(str(p) for p in parts)


def metric(at: AppTest, label: str) -> list[str]:
    return [value for name, value, _ in figures(at) if name == label]


@pytest.mark.parametrize(
    ("code", "title", "card"),
    [
        (fake.LIBRARY_NOT_FOUND, "No NVIDIA driver found", "warning"),
        (fake.DRIVER_NOT_LOADED, "The NVIDIA driver is not loaded", "error"),
        (fake.MISMATCH, "Driver and library versions differ: reboot needed", "error"),
        (fake.NO_PERMISSION, "No permission to read the GPUs", "error"),
    ],
)
def test_each_driver_state_has_its_card_and_the_host_still_shows(monkeypatch: pytest.MonkeyPatch, code: int,
                                                                  title: str, card: str) -> None:
    with_nvml(monkeypatch, FakeNvml(init_error=code))
    at = page()
    assert not at.exception
    assert getattr(at, card)[0].value.startswith(f"**{title}**")
    assert at.toggle(key="mon_demo").value is False
    assert metric(at, "CPU") and not metric(at, "GPU utilization")
    assert len(at.get("plotly_chart")) == 2  # host CPU/RAM and per core


def test_zero_gpus_says_where_to_look(monkeypatch: pytest.MonkeyPatch) -> None:
    with_nvml(monkeypatch, FakeNvml(gpus=[]))
    at = page()
    assert not at.exception
    assert "CUDA_VISIBLE_DEVICES" in at.warning[0].value and "550.54.14" in at.warning[0].value


def test_healthy_gpus_show_cards_history_processes_and_na_where_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    laptop = FakeGpu(uuid="GPU-fake-1", name="NVIDIA GeForce RTX 4060 Laptop GPU",
                     errors={"nvmlDeviceGetFanSpeed": fake.NOT_SUPPORTED, "nvmlDeviceGetPowerUsage": fake.NOT_SUPPORTED})
    desktop = FakeGpu(compute=[FakeProcess(4242, 6 * 1024**3)])
    with_nvml(monkeypatch, FakeNvml(gpus=[desktop, laptop]))
    at = page()
    assert not at.exception
    assert metric(at, "GPU utilization") == ["37%", "37%"]
    assert metric(at, "Power") == ["120 W", "n/a"]
    assert "fan n/a" in everything(at)
    # The history's tabs: only the open one's charts are drawn.
    drawn = {}
    for tab in ("GPU utilization & memory", "Temperature & power", "Memory by process", "Host CPU & memory"):
        at.session_state["mon_history_tab"] = tab
        at.run()
        drawn[tab] = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert [len(titles) for titles in drawn.values()] == [2, 2, 1, 2]
    assert len({title for titles in drawn.values() for title in titles}) == 7
    table = html_tables(at)[0]
    assert [row["PID"] for row in table] == ["4242"] and table[0]["GPU memory (GiB)"] == "6.00"
    assert at.warning == [] and at.error == []


def test_a_gpu_lost_while_running_gets_a_red_card_and_the_others_carry_on(monkeypatch: pytest.MonkeyPatch) -> None:
    falling = FakeGpu(uuid="GPU-fake-1", name="NVIDIA RTX A6000",
                      errors={"nvmlDeviceGetUtilizationRates": fake.GPU_IS_LOST})
    with_nvml(monkeypatch, FakeNvml(gpus=[FakeGpu(), falling]))
    at = page()
    assert not at.exception
    red = [e.value for e in at.error]
    assert any(text.startswith("GPU 1 (NVIDIA RTX A6000) stopped answering: NVMLError_GpuIsLost") for text in red)
    assert any("not answering" in text and "Xid" in text for text in red)
    assert metric(at, "GPU utilization") == ["37%"]  # only the healthy one shows numbers


def test_a_unified_memory_device_explains_its_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    with_nvml(monkeypatch, FakeNvml(gpus=[FakeGpu(name="NVIDIA GB10",
                                                  errors={"nvmlDeviceGetMemoryInfo_v2": fake.NOT_SUPPORTED})]))
    at = page()
    assert not at.exception
    assert "unified-memory device" in at.info[0].value
    assert metric(at, "Unified memory (host RAM)")


def test_the_demo_is_labelled_synthetic_and_replays_two_gpus() -> None:
    at = page(demo=True)
    assert not at.exception
    assert at.warning[0].value.startswith("**DEMO · SYNTHETIC data, not measured.**")
    assert len(metric(at, "GPU utilization")) == 2
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "SYNTHETIC" in spec["layout"]["title"]["subtitle"]["text"]
    assert at.toggle(key="mon_demo").value is True


def test_the_toggle_on_the_no_gpu_card_switches_to_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    with_nvml(monkeypatch, FakeNvml(init_error=fake.LIBRARY_NOT_FOUND))
    at = page()
    at.toggle(key="mon_demo").set_value(True).run()
    assert not at.exception
    assert at.query_params["demo"] == "1"
    assert "SYNTHETIC" in at.warning[0].value


def test_korean_readers_get_korean(monkeypatch: pytest.MonkeyPatch) -> None:
    with_nvml(monkeypatch, FakeNvml(init_error=fake.LIBRARY_NOT_FOUND))
    at = page(lang="ko")
    assert at.title[0].value == "실시간 GPU 모니터"
    assert at.warning[0].value.startswith("**NVIDIA 드라이버가 없습니다**")
    demo = page(lang="ko", demo=True)
    assert "합성(SYNTHETIC)" in demo.warning[0].value and metric(demo, "GPU 사용률")


def test_every_session_shares_one_sampler_and_no_page_reaches_nvml(monkeypatch: pytest.MonkeyPatch) -> None:
    nvml = with_nvml(monkeypatch, FakeNvml(gpus=[FakeGpu(), FakeGpu(uuid="GPU-fake-1")]))
    sessions = [page() for _ in range(3)]
    for at in sessions:
        at.run()  # each session redraws, as its live panel would every second
        assert not at.exception
    sampler = ui.monitor_sampler(False)
    sampler.stop()
    fast_polls = sampler.view(60).diagnostics.polls["fast"]
    assert nvml.calls["nvmlInit"] == 1  # opened once, for the server, not per session
    # Every utilization query came from the sampler's own polls, none from the six page runs.
    assert nvml.calls["nvmlDeviceGetUtilizationRates"] == 2 * fast_polls


def test_presentation_mode_hides_diagnostics_and_pause_keeps_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    with_nvml(monkeypatch, FakeNvml())
    at = page()
    assert [e.label for e in at.expander] == ["Diagnostics: sampler cost and source"]
    at.toggle(key="mon_presentation").set_value(True).run()
    assert not at.exception and at.expander == []
    at.toggle(key="mon_pause").set_value(True).run()
    assert not at.exception and metric(at, "GPU utilization") == ["37%"]


def test_a_longer_window_draws_from_the_day_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    with_nvml(monkeypatch, FakeNvml())
    at = page()
    at.segmented_control(key="mon_window").set_value(24 * 3600).run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "24 h, 10 s steps" in spec["layout"]["title"]["subtitle"]["text"]
