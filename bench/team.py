"""Team view: the monitor page's rerun time with 8 hosts × 8 GPUs of history in a real Prometheus,
against the minimal one-page app, a cold fetch of the team view, and the exporter's cost per scrape."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench import browser as browser_bench
from bench.calculator import MINIMAL_APP, RUNS, _rerun_times
from core.monitor.prometheus import PrometheusClient
from core.monitor.team import team_view
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.helpers import find_chromium
from tests.fakes.prometheus_stack import StaticEndpoint, start_exporter, start_prometheus
from tests.support.server import stop as _stop
from tests.support.server import streamlit_server

ROOT = Path(__file__).resolve().parents[1]
HOSTS, GPUS = 8, 8
HISTORY_S = 40


def dcgm_host_text(host: int) -> str:
    """dcgm-exporter's text for one host with eight GPUs, in its own metric names and labels."""
    metrics = {"DCGM_FI_DEV_GPU_UTIL": lambda g: 10 * g, "DCGM_FI_DEV_FB_USED": lambda g: 4000 * g,
               "DCGM_FI_DEV_FB_FREE": lambda g: 81000 - 4000 * g, "DCGM_FI_DEV_GPU_TEMP": lambda g: 40 + g,
               "DCGM_FI_DEV_POWER_USAGE": lambda g: 100.0 + 30 * g}
    lines = []
    for metric, value in metrics.items():
        lines += [f"# HELP {metric} {metric}.", f"# TYPE {metric} gauge"]
        lines += [f'{metric}{{gpu="{g}",UUID="GPU-{host}-{g}",modelName="NVIDIA H100 80GB HBM3",'
                  f'Hostname="node-{host}"}} {value(g)}' for g in range(GPUS)]
    return "\n".join(lines) + "\n"


def _scrape_cost(samples: int = 50) -> float:
    proc, port = start_exporter("bench-host")
    try:
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
                reply.read()
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    finally:
        _stop(proc)


def _browser(prometheus_url: str, minimal_script: Path) -> None:
    """The same change in Chromium: the host list paused, so that only the change reruns anything."""
    chromium = find_chromium()
    if chromium is None:
        print("team view in Chromium: skipped, Chromium is not installed")
        return
    from playwright.sync_api import sync_playwright

    team = browser_bench.Case("team view: context", "/monitor?lang=en&scope=team", "Context (tokens)",
                              browser_bench.steps(9216, 1024))
    minimal = browser_bench.Case("minimal app: one number", "/", "x", browser_bench.steps(3, 1))
    with tempfile.TemporaryDirectory() as data, sync_playwright() as pw, \
            streamlit_server({"PROMETHEUS_URL": prometheus_url, "PLANNER_DATA_DIR": data}) as (app_url, _), \
            streamlit_server({"PLANNER_DATA_DIR": data}, script=minimal_script,
                             extra=browser_bench.STREAMLIT_AS_SHIPPED) as (minimal_url, _):
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        results = {}
        for case, base in ((minimal, minimal_url), (team, app_url)):
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            context.add_init_script(browser_bench.SOCKET_JS)
            page = context.new_page()
            received = browser_bench.Received(page)
            if case is team:
                page.goto(base + case.path)
                browser_bench.wait_idle(page)
                page.get_by_text("Pause", exact=True).first.click()
                browser_bench.wait_idle(page)
            results[case.name] = browser_bench.measure(page, base, case, navigate=case is not team, received=received)
            context.close()
        browser.close()
    minimal_s = statistics.median(results[minimal.name][0])
    print(f"in Chromium ({HOSTS} hosts × {GPUS} GPUs, host list paused), input change to idle:")
    for name, (idle, settled, sent) in results.items():
        browser_bench.report(name, idle, settled, sent, minimal_s)


def run() -> None:
    endpoints = [StaticEndpoint(dcgm_host_text(h)) for h in range(HOSTS)]
    with tempfile.TemporaryDirectory(prefix="team-bench-") as tmp:
        prometheus, url = start_prometheus([f"127.0.0.1:{e.port}" for e in endpoints], Path(tmp))
        try:
            time.sleep(HISTORY_S)  # a window's worth of 1 s scrapes to draw
            cold = []
            for _ in range(5):
                started = time.perf_counter()
                view = team_view(PrometheusClient(url), window_s=60)
                cold.append(time.perf_counter() - started)
            print(f"team view fetch from Prometheus ({len(view.hosts)} hosts × {GPUS} GPUs, 1 min window): "
                  f"median {statistics.median(cold) * 1000:.1f} ms")
            os.environ["PROMETHEUS_URL"] = url
            page = AppTest.from_file(str(ROOT / "pages" / "monitor.py"), default_timeout=60)
            page.query_params["lang"] = "en"
            page.query_params["scope"] = "team"
            contexts = [1024 * (i % 60 + 2) for i in range(RUNS)]
            measured = _rerun_times(page, "team_context", contexts)
            minimal_path = Path(tmp) / "minimal.py"
            minimal_path.write_text(MINIMAL_APP, encoding="utf-8")
            minimal = _rerun_times(AppTest.from_file(str(minimal_path), default_timeout=60), "x", contexts)
            page_s, minimal_s = statistics.median(measured), statistics.median(minimal)
            print(f"team view rerun after an input change: median {page_s * 1000:.1f} ms over {RUNS} runs")
            print(f"minimal one-page app rerun:             median {minimal_s * 1000:.1f} ms")
            print(f"ratio: {page_s / minimal_s:.2f}x (goal <= 2x)")
            _browser(url, minimal_path)
        finally:
            os.environ.pop("PROMETHEUS_URL", None)
            _stop(prometheus)
            for endpoint in endpoints:
                endpoint.stop()
    print(f"exporter (fake NVML, 2 GPUs): median {_scrape_cost() * 1000:.2f} ms per scrape of /metrics")
