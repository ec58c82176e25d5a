"""What a person waits for, measured in headless Chromium over `streamlit run`: from an input change (Enter in
a number box, a click on a segment) to the page's script being idle with no stale element left, for each
planning page and the monitor, against a minimal one-number app served the same way in the same run.

Also: the bytes the server sends over the websocket per rerun, each page's first render after a fresh server
start (cold), and the CPU that the live monitor's 1 s refresh costs the browser tab and the server together.
Figures are printed, never asserted.
"""

from __future__ import annotations

import contextlib
import os
import re
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.calculator import MINIMAL_APP
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.helpers import find_chromium
from tests.support.server import streamlit_server

INPUTS_APP = """
import streamlit as st
st.set_page_config(layout="wide")
st.title("Inputs only")
st.segmented_control("Source", ["preset", "custom", "upload"], default="preset", key="src")
st.selectbox("Model", [f"model {i}" for i in range(60)], key="model")
st.segmented_control("Mode", ["inference", "lora", "qlora", "full"], default="inference", key="mode")
c1, c2, c3, c4 = st.columns(4)
c1.selectbox("Engine", ["ollama", "llama.cpp", "vllm"], key="engine")
c2.selectbox("Format", ["Q4_K_M", "Q8_0", "F16"], key="quant")
context = c3.number_input("Context (tokens)", 1, 10_000_000, 8192, step=1024, key="ctx")
c4.number_input("Parallel requests", 1, 1024, 1, key="parallel")
c5, c6, c7, c8 = st.columns(4)
c5.selectbox("KV cache", ["f16", "q8_0", "q4_0"], key="kv")
c6.selectbox("GPU", ["none", "RTX 4090", "RTX 5090"], key="gpu")
c7.number_input("GPUs", 1, 64, 1, key="gpus")
c8.number_input("Batch", 1, 4096, 1, key="batch")
st.write(context)
"""
"""The VRAM calculator's inputs, laid out as the page lays them out, and one line of output: the floor that
Streamlit itself sets for a page with that many inputs."""
CHART_APP = """
import plotly.graph_objects as go
import streamlit as st
value = st.number_input("x", value=1, key="x")
bars = go.Figure(go.Bar(x=[value * k for k in range(1, 9)], y=[f"term {k}" for k in range(8)], orientation="h"))
st.plotly_chart(bars.update_layout(height=260, title=f"{value}"), key="chart")
"""
"""One number and one Plotly bar chart that follows it: what each redrawn chart adds. Streamlit keys a
chart by its figure, so a changed figure is a new chart and Plotly draws it from scratch."""

CHANGES = 12
"""Input changes per case, after two warm-up changes (the first also imports the page's modules)."""
WARMUP = 2
CPU_WINDOW_S = 20.0
ONLY = tuple(os.environ.get("BENCH_CASES", "").split(","))
"""BENCH_CASES=calculator,home runs only the cases whose names contain one of the words (and the minimal app)."""

# Loaded before the app's own scripts: notes, in page time, when each "script finished" message arrives. A
# message is one protobuf ForwardMsg; its top-level field 6 is script_finished (0: the whole script ran,
# 3: a fragment ran), so a few lines of wire-format reading find it without a protobuf library.
SOCKET_JS = """(() => {
  window.__finished = [];
  const varint = (bytes, at) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return [value, at];
  };
  const finished = (bytes) => {
    let at = 0;
    while (at < bytes.length) {
      let key, value;
      [key, at] = varint(bytes, at);
      const field = Math.floor(key / 8), wire = key & 7;
      if (wire === 0) { [value, at] = varint(bytes, at); if (field === 6) return value === 0 || value === 3; }
      else if (wire === 2) { [value, at] = varint(bytes, at); at += value; }
      else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else return false;
    }
    return false;
  };
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener("message", (event) => {
      if (event.data instanceof ArrayBuffer && finished(new Uint8Array(event.data))) {
        window.__finished.push(performance.now());
      }
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})()"""

