"""Several Ollama hosts: OLLAMA_HOSTS parsing and the background health board."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from core.chat.config import OllamaConfig, OllamaHost, configured_hosts, normalize_host, parse_hosts
from core.chat.errors import ServerUnreachable
from core.chat.gateway import OllamaGateway
from core.chat.hosts import HealthBoard, HostHealth, check_host
from core.chat.store import DB_NAME, ConversationStore
from core.errors import InputError
from tests.fakes.ollama_server import FakeOllama
from tests.support.net import free_port

A = OllamaHost("gpu-a", "http://10.0.0.5:11434")


# --- OLLAMA_HOSTS ------------------------------------------------------------------------------------------
def test_named_pairs_are_read_in_order_and_normalised_like_ollama_host() -> None:
    hosts = parse_hosts(" gpu-a=http://10.0.0.5:11434 , gpu-b=10.0.0.6,box_1.lan=https://box.lan/ollama/ ")
    assert hosts == (A, OllamaHost("gpu-b", normalize_host("10.0.0.6")),
                     OllamaHost("box_1.lan", normalize_host("https://box.lan/ollama/")))
    assert hosts[1].url == "http://10.0.0.6:11434"


def test_a_bare_url_is_named_after_its_host_and_blank_entries_are_skipped() -> None:
    assert parse_hosts("http://10.0.0.5:11434,, gpu.lan ,") == (
        OllamaHost("10.0.0.5", "http://10.0.0.5:11434"), OllamaHost("gpu.lan", "http://gpu.lan:11434"))


def test_without_ollama_hosts_the_one_ollama_host_is_used_as_before() -> None:
    assert configured_hosts({}) == (OllamaHost("127.0.0.1", "http://127.0.0.1:11434"),)
    assert configured_hosts({"OLLAMA_HOST": "10.0.0.9", "OLLAMA_HOSTS": " "}) == (
        OllamaHost("10.0.0.9", "http://10.0.0.9:11434"),)
    assert configured_hosts({"OLLAMA_HOST": "10.0.0.9", "OLLAMA_HOSTS": "gpu-a=10.0.0.5"}) == (A,)


@pytest.mark.parametrize(("value", "key", "entry"), [
    ("gpu-a=", "chat.err.hosts_url", "gpu-a="),
    ("=http://x", "chat.err.hosts_name", "=http://x"),
    ("gpu a=http://x", "chat.err.hosts_name", "gpu a=http://x"),
    ("-a=http://x", "chat.err.hosts_name", "-a=http://x"),
    ("a" * 64 + "=http://x", "chat.err.hosts_name", "a" * 64 + "=http://x"),
    ("ok=http://x,gpu-b=ftp://10.0.0.6", "chat.err.hosts_url", "gpu-b=ftp://10.0.0.6"),
    ("gpu-b=http://10.0.0.6:port", "chat.err.hosts_url", "gpu-b=http://10.0.0.6:port"),
    ("gpu-b=http://10.0.0.6 :1", "chat.err.hosts_url", "gpu-b=http://10.0.0.6 :1"),
    ("gpu-a=10.0.0.5,gpu-a=10.0.0.6", "chat.err.hosts_duplicate", "gpu-a=10.0.0.6"),
    ("http://x:1,http://x:2", "chat.err.hosts_duplicate", "http://x:2"),
    ("gpu-a=10.0.0.5,gpu-b=http://10.0.0.5:11434", "chat.err.hosts_same_url", "gpu-b=http://10.0.0.5:11434"),
])
def test_a_bad_entry_is_named_with_what_is_allowed(value: str, key: str, entry: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_hosts(value)
    assert caught.value.key == key and caught.value.values["entry"] == entry
    for lang in ("en", "ko"):
        message = caught.value.message(lang)
        assert entry in message and "OLLAMA_HOSTS" in message


# --- health ------------------------------------------------------------------------------------------------
def test_check_host_reads_version_and_loaded_models_or_keeps_the_typed_error() -> None:
    with FakeOllama() as fake:
        up = check_host(A, OllamaGateway(OllamaConfig(url=fake.url)))
    assert up.up and up.version == "0.12.6" and up.running == ()
    down = check_host(A, OllamaGateway(OllamaConfig(url=f"http://127.0.0.1:{free_port()}")))
    assert not down.up and isinstance(down.error, ServerUnreachable)
    assert "not reachable" in down.error.message("en")


def test_a_slow_host_does_not_hold_up_the_read_and_is_picked_up_later() -> None:
    release = threading.Event()
    calls = {"fast": 0, "slow": 0}

    def fast() -> HostHealth:
        calls["fast"] += 1
        return HostHealth(A, version="1")

    def slow() -> HostHealth:
        calls["slow"] += 1
        release.wait(5)
        return HostHealth(OllamaHost("slow", "http://10.0.0.7:11434"), version="2")

    board = HealthBoard({"gpu-a": fast, "slow": slow}, max_age_s=60)
    try:
        started = time.monotonic()
        first = board.read(wait_s=0.2)
        assert time.monotonic() - started < 1.5
        assert first["gpu-a"] is not None and first["gpu-a"].version == "1" and first["slow"] is None
        assert list(first) == ["gpu-a", "slow"]
        board.read(wait_s=0)
        assert calls == {"fast": 1, "slow": 1}, "fresh results are reused and one check runs per host at a time"
        release.set()
        later = board.read(wait_s=2)
        assert later["slow"] is not None and later["slow"].version == "2"
        board.forget("gpu-a")
        board.read(wait_s=2)
        assert calls == {"fast": 2, "slow": 1}
    finally:
        release.set()
        board.close()


def test_results_are_checked_again_once_they_are_old() -> None:
    now = [0.0]
    count = [0]

    def check() -> HostHealth:
        count[0] += 1
        return HostHealth(A, version=str(count[0]))

    board = HealthBoard({"gpu-a": check}, max_age_s=10, clock=lambda: now[0])
    try:
        assert board.read(wait_s=2)["gpu-a"].version == "1"  # type: ignore[union-attr]
        now[0] = 9
        assert board.read(wait_s=2)["gpu-a"].version == "1"  # type: ignore[union-attr]
        now[0] = 20
        assert board.read(wait_s=2)["gpu-a"].version == "2"  # type: ignore[union-attr]
    finally:
        board.close()


# --- the conversation remembers its host -------------------------------------------------------------------
def test_a_file_from_before_hosts_gets_the_column_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(
            "CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL, model TEXT NOT NULL DEFAULT '',"
            " system_prompt TEXT NOT NULL DEFAULT '', options_json TEXT NOT NULL DEFAULT '{}',"
            " created_at REAL NOT NULL, updated_at REAL NOT NULL);"
            "INSERT INTO conversations (title, model, created_at, updated_at) VALUES ('old', 'llama3.2', 1, 1);")
    store = ConversationStore(path)
    (old,) = store.conversations()
    assert old.title == "old" and old.host == ""
    store.ask(old.id, "again", "llama3.2", host="gpu-b")
    assert store.get(old.id).host == "gpu-b"  # type: ignore[union-attr]
    ConversationStore(path)  # opening it again changes nothing
    assert store.get(old.id).host == "gpu-b"  # type: ignore[union-attr]
