"""Typed reading of ``CLUNEAL_*`` environment variables, failing loudly on a bad value."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import platformdirs


class ConfigError(ValueError):
    pass


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if not raw:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r}: expected true or false")


def env_int(name: str, default: int, low: int = 0, high: int = 10**9) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected an integer") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={raw!r}: expected an integer from {low} to {high}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    return [x.strip() for x in raw.split(",") if x.strip()] if raw else default


def env_json_object(name: str, default: dict[str, str]) -> dict[str, str]:
    """A JSON object of strings, e.g. ``{"https://ehr.example.org": "/etc/cluneal/ehr.jwks"}``."""
    raw = env_str(name)
    if not raw:
        return default
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{name}: not valid JSON ({exc.msg})") from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"{name}: expected a JSON object mapping strings to strings")
    return value


def data_dir() -> Path:
    """Where the default database and the generated secret key live."""
    path = Path(env_str("CLUNEAL_DATA_DIR") or platformdirs.user_data_dir("cluneal", "cluneal"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """``CLUNEAL_SECRET_KEY``, or a random key generated once and kept (mode 0600) in the data
    directory; never a key written in the repository."""
    key = env_str("CLUNEAL_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ConfigError("CLUNEAL_SECRET_KEY: use at least 32 characters")
        return key
    path = data_dir() / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
