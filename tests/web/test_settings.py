"""Security settings that must hold in production, read from the settings module itself."""

from __future__ import annotations

import importlib
import os
import sqlite3
import subprocess
import sys


def test_passwords_are_hashed_with_argon2_and_cookies_are_safe():
    settings = importlib.import_module("cluneal.web.settings")
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 3600
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_the_default_database_is_sqlite_in_wal_mode(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CLUNEAL_DATA_DIR"] = str(tmp_path)
    code = "from cluneal.web.setup import prepare; print(prepare())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "sqlite3" in out
    con = sqlite3.connect(tmp_path / "cluneal.sqlite3")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_a_kept_secret_is_made_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    from cluneal.web.env import kept_secret, secret_key

    monkeypatch.setenv("CLUNEAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CLUNEAL_SECRET_KEY", raising=False)
    key = secret_key()
    assert len(key) >= 64 and secret_key() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    password = kept_secret("demo_password", 12)
    assert len(password) == 16 and password != key[:16]
    assert kept_secret("demo_password", 12) == password
    assert (tmp_path / "demo_password").stat().st_mode & 0o777 == 0o600
