"""Who may use the dashboard: loopback only by default; on a LAN only with a password.

The password comes from the server's environment (``PLANNER_PASSWORD``) or from
``.streamlit/secrets.toml`` (``password = "..."``), never from a browser.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD_ENV = "PLANNER_PASSWORD"
LAN_ADMIN_ENV = "ALLOW_LAN_ADMIN"
SECRETS_FILE = Path(__file__).resolve().parent.parent / ".streamlit" / "secrets.toml"
MAX_DELAY_S = 30.0


def is_loopback(host: str) -> bool:
    """Whether a server bound to ``host`` is reachable from this machine only. An empty address is not:
    Streamlit and most servers then listen on every interface."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def configured_password(secrets_file: Path = SECRETS_FILE) -> str | None:
    """The server's password, or None. An unreadable secrets file counts as none."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    try:
        with secrets_file.open("rb") as handle:
            value = tomllib.load(handle).get("password")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return value if isinstance(value, str) and value else None


def bind_refusal(host: str, password: str | None) -> str | None:
    """Why the app must not listen on ``host``, or None when it may."""
    if is_loopback(host) or password:
        return None
    return (f"refusing to serve on {host} without a password: set {PASSWORD_ENV} or password in "
            f".streamlit/secrets.toml, or use the default HOST=127.0.0.1")


def password_matches(given: str, expected: str) -> bool:
    """Constant-time: the comparison takes as long for a near miss as for a wild guess."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def delay_after_failures(failures: int) -> float:
    """Seconds to wait before answering the next attempt: 1, 2, 4 … up to 30 s."""
    return 0.0 if failures <= 0 else min(MAX_DELAY_S, 2.0 ** (failures - 1))


@dataclass(frozen=True)
class AdminRights:
    """What a LAN user may do beyond looking: pulling and unloading models stays on the workstation."""

    lan: bool

    @property
    def may_manage_models(self) -> bool:
        return not self.lan or os.environ.get(LAN_ADMIN_ENV) == "1"


@dataclass
class FailureCounter:
    """Wrong passwords per client address, kept by the server: a reload or a new tab does not reset it."""

    failures: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, client: str) -> int:
        with self.lock:
            return self.failures.get(client, 0)

    def add(self, client: str) -> int:
        with self.lock:
            self.failures[client] = self.failures.get(client, 0) + 1
            return self.failures[client]

    def clear(self, client: str) -> None:
        with self.lock:
            self.failures.pop(client, None)
