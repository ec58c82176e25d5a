"""A real Prometheus (Debian's `prometheus` package) on loopback, scraping two loopback targets every second:
`python -m core export` over the fake pynvml, and a static page of DCGM-exporter text. Every wait is bounded.

Under CI=true a missing Prometheus is a failure, never a skip: .ci/run installs it.
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.net import free_port
from tests.support.server import stop

ROOT = Path(__file__).resolve().parents[2]
NVITOP_HOST = "ws-nvitop"
DCGM_HOST = "gpu-node-dcgm"
WAIT_S = 30

# (gpu index, UUID, model, utilization %, FB used, FB free, FB reserved MiB)
DCGM_GPUS = (("0", "GPU-dcgm-0", "NVIDIA H100 80GB HBM3", 71, 40000, 41000, 559),
             ("1", "GPU-dcgm-1", "NVIDIA H100 80GB HBM3", 3, 1000, 80000, 559))
SENTINEL = 9223372036854775794  # what DCGM prints for a field the GPU does not support


def dcgm_text(hostname: str = DCGM_HOST) -> str:
    """What dcgm-exporter serves for two GPUs, in its own names and labels, its sentinel included."""
    columns = {"DCGM_FI_DEV_GPU_UTIL": lambda g: g[3], "DCGM_FI_DEV_FB_USED": lambda g: g[4],
               "DCGM_FI_DEV_FB_FREE": lambda g: g[5], "DCGM_FI_DEV_FB_RESERVED": lambda g: g[6],
               "DCGM_FI_DEV_GPU_TEMP": lambda g: 61, "DCGM_FI_DEV_POWER_USAGE": lambda g: 412.5,
               "DCGM_FI_DEV_MEMORY_TEMP": lambda g: SENTINEL}
    lines = []
    for metric, value in columns.items():
        lines += [f"# HELP {metric} {metric}.", f"# TYPE {metric} gauge"]
        lines += [f'{metric}{{gpu="{g[0]}",UUID="{g[1]}",pci_bus_id="00000000:0{g[0]}:00.0",device="nvidia{g[0]}",'
                  f'modelName="{g[2]}",hostname="{hostname}"}} {value(g)}' for g in DCGM_GPUS]
    return "\n".join(lines) + "\n"


class _Static(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


class StaticEndpoint:
    """Serves fixed text on loopback until stopped (then the port refuses connections, as a dead host)."""

    def __init__(self, text: str) -> None:
        handler = type("Handler", (_Static,), {"body": text.encode()})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _wait_url(url: str, until: str = "", proc: subprocess.Popen[bytes] | None = None) -> str:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited early:\n{proc.stdout.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                text = reply.read().decode()
                if until in text:
                    return text
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer {until!r} within {WAIT_S} s")


def prometheus_binary() -> str:
    path = shutil.which("prometheus")
    if path:
        return path
    message = "Prometheus is not installed (Debian package 'prometheus'); .ci/run installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Stack:
    url: str
    prometheus: subprocess.Popen[bytes]
    exporter: subprocess.Popen[bytes]
    dcgm: StaticEndpoint
    tmp: tempfile.TemporaryDirectory[str]
    extra_targets: list[str] = field(default_factory=list)

    def stop_prometheus(self) -> None:
        stop(self.prometheus)

    def close(self) -> None:
        stop(self.prometheus)
        stop(self.exporter)
        self.dcgm.stop()
        self.tmp.cleanup()


def start_exporter(hostname: str = NVITOP_HOST) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.export_fake", "export", "--port", str(port),
                             "--hostname", hostname], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _wait_url(f"http://127.0.0.1:{port}/metrics", "gpu_utilization", proc)
    return proc, port


def start_prometheus(targets: list[str], tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = prometheus_binary()
    config = tmp / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: gpus\n    static_configs:\n"
        f"      - targets: [{', '.join(repr(t) for t in targets)}]\n", encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen([binary, f"--config.file={config}", f"--storage.tsdb.path={tmp / 'data'}",
                             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                            cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_url(f"{url}/-/ready", "", proc)
    except RuntimeError:
        stop(proc)
        raise
    return proc, url


def start_stack() -> Stack:
    """Both targets up and scraped at least once before this returns."""
    tmp = tempfile.TemporaryDirectory(prefix="team-prometheus-")
    dcgm = StaticEndpoint(dcgm_text())
    exporter, exporter_port = start_exporter()
    try:
        prometheus, url = start_prometheus([f"127.0.0.1:{exporter_port}", f"127.0.0.1:{dcgm.port}"], Path(tmp.name))
    except BaseException:
        stop(exporter)
        dcgm.stop()
        tmp.cleanup()
        raise
    stack = Stack(url, prometheus, exporter, dcgm, tmp)
    try:
        query = f"{url}/api/v1/query?query=count(up%3D%3D1)"
        deadline = time.monotonic() + WAIT_S
        while '"2"' not in _wait_url(query, "success"):
            if time.monotonic() > deadline:
                raise RuntimeError("Prometheus did not scrape both targets in time")
            time.sleep(0.3)
        # One more scrape interval, so the exporter's readings (not only `up`) are stored.
        time.sleep(1.5)
    except BaseException:
        stack.close()
        raise
    return stack
