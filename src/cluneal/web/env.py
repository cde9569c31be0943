"""Typed reading of ``CLUNEAL_*`` environment variables, failing loudly on a bad value."""

from __future__ import annotations

import ipaddress
import os
import secrets
import urllib.parse
from pathlib import Path

import platformdirs

from cluneal import jsontext


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
        value = jsontext.loads(raw)
    except jsontext.JsonTextError as exc:
        raise ConfigError(f"{name}: {exc.problem}") from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"{name}: expected a JSON object mapping strings to strings")
    return value


def base_url(text: str) -> str:
    """An http(s) base URL in one canonical form (lower-case scheme and host, no default port,
    no trailing slash), or :class:`ValueError` saying what is wrong. Userinfo, a query, a
    fragment, percent-escapes, backslashes, dot segments and non-ASCII text are refused, so two
    spellings of one base compare equal and no spelling hides another host or path."""
    if not text.isascii() or not text.isprintable() or any(c in text for c in " \\%?#"):
        raise ValueError("not a plain ASCII URL without spaces, backslashes, %, ? or #")
    parts = urllib.parse.urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("not an http or https URL")
    if "@" in parts.netloc:
        raise ValueError("a user name or password in the URL")
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("no host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("not a valid port") from None
    segments = parts.path.split("/")
    if any(s in (".", "..") for s in segments) or "//" in parts.path:
        raise ValueError("dot segments or empty segments in the path")
    shown = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        shown += f":{port}"
    return f"{scheme}://{shown}{parts.path.rstrip('/')}"


def env_base_urls(name: str) -> dict[str, list[str]]:
    """A JSON object mapping keys to lists of http(s) base URLs (see :func:`base_url`), e.g.
    ``{"https://ehr.example.org/": ["https://fhir.example.org/r4"]}``."""
    raw = env_str(name)
    if not raw:
        return {}
    try:
        value = jsontext.loads(raw)
    except jsontext.JsonTextError as exc:
        raise ConfigError(f"{name}: {exc.problem}") from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(u, str) for u in v)
        for k, v in value.items()
    ):
        raise ConfigError(f"{name}: expected a JSON object mapping strings to lists of URLs")
    out: dict[str, list[str]] = {}
    for key, urls in value.items():
        out[key] = []
        for url in urls:
            try:
                out[key].append(base_url(url))
            except ValueError as exc:
                raise ConfigError(f"{name}: {url!r} for {key!r}: {exc}") from None
    return out


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def env_networks(name: str) -> list[IPNetwork]:
    """Comma-separated IP networks in CIDR form, e.g. ``10.20.0.0/16,fd00::/8``."""
    out: list[IPNetwork] = []
    for item in env_list(name, []):
        try:
            out.append(ipaddress.ip_network(item))
        except ValueError as exc:
            raise ConfigError(
                f"{name}={item!r}: expected an IP network such as 10.0.0.0/8 ({exc})"
            ) from None
    return out


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
    return kept_secret("secret_key", 48)


def kept_secret(name: str, nbytes: int) -> str:
    """A random secret of ``nbytes`` bytes (URL-safe text) kept in the data directory's file
    ``name``, readable by its owner only (mode 0600): made by the first process that asks, read
    by every later one."""
    path = data_dir() / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()
