"""The team view against a real Prometheus scraping `python -m core export` (nvitop names, fake pynvml) and a
static DCGM-exporter page; then a target that stops, a Prometheus that stops, and one that never answers."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from core.monitor.prometheus import PrometheusClient
from core.monitor.team import TeamView, team_view
from tests.fakes.prometheus_stack import DCGM_HOST, NVITOP_HOST, WAIT_S, Stack, start_stack

pytestmark = pytest.mark.prometheus


@pytest.fixture
def stack() -> Iterator[Stack]:
    started = start_stack()
    yield started
    started.close()


def until(stack: Stack, check, window_s: float = 60, lookback: float | None = None) -> TeamView:  # type: ignore[no-untyped-def]
    """The team view once ``check`` holds for it; bounded by WAIT_S."""
    client = PrometheusClient(stack.url)
    deadline = time.monotonic() + WAIT_S
    view = team_view(client, window_s, lookback=lookback)
    while not check(view):
        assert time.monotonic() < deadline, f"not reached within {WAIT_S} s: {view}"
        time.sleep(0.5)
        view = team_view(client, window_s, lookback=lookback)
    return view


def test_both_hosts_with_their_gpus_mapped_from_dcgm_and_nvitop_names(stack: Stack) -> None:
    view = until(stack, lambda v: len(v.hosts) == 2 and len(v.history["gpu_util_pct"]) == 4)
    assert view.ok
    hosts = {h.name: h for h in view.hosts}
    assert set(hosts) == {DCGM_HOST, NVITOP_HOST}
    dcgm, nvitop = hosts[DCGM_HOST], hosts[NVITOP_HOST]
    assert (dcgm.exporter, nvitop.exporter) == ("dcgm", "nvitop")
    assert not dcgm.stale and not nvitop.stale
    h100 = dcgm.gpus[0]
    assert (h100.info.name, h100.info.uuid, h100.fast.gpu_util_pct) == ("NVIDIA H100 80GB HBM3", "GPU-dcgm-0", 71)
    assert h100.info.memory_total_mib == 40000 + 41000 + 559  # used + free + reserved
    assert h100.free_mib == 41000
    assert (h100.slow.temperature_c, h100.fast.power_w) == (61, 412.5)
    rtx = {g.info.name: g for g in nvitop.gpus}
    assert rtx["NVIDIA GeForce RTX 4090"].fast.gpu_util_pct == 37
    assert rtx["NVIDIA GeForce RTX 4090"].fast.memory_used_mib == 6144
    assert rtx["NVIDIA GeForce RTX 3090"].free_mib == 24576 - 2048
    totals = view.totals()
    assert (totals.hosts, totals.gpus, totals.stale_hosts) == (2, 4, 0)
    assert totals.free_mib == 41000 + 80000 + (24564 - 6144) + (24576 - 2048)
    # History comes from Prometheus: one line per GPU, points in the window.
    lines = view.history["memory_used_mib"]
    assert {(line.host, line.gpu) for line in lines} >= {(DCGM_HOST, "0 · NVIDIA H100 80GB HBM3"),
                                                         (NVITOP_HOST, "1 · NVIDIA GeForce RTX 3090")}
    assert all(any(v is not None for v in line.values) for line in lines)


def test_a_target_that_stops_turns_stale_with_the_time_it_was_last_seen(stack: Stack) -> None:
    until(stack, lambda v: len(v.hosts) == 2)
    stopped_at = time.time()
    stack.dcgm.stop()
    view = until(stack, lambda v: any(h.name == DCGM_HOST and h.stale for h in v.hosts))
    hosts = {h.name: h for h in view.hosts}
    assert not hosts[NVITOP_HOST].stale
    dcgm = hosts[DCGM_HOST]
    assert dcgm.last_seen is not None and stopped_at - 5 <= dcgm.last_seen <= stopped_at + 2
    assert [g.info.uuid for g in dcgm.gpus] == ["GPU-dcgm-0", "GPU-dcgm-1"]  # still listed, from its history
    totals = view.totals()
    assert (totals.stale_hosts, totals.gpus) == (1, 2)


def test_a_host_down_longer_than_the_window_stays_with_its_last_readings(stack: Stack) -> None:
    until(stack, lambda v: len(v.hosts) == 2)
    stack.dcgm.stop()
    stopped_at = time.time()
    time.sleep(6)  # the 3 s window below then holds nothing of the stopped host
    # A 10-minute lookback: its one-second steps see a host that lived only for this test.
    view = until(stack, lambda v: any(h.name == DCGM_HOST and h.stale for h in v.hosts), window_s=3, lookback=600)
    assert not [line for line in view.history["gpu_util_pct"] if line.host == DCGM_HOST]
    dcgm = {h.name: h for h in view.hosts}[DCGM_HOST]
    assert dcgm.last_seen is not None and stopped_at - 90 <= dcgm.last_seen <= stopped_at + 1
    h100 = dcgm.gpus[0]
    assert (h100.info.index, h100.fast.gpu_util_pct, h100.fast.memory_used_mib, h100.free_mib) == (0, 71, 40000, 41000)
    assert view.totals().hosts == 2


def test_a_stopped_prometheus_is_a_state_not_an_exception(stack: Stack) -> None:
    stack.stop_prometheus()
    view = team_view(PrometheusClient(stack.url, timeout_s=2), 300)
    assert view.state == "unreachable" and stack.url in view.detail and view.hosts == ()


def test_a_prometheus_that_never_answers_times_out_in_bounded_time() -> None:
    with socket.socket() as silent:  # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        view = team_view(PrometheusClient(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout_s=0.5), 300)
    assert view.state == "timeout"
    assert time.monotonic() - started < 5