# Installed before each change: the time of the user's action (Enter or a click, captured before Streamlit
# sees it); then, checked every frame, the first frame at which the server has said the script finished (after
# the action), the script state reads "notRunning" and no element is marked stale; and the last DOM
# change within a second after that (charts finishing their drawing).
_WATCH_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  const t = window.__t = {start: null, idle: null, last: null};
  const mark = () => { if (t.start === null) t.start = performance.now(); };
  document.addEventListener("keydown", (e) => { if (e.key === "Enter") mark(); }, {capture: true, once: true});
  document.addEventListener("pointerdown", mark, {capture: true, once: true});
  const answered = () => window.__finished.some((at) => at > t.start);
  const check = () => {
    if (t.start !== null && answered() && app.getAttribute("data-test-script-state") === "notRunning"
        && !document.querySelector("[data-stale='true']")) {
      t.idle = t.last = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
  new MutationObserver(() => {
    const now = performance.now();
    if (t.idle !== null && now - t.idle < 1000) t.last = now;
  }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}"""


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    label: str
    values: tuple[str, ...]
    kind: str = "number"  # or "segment": a button of a segmented control, by its text


def steps(start: int, step: int) -> tuple[str, ...]:
    """A new value for every change, so that no cached result is ever reused by the benchmark."""
    return tuple(str(start + step * i) for i in range(WARMUP + CHANGES))


STREAMLIT_AS_SHIPPED = ("--runner.postScriptGC", "true")
"""The reference apps run as Streamlit ships, as the issue measured its minimal page: this repository's
.streamlit/config.toml turns off the full garbage collection Streamlit runs after every script run, which costs
even a one-number app about 50 ms a change. The minimal app is also measured with this repository's settings."""

CASES = (
    Case("minimal app: one number", "/", "x", steps(3, 1)),
    Case("reference: the calculator's inputs only", "/", "Context (tokens)", steps(9216, 1024)),
    Case("reference: one number, one chart", "/", "x", steps(3, 1)),
    Case("minimal app, this app's server settings", "/", "x", steps(3, 1)),
    Case("home: context", "/?lang=en", "Context (tokens)", steps(9216, 1024)),
    Case("home: users", "/?lang=en", "Concurrent users", steps(2, 1)),
    Case("calculator: context", "/vram?lang=en", "Context (tokens)", steps(9216, 1024)),
    Case("calculator: users", "/vram?lang=en", "Parallel requests", steps(2, 1)),
    Case("recommendations: users", "/recommend?lang=en", "Concurrent users", steps(6, 1)),
    Case("recommendations: budget", "/recommend?lang=en", "Budget", steps(5_500_000, 500_000)),
    Case("recommendations: context", "/recommend?lang=en", "Context (tokens)", steps(9216, 1024)),
    # The window has six values: these changes come back to earlier ones, as a person's clicks do.
    Case("monitor (demo): window", "/monitor?lang=en&demo=1", "Window", ("5 min", "15 min", "1 h", "1 min"),
         kind="segment"),
)


def _quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def wait_idle(page, timeout_ms: int = 60_000) -> None:  # type: ignore[no-untyped-def]
    """The first run finished (the state reads "notRunning" before it starts, too) and nothing is stale."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms)
    page.wait_for_function(
        "() => { const a = document.querySelector(\"[data-testid='stApp']\");"
        " return window.__finished.length > 0 && a.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector(\"[data-stale='true']\"); }", timeout=timeout_ms)


def _change(page, case: Case, value: str) -> None:  # type: ignore[no-untyped-def]
    if case.kind == "segment":
        page.locator("button").filter(has_text=re.compile(f"^{re.escape(value)}$")).first.click()
        return
    box = page.get_by_label(case.label, exact=True).first
    box.fill(value)
    box.press("Enter")


class Received:
    """Bytes the server sent over the page's websocket since the last reset."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.bytes = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        self.bytes += len(payload)


def measure(page, base: str, case: Case, navigate: bool = True,  # type: ignore[no-untyped-def]
            received: Received | None = None) -> tuple[list[float], list[float], list[int]]:
    """Idle and last-change times (s) and bytes received, for each change after the warm-up."""
    received = received or Received(page)
    if navigate:
        page.goto(base + case.path)
        wait_idle(page)
    page.wait_for_timeout(500)
    idle, settled, sent = [], [], []
    for i in range(WARMUP + CHANGES):
        page.evaluate(_WATCH_JS)
        received.bytes = 0
        _change(page, case, case.values[i % len(case.values)])
        page.wait_for_function("() => window.__t.idle > 0", timeout=60_000)
        page.wait_for_timeout(1000)  # let charts finish and late frames arrive before the next change
        t = page.evaluate("() => window.__t")
        if i >= WARMUP:
            idle.append((t["idle"] - t["start"]) / 1000)
            settled.append((t["last"] - t["start"]) / 1000)
            sent.append(received.bytes)
    return idle, settled, sent


def _cold(browser, script: Path, path: str) -> float:  # type: ignore[no-untyped-def]
    """A fresh server, then the page's first visit: from navigation to the first idle page."""
    with tempfile.TemporaryDirectory() as data, streamlit_server({"PLANNER_DATA_DIR": data}, script=script) as (url, _):
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.add_init_script(SOCKET_JS)
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url + path)
        wait_idle(page)
        elapsed = time.perf_counter() - started
        context.close()
        return elapsed


def _chromium_cpu_s() -> float:
    """CPU seconds of every Chromium process this benchmark started (browser, renderers, the compositor)."""
    total = 0.0
    for proc in psutil.Process().children(recursive=True):
        try:
            if "chrom" in proc.name().lower():
                cpu = proc.cpu_times()
                total += cpu.user + cpu.system
        except psutil.NoSuchProcess:
            continue
    return total


def _live_cpu(browser, base: str, proc) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Share of one core used by Chromium (all its processes, with one tab open) and by the server, while the
    monitor's live panel refreshes every second and its charts follow their window."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.add_init_script(SOCKET_JS)
    page = context.new_page()
    page.goto(base + "/monitor?lang=en&demo=1")
    wait_idle(page)
    page.wait_for_timeout(3000)
    server = psutil.Process(proc.pid)

    def sample() -> tuple[float, float, float]:
        cpu = server.cpu_times()
        return time.perf_counter(), _chromium_cpu_s(), cpu.user + cpu.system

    t0, tab0, server0 = sample()
    page.wait_for_timeout(CPU_WINDOW_S * 1000)
    t1, tab1, server1 = sample()
    context.close()
    return (tab1 - tab0) / (t1 - t0), (server1 - server0) / (t1 - t0)


def report(name: str, idle: list[float], settled: list[float], sent: list[int], minimal: float) -> None:
    med, p90 = _quantiles(idle)
    smed, _ = _quantiles(settled)
    print(f"  {name:<28} idle median {med * 1000:6.0f} ms · p90 {p90 * 1000:6.0f} ms · {med / minimal:4.1f}x minimal"
          f" · last change {smed * 1000:6.0f} ms · {statistics.median(sent) / 1024:7.1f} KiB/rerun")


def run() -> None:
    chromium = find_chromium()
    if chromium is None:
        print("skipped: Chromium is not installed")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        minimal_script = Path(tmp) / "minimal.py"
        minimal_script.write_text(MINIMAL_APP, encoding="utf-8")
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        print(f"input change → script idle, no stale element, next frame painted; {CHANGES} changes after "
              f"{WARMUP} warm-up; Chromium headless, {os.cpu_count()} CPUs")
        references = {}
        for name, text in (("inputs", INPUTS_APP), ("chart", CHART_APP)):
            references[name] = Path(tmp) / f"{name}.py"
            references[name].write_text(text, encoding="utf-8")
        minimal = None
        selected = [case for case in CASES if case is CASES[0] or any(word in case.name for word in ONLY)]
        # Each reference app, and the command-line options it is served with.
        scripts = {CASES[0].name: (minimal_script, STREAMLIT_AS_SHIPPED),
                   CASES[1].name: (references["inputs"], STREAMLIT_AS_SHIPPED),
                   CASES[2].name: (references["chart"], STREAMLIT_AS_SHIPPED), CASES[3].name: (minimal_script, ())}
        with contextlib.ExitStack() as servers:
            def serve(script: Path, extra: tuple[str, ...] = ()) -> tuple[str, subprocess.Popen[bytes]]:
                return servers.enter_context(streamlit_server({"PLANNER_DATA_DIR": tmp}, script=script, extra=extra))

            app_url, app_proc = serve(ROOT_APP)
            # Only the reference apps that a selected case uses are started.
            bases = {case.name: serve(*scripts[case.name])[0] for case in selected if case.name in scripts}
            for case in selected:
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                context.add_init_script(SOCKET_JS)
                idle, settled, sent = measure(context.new_page(), bases.get(case.name, app_url), case)
                context.close()
                minimal = minimal or statistics.median(idle)
                report(case.name, idle, settled, sent, minimal)
            if ONLY != ("",) and not any(word in "monitor" for word in ONLY):
                browser.close()
                return
            tab, server = _live_cpu(browser, app_url, app_proc)
            print(f"monitor live panel (demo), {CPU_WINDOW_S:.0f} s: Chromium {tab * 100:.1f}% + server "
                  f"{server * 100:.1f}% of one core = {(tab + server) * 100:.1f}% (goal <= 20%)")
        if ONLY != ("",):
            browser.close()
            return
        print("cold start: a fresh server, the page's first visit until idle")
        minimal_cold = _cold(browser, minimal_script, "/")
        print(f"  {'minimal app':<28} {minimal_cold * 1000:6.0f} ms")
        for name, path in (("home", "/?lang=en"), ("calculator", "/vram?lang=en"),
                           ("recommendations", "/recommend?lang=en"), ("monitor", "/monitor?lang=en"),
                           ("chat", "/chat?lang=en")):
            cold = _cold(browser, ROOT_APP, path)
            print(f"  {name:<28} {cold * 1000:6.0f} ms · {cold / minimal_cold:4.1f}x minimal")
        browser.close()


ROOT_APP = Path(__file__).resolve().parents[1] / "app.py"
