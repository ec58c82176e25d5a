"""Server-side settings of the chat: where Ollama is, what the page may do, where conversations live.

All of it comes from the environment of the Streamlit server process, never from the browser.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError

DEFAULT_HOST = "http://127.0.0.1:11434"
APP_DIR_NAME = "llm-workstation-planner"


def normalize_host(value: str | None) -> str:
    """OLLAMA_HOST as the official client reads it: '' → local default, a bare host gets port 11434.

    The client does this itself, but the page shows the host in messages and needs it for /api/version,
    which the client has no method for.
    """
    text = (value or "").strip()
    if not text:
        return DEFAULT_HOST
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "http", text
    default_port = {"http": 80, "https": 443}.get(scheme, 11434) if sep else 11434
    split = urllib.parse.urlsplit(f"{scheme}://{rest}")
    host = split.hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    path = split.path.strip("/")
    return f"{scheme}://{host}:{split.port or default_port}" + (f"/{path}" if path else "")


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _seconds(value: str | None, default: float) -> float:
    try:
        seconds = float(value) if value else default
    except ValueError:
        return default
    return seconds if seconds > 0 else default


@dataclass(frozen=True)
class OllamaConfig:
    url: str = DEFAULT_HOST  # the server's URL; an OllamaHost's name is what people pick
    allow_pull: bool = False
    """Pulling writes gigabytes to the server's disk; only the server's owner switches it on."""
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 300.0
    """Longest silence inside a stream: the first token can wait for a model to load from disk."""
    quick_timeout_s: float = 15.0
    """For list, ps, show and unload, which answer at once on a healthy server."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OllamaConfig:
        env = os.environ if env is None else env
        return cls(
            url=normalize_host(env.get("OLLAMA_HOST")),
            allow_pull=_flag(env.get("ALLOW_MODEL_PULL")),
            read_timeout_s=_seconds(env.get("OLLAMA_READ_TIMEOUT_S"), cls.read_timeout_s),
        )


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """PLANNER_DATA_DIR, else $XDG_DATA_HOME/llm-workstation-planner, else ~/.local/share/llm-workstation-planner."""
    env = os.environ if env is None else env
    if env.get("PLANNER_DATA_DIR"):
        return Path(env["PLANNER_DATA_DIR"]).expanduser()
    base = Path(env["XDG_DATA_HOME"]).expanduser() if env.get("XDG_DATA_HOME") else Path.home() / ".local" / "share"
    return base / APP_DIR_NAME


HOST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}\Z")
"""A name in OLLAMA_HOSTS: letters, digits, '.', '_', '-', up to 63, starting with a letter or digit."""


@dataclass(frozen=True)
class OllamaHost:
    """One Ollama server the chat may use: the name people pick (and ``?host=`` carries) and its URL."""

    name: str
    url: str


def _host_url(entry: str, text: str) -> str:
    if not text or any(c.isspace() for c in text):
        raise InputError("chat.err.hosts_url", entry=entry)
    try:
        url = normalize_host(text)
        split = urllib.parse.urlsplit(url)
        port = split.port
    except ValueError:
        raise InputError("chat.err.hosts_url", entry=entry) from None
    if split.scheme not in ("http", "https") or not split.hostname or port is None:
        raise InputError("chat.err.hosts_url", entry=entry)
    return url


def parse_hosts(value: str) -> tuple[OllamaHost, ...]:
    """``OLLAMA_HOSTS``: ``name=url`` pairs (or bare URLs, named after their host), separated by commas.

    URLs are read like OLLAMA_HOST. A bad entry or a name used twice raises an ``InputError`` that names
    the entry and says what is allowed.
    """
    hosts: list[OllamaHost] = []
    for raw in value.split(","):
        entry = raw.strip()
        if not entry:
            continue
        name, sep, address = entry.partition("=")
        if sep:
            name, address = name.strip(), address.strip()
            if not HOST_NAME.match(name):
                raise InputError("chat.err.hosts_name", entry=entry)
            url = _host_url(entry, address)
        else:
            url = _host_url(entry, entry)
            name = urllib.parse.urlsplit(url).hostname or url
        if any(h.name == name for h in hosts):
            raise InputError("chat.err.hosts_duplicate", entry=entry, name=name)
        if any(h.url == url for h in hosts):
            raise InputError("chat.err.hosts_same_url", entry=entry, url=url)
        hosts.append(OllamaHost(name, url))
    return tuple(hosts)


def configured_hosts(env: Mapping[str, str] | None = None) -> tuple[OllamaHost, ...]:
    """OLLAMA_HOSTS when it names any host, else the one OLLAMA_HOST (named after its host) as before."""
    env = os.environ if env is None else env
    hosts = parse_hosts(env.get("OLLAMA_HOSTS") or "")
    if hosts:
        return hosts
    url = normalize_host(env.get("OLLAMA_HOST"))
    return (OllamaHost(urllib.parse.urlsplit(url).hostname or url, url),)
