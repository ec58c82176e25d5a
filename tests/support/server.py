"""The app under `streamlit run`, as a user starts it, on a free loopback port; its log goes to a file so a
chatty server never blocks on a full pipe."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.net import free_port

ROOT = Path(__file__).resolve().parents[2]


def start_streamlit(port: int, env: dict[str, str] | None = None, address: str | None = "127.0.0.1",
                    log: Path | None = None, script: Path = ROOT / "app.py",
                    extra: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    """``address=None`` starts it the plain way, with no --server.address: the repository's config decides.
    ``script`` is another app to serve the same way (the benchmarks' minimal reference app); ``extra`` are
    more command-line options."""
    flags = ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", *extra]
    if address is not None:
        flags += ["--server.address", address]
    out = (log or Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])).open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), *flags], cwd=ROOT,
                            env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)
    proc.log_path = Path(out.name)  # type: ignore[attr-defined]
    return proc


def server_log(proc: subprocess.Popen[bytes]) -> str:
    return Path(proc.log_path).read_text(errors="replace")  # type: ignore[attr-defined]


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{server_log(proc)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().decode() == "ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a server this test started; kill it if it does not go within 10 s."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextmanager
def streamlit_server(env: dict[str, str] | None = None, address: str | None = "127.0.0.1",
                     script: Path = ROOT / "app.py",
                     extra: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A started, healthy app; yields its loopback URL and process, and stops it afterwards."""
    port = free_port()
    proc = start_streamlit(port, env, address, script=script, extra=extra)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        stop(proc)
