"""The team view's mapping from Prometheus answers to hosts, without a Prometheus: the answers are written
out as the HTTP API returns them (DCGM and nvitop-exporter names side by side)."""

from __future__ import annotations

import pytest

from core.monitor.prometheus import Sample, Series
from core.monitor.team import assemble, lookback_s
from core.monitor.team_cards import host_cards, totals_metrics, where_it_fits
from core.plan.models import find_model

NOW = 1_800_000_000.0
DCGM = {"instance": "10.0.0.5:9400", "job": "dcgm", "Hostname": "gpu-node-1", "modelName": "NVIDIA H100 80GB HBM3"}
NVITOP = {"instance": "ws-01:5050", "job": "ws", "hostname": "ws-01", "devicename": "NVIDIA GeForce RTX 4090"}


def dcgm(name: str, gpu: int, value: float) -> Sample:
    return Sample({**DCGM, "__name__": name, "gpu": str(gpu), "UUID": f"GPU-z{9 - gpu}"}, value)


def nvitop(name: str, index: int, value: float) -> Sample:
    return Sample({**NVITOP, "__name__": name, "index": str(index), "uuid": f"GPU-a{index}"}, value)


def series(sample: Sample, values: list[float | None]) -> Series:
    return Series(sample.labels, tuple((NOW - 10 * (len(values) - i), v) for i, v in enumerate(values)))


def up(instance: str, values: list[float]) -> Series:
    return Series({"__name__": "up", "instance": instance}, tuple((NOW - 10 * (len(values) - i), v)
                                                                  for i, v in enumerate(values)))


LIVE = [nvitop("gpu_utilization_Percentage", 0, 37), nvitop("gpu_memory_used_MiB", 0, 6144),
        nvitop("gpu_memory_total_MiB", 0, 24564)]


def test_a_host_that_stopped_keeps_every_last_reading_from_its_history() -> None:
    # The DCGM host is not in the current answer; its window history holds utilization and VRAM.
    histories = {"gpu_util_pct": [series(dcgm("DCGM_FI_DEV_GPU_UTIL", 0, 0), [35, 40, None])],
                 "memory_used_mib": [series(dcgm("DCGM_FI_DEV_FB_USED", 0, 0), [30000, 31000, None])]}
    view = assemble(NOW, 60, "http://p", LIVE, [up(DCGM["instance"], [1, 1, 0]), up(NVITOP["instance"], [1, 1, 1])],
                    histories)
    node = next(h for h in view.hosts if h.name == "gpu-node-1")
    assert node.stale and node.gpus[0].fast.gpu_util_pct == 40 and node.gpus[0].fast.memory_used_mib == 31000


def test_a_host_down_longer_than_the_window_stays_with_its_last_scrape() -> None:
    last = NOW - 20 * 60
    readings = [dcgm("DCGM_FI_DEV_GPU_UTIL", 0, 71), dcgm("DCGM_FI_DEV_FB_USED", 0, 40000),
                dcgm("DCGM_FI_DEV_FB_FREE", 0, 41000), dcgm("DCGM_FI_DEV_POWER_USAGE", 0, 412.5),
                dcgm("DCGM_FI_DEV_GPU_UTIL", 1, 5), dcgm("DCGM_FI_DEV_FB_USED", 1, 1000)]
    view = assemble(NOW, 60, "http://p", LIVE, [up(NVITOP["instance"], [1, 1, 1])], {},
                    seen_in_lookback={DCGM["instance"]: last, NVITOP["instance"]: NOW}, last_readings=readings)
    node = next(h for h in view.hosts if h.name == "gpu-node-1")
    assert node.stale and node.last_seen == last
    assert [g.info.index for g in node.gpus] == [0, 1]  # by index, though GPU 1's UUID sorts first
    h100 = node.gpus[0]
    assert (h100.fast.gpu_util_pct, h100.fast.memory_used_mib, h100.free_mib, h100.fast.power_w) == (71, 40000, 41000, 412.5)
    card = next(c for c in host_cards(view, "en") if c.title == "gpu-node-1")
    assert card.stale_note is not None and card.stale_note.startswith("Not reporting since ")
    assert "(20 min ago)" in card.stale_note and "VRAM 39.1 / 79.1 GiB" in card.gpu_lines[0]
    # The fleet totals count only hosts that report; the stale one is named apart.
    assert totals_metrics(view, "en")[0][2] == "1 not reporting"
    need, placements = where_it_fits(view, find_model("llama3.1:8b"), "Q4_K_M", 8192, "en")
    assert [p.host for p in placements if not p.stale] == ["ws-01"] and placements[-1].stale
    assert placements[-1].verdict.startswith("Not reporting (since ") and not placements[-1].fits


def test_history_lines_are_ordered_by_gpu_index() -> None:
    histories = {"gpu_util_pct": [series(dcgm("DCGM_FI_DEV_GPU_UTIL", gpu, 0), [1.0]) for gpu in (0, 1)]}
    view = assemble(NOW, 60, "http://p", [dcgm("DCGM_FI_DEV_GPU_UTIL", 0, 1)], [], histories)
    assert [line.gpu.split(" · ")[0] for line in view.history["gpu_util_pct"]] == ["0", "1"]


@pytest.mark.parametrize(("lang", "one", "many"), [("en", "1 GPU", "2 GPUs"), ("ko", "GPU 1개", "GPU 2개")])
def test_gpu_counts_read_right_in_both_languages(lang: str, one: str, many: str) -> None:
    view = assemble(NOW, 60, "http://p", LIVE + [dcgm("DCGM_FI_DEV_GPU_UTIL", g, 1) for g in (0, 1)], [], {})
    subtitles = {c.title: c.subtitle for c in host_cards(view, lang)}
    assert subtitles["ws-01"].endswith(one) and subtitles["gpu-node-1"].endswith(many)


def test_the_lookback_comes_from_the_server_and_falls_back_on_nonsense() -> None:
    assert lookback_s({}) == 24 * 3600
    assert lookback_s({"TEAM_LOOKBACK_H": "2"}) == 7200
    assert lookback_s({"TEAM_LOOKBACK_H": "soon"}) == lookback_s({"TEAM_LOOKBACK_H": "-1"}) == 24 * 3600
