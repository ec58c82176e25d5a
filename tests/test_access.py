"""LAN access: loopback is free, anything else needs the server's password, checked in constant time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core import access

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("0.0.0.0", False), ("192.168.0.10", False), ("lan-box", False)])
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert access.is_loopback(host) is loopback


def test_lan_needs_a_password() -> None:
    assert access.bind_refusal("127.0.0.1", None) is None
    assert access.bind_refusal("0.0.0.0", "s3cret") is None
    assert "without a password" in access.bind_refusal("0.0.0.0", None)


def test_password_from_env_then_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('password = "from-file"\n', encoding="utf-8")
    monkeypatch.delenv(access.PASSWORD_ENV, raising=False)
    assert access.configured_password(secrets) == "from-file"
    monkeypatch.setenv(access.PASSWORD_ENV, "from-env")
    assert access.configured_password(secrets) == "from-env"
    monkeypatch.delenv(access.PASSWORD_ENV)
    secrets.write_text("password = [broken", encoding="utf-8")
    assert access.configured_password(secrets) is None


def test_comparison_and_growing_delay() -> None:
    assert access.password_matches("correct horse", "correct horse")
    assert not access.password_matches("correct hors", "correct horse")
    assert [access.delay_after_failures(n) for n in range(0, 8)] == [0, 1, 2, 4, 8, 16, 30, 30]


def test_serving_on_the_lan_without_a_password_is_refused_in_one_line() -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "core", "serve", "--host", "0.0.0.0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "refusing to serve on 0.0.0.0" in proc.stderr


def test_lan_users_do_not_manage_models_unless_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(access.LAN_ADMIN_ENV, raising=False)
    assert access.AdminRights(lan=False).may_manage_models
    assert not access.AdminRights(lan=True).may_manage_models
    monkeypatch.setenv(access.LAN_ADMIN_ENV, "1")
    assert access.AdminRights(lan=True).may_manage_models
