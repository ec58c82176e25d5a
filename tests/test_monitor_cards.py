"""What the page says: thresholds and banners, host figures, the process table, charts and downloads."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from core.monitor import cards, charts
from core.monitor.downloads import window_csv, window_json
from core.monitor.live import LiveSource
from core.monitor.nvml import NvmlSource
from core.monitor.ringbuffer import Window
from core.monitor.sampler import Sampler
from core.monitor.trace import demo_sampler
from core.monitor.types import State
from core.monitor.view import MonitorView
from tests.fakes import fake_nvml as fake
from tests.fakes.fake_nvml import FakeGpu, FakeNvml, FakeProcess
from tests.test_monitor_sampler import HOST, run_until

GIB_BYTES = 1024**3


def view_of(*gpus: FakeGpu, seconds: float = 30.0, window_s: float = 900, **kwargs: object) -> MonitorView:
    source = LiveSource(NvmlSource(nvml=FakeNvml(gpus=list(gpus), **kwargs), describe=lambda pid: None),  # type: ignore[arg-type]
                        host=lambda: HOST)
    sampler = Sampler(source, clock=lambda: seconds)
    run_until(sampler, seconds)
    return sampler.view(window_s, now=seconds)


def texts(alerts: tuple[cards.Alert, ...]) -> list[str]:
    return [a.text for a in alerts]


def test_a_calm_gpu_raises_nothing() -> None:
    view = view_of(FakeGpu())
    assert cards.banners(view, "en") == ()
    (card,) = cards.gpu_cards(view, "en", {})
    assert [m.level for m in card.metrics] == ["ok"] * 4
    assert [m.value for m in card.metrics] == ["37%", "1.0 / 24.0 GiB", "55 °C", "120 W"]


def test_vram_above_ninety_percent_warns() -> None:
    view = view_of(FakeGpu(memory_used_mib=22_500))
    assert texts(cards.banners(view, "en")) == ["GPU 0 (NVIDIA GeForce RTX 4090): VRAM 92% full. "
                                                "Another model or a longer context may not fit."]
    assert cards.gpu_cards(view, "en", {})[0].metrics[1].level == "warn"


@pytest.mark.parametrize(("temp", "level"), [(82, None), (83, "warn"), (87, "warn"), (88, "critical")])
def test_temperature_warns_within_five_degrees_of_slowdown(temp: int, level: str | None) -> None:
    view = view_of(FakeGpu(temperature_c=temp, slowdown_c=88))
    alerts = cards.banners(view, "en")
    assert [a.level for a in alerts] == ([] if level is None else [level])
    assert cards.gpu_cards(view, "en", {})[0].metrics[2].level == (level or "ok")


def test_an_unknown_slowdown_point_raises_no_temperature_alarm() -> None:
    view = view_of(FakeGpu(temperature_c=95, errors={"nvmlDeviceGetTemperatureThreshold": fake.NOT_SUPPORTED}))
    assert cards.banners(view, "en") == ()


def test_power_cap_throttling_is_named() -> None:
    view = view_of(FakeGpu(throttle=0x4, power_mw=449_000))
    assert texts(cards.banners(view, "ko")) == ["GPU 0 (NVIDIA GeForce RTX 4090): 전력 한도(450 W)에 걸려 클럭이 "
                                                "제한되고 있습니다."]
    card = cards.gpu_cards(view, "en", {})[0]
    assert card.metrics[3].level == "warn" and "clocks held back by: power cap" in card.details


def test_missing_metrics_read_n_a_on_the_card() -> None:
    gpu = FakeGpu(errors={name: fake.NOT_SUPPORTED for name in (
        "nvmlDeviceGetUtilizationRates", "nvmlDeviceGetFanSpeed", "nvmlDeviceGetPowerUsage",
        "nvmlDeviceGetEnforcedPowerLimit", "nvmlDeviceGetPowerManagementLimit")})
    card = cards.gpu_cards(view_of(gpu), "en", {})[0]
    assert card.metrics[0].value == "n/a" and card.metrics[3].value == "n/a"
    assert "fan n/a ·" in card.details and card.metrics[3].note == "limit n/a"
    assert card.metrics[0].note == "memory bus n/a"


def test_a_lost_gpu_gets_a_red_banner_and_a_card_without_stale_numbers() -> None:
    healthy, lost = FakeGpu(uuid="GPU-fake-0"), FakeGpu(uuid="GPU-fake-1", name="NVIDIA RTX A6000")
    source = LiveSource(NvmlSource(nvml=FakeNvml(gpus=[healthy, lost]), describe=lambda pid: None), host=lambda: HOST)
    sampler = Sampler(source, clock=lambda: 0.0)
    t = run_until(sampler, 5.0)
    lost.lost = True
    run_until(sampler, 8.0, start=t)
    view = sampler.view(60, now=8.0)
    (banner,) = cards.banners(view, "en")
    assert banner.level == "critical" and banner.text.startswith("GPU 1 (NVIDIA RTX A6000) stopped answering")
    by_uuid = {c.uuid: c for c in cards.gpu_cards(view, "en", {})}
    assert "GpuIsLost" in by_uuid["GPU-fake-1"].lost and by_uuid["GPU-fake-1"].metrics == ()
    assert by_uuid["GPU-fake-0"].lost is None


def test_a_unified_memory_device_shows_the_host_ram_it_shares() -> None:
    view = view_of(FakeGpu(name="NVIDIA GB10", errors={"nvmlDeviceGetMemoryInfo_v2": fake.NOT_SUPPORTED}))
    card = cards.gpu_cards(view, "en", {})[0]
    assert card.unified and card.metrics[1].label == "Unified memory (host RAM)"
    assert card.metrics[1].value == "7.8 / 64.0 GiB"


def test_energy_counts_from_when_the_reader_opened_the_page() -> None:
    view = view_of(FakeGpu(), seconds=30.0)
    baseline = {uuid: j - 3600.0 for uuid, j in view.energy_j.items()}  # opened when 1 Wh less had been used
    assert "1.00 Wh since you opened the page" in cards.gpu_cards(view, "en", baseline)[0].details
    assert cards.host_metrics(view.host, view, "en", baseline)[-1].value == "1.00 Wh"


def test_host_figures_keep_the_page_cache_apart() -> None:
    view = view_of(FakeGpu())
    cpu, ram, swap, energy = cards.host_metrics(view.host, view, "en", {})
    assert (cpu.value, cpu.note) == ("10%", "2 logical cores")
    assert (ram.value, ram.note) == ("7.8 / 64.0 GiB", "page cache 6.8 GiB")
    assert "48.8 GiB" in ram.help and swap.value == "0.0 / 0.0 GiB"


def test_the_state_notice_explains_and_counts_down() -> None:
    view = view_of(init_error=fake.MISMATCH)
    notice = cards.source_notice(view, demo=False, lang="en")
    assert notice.level == "critical"
    assert notice.text.startswith("**Driver and library versions differ: reboot needed**")
    assert "Trying again in" in notice.text and cards.source_notice(view_of(FakeGpu()), False, "en") is None


def test_the_demo_notice_says_synthetic_in_both_languages() -> None:
    view = demo_sampler(now=50_000.0).view(60, now=50_000.0)
    assert "SYNTHETIC" in cards.source_notice(view, demo=True, lang="en").text
    assert "합성(SYNTHETIC)" in cards.source_notice(view, demo=True, lang="ko").text


def test_process_rows_are_biggest_first_per_gpu_with_runtime_labels() -> None:
    gpu = FakeGpu(compute=[FakeProcess(10, 2 * GIB_BYTES), FakeProcess(11, 6 * GIB_BYTES)])
    view = view_of(gpu)
    rows = cards.process_rows(view, "en")
    assert [r["PID"] for r in rows] == [11, 10]
    assert rows[0]["GPU memory (GiB)"] == 6.0 and rows[0]["Type"] == "compute"
    assert rows[0]["Command"].endswith("(outside this PID namespace: in a container, run with --pid=host)")


@pytest.fixture(scope="module")
def demo_view() -> MonitorView:
    return demo_sampler(now=90_000.0).view(900, now=90_000.0)


BUILDERS = [
    *(lambda v, lang, f=f: charts.history_chart(v, f, lang) for f in charts.SCALES),
    charts.process_memory_chart, charts.host_chart, charts.cores_chart,
]


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_figures_are_valid_titled_sourced_and_fixed(demo_view: MonitorView, builder, lang: str) -> None:  # type: ignore[no-untyped-def]
    fig = go.Figure(builder(demo_view, lang).to_dict())  # full validation
    assert fig.layout.title.text and fig.layout.yaxis.title.text
    source = fig.layout.title.subtitle.text
    assert ("출처" if lang == "ko" else "Source") in source and "SYNTHETIC" in source
    assert fig.layout.yaxis.range is not None and fig.layout.yaxis.fixedrange


def test_history_axes_do_not_follow_the_data(demo_view: MonitorView) -> None:
    util = charts.history_chart(demo_view, "gpu_util_pct", "en")
    assert tuple(util.layout.yaxis.range) == (0, 100)
    memory = charts.history_chart(demo_view, "memory_used_mib", "en")
    assert memory.layout.yaxis.range[1] == pytest.approx(24576 / 1024 * 1.05)
    temperature = charts.history_chart(demo_view, "temperature_c", "en")
    assert tuple(temperature.layout.yaxis.range) == (20, 100)
    assert sorted(s.y0 for s in temperature.layout.shapes) == [88.0, 91.0]  # each card's slowdown point
    x0, x1 = (str(x) for x in util.layout.xaxis.range)
    # Two GPUs; at 15 minutes each point folds two readings, too few for a min–max band to say anything.
    assert x0 < x1 and len(util.data) == 2 and "band" not in util.layout.title.subtitle.text


def test_a_long_window_draws_each_points_min_and_max() -> None:
    view = demo_sampler(now=90_000.0).view(6 * 3600, now=90_000.0)
    assert next(iter(view.history.values())).merged >= charts.BAND_MIN_SAMPLES
    util = charts.history_chart(view, "gpu_util_pct", "en")
    assert len(util.data) == 6 and "band: min–max" in util.layout.title.subtitle.text  # a line and a band each
    high, low, line = (np.asarray(trace.y, dtype=float) for trace in util.data[:3])
    assert np.all(np.nan_to_num(low) <= np.nan_to_num(line) + 1e-6) and np.all(np.nan_to_num(line) <= np.nan_to_num(high) + 1e-6)


def test_downloads_carry_the_window_and_its_origin(demo_view: MonitorView) -> None:
    rows = list(csv.DictReader(io.StringIO(window_csv(demo_view))))
    devices = {r["device"] for r in rows}
    assert devices == {"gpu0", "gpu1", "host"}
    assert {"gpu_util_pct", "gpu_util_pct_min", "gpu_util_pct_max", "cpu_pct"} <= set(rows[0])
    data = json.loads(window_json(demo_view))
    assert data["origin"]["synthetic"] is True and data["window_s"] == 900
    assert set(data["gpus"]) == {d.uuid for d in demo_view.devices}
    some_gpu = next(iter(data["gpus"].values()))
    assert len(some_gpu["time_utc"]) == len(some_gpu["fields"]["power_w"]["mean"])


def test_states_other_than_ok_are_not_a_gpu_error_in_the_view() -> None:
    view = view_of(init_error=fake.LIBRARY_NOT_FOUND)
    assert view.status.state is State.NO_DRIVER and view.devices == () and view.host is not None
    assert window_csv(view).count("\n") == 1 + 30  # header, then the host's 30 seconds


def test_a_series_breaks_where_readings_stopped() -> None:
    t = np.array([0.0, 1.0, 2.0, 10.0, 11.0])
    window = Window(("gpu_memory_mib",), t, np.full((5, 1), 1024.0, dtype=np.float32), None, None, 1.0)
    (line,) = charts.series(window, "gpu_memory_mib", 1 / 1024, "ollama", "#000000", now=11.0)
    # NaN, which plotly draws as a gap; numeric arrays travel to the browser as packed binary, not JSON text.
    np.testing.assert_array_equal(line["y"], [1.0, 1.0, 1.0, np.nan, 1.0, 1.0])
    fig = charts.figure([line], {}, "t", "s")
    assert "bdata" in fig.to_json()


@pytest.mark.parametrize(("window_s", "seconds"), [(60, 1), (300, 5), (900, 15), (3600, 60), (86400, 1440)])
def test_charts_redraw_when_their_window_has_moved_a_few_pixels(window_s: int, seconds: int) -> None:
    assert charts.redraw_s(window_s, fastest_s=1) == seconds
    assert charts.redraw_s(60, fastest_s=2) == 2  # presentation mode never redraws faster than its cards
