"""Prefetch: use what the EHR sent; fetch what it did not from its FHIR server (CDS Hooks
"Prefetch" and "FHIR Resource Access"); when neither works, the caller answers 412."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

MAX_PAGES = 10
MAX_BYTES = 20_000_000
TOKEN = re.compile(r"\{\{\s*context\.(\w+)\s*\}\}")


class MissingData(Exception):
    pass


def fill(template: str, context: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found = context.get(match.group(1))
        if not isinstance(found, str):
            raise MissingData(f"context.{match.group(1)} is missing for {template!r}")
        return urllib.parse.quote(found, safe="")

    return TOKEN.sub(value, template)


def _get(url: str, token: str, timeout: float) -> Any:
    if not url.startswith(("https://", "http://")):
        raise MissingData(f"not an http(s) URL: {url}")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read(MAX_BYTES))
    except (OSError, ValueError) as exc:
        raise MissingData(f"GET {url} failed: {exc}") from None


def _fetch(server: str, query: str, token: str, timeout: float) -> Any:
    result = _get(f"{server.rstrip('/')}/{query}", token, timeout)
    if not isinstance(result, dict) or result.get("resourceType") != "Bundle":
        return result
    entries = list(result.get("entry") or [])
    page = result
    for _ in range(MAX_PAGES - 1):
        link = next(
            (
                x.get("url")
                for x in page.get("link") or []
                if isinstance(x, dict) and x.get("relation") == "next"
            ),
            None,
        )
        if not isinstance(link, str):
            break
        page = _get(link, token, timeout)
        if not isinstance(page, dict):
            break
        entries += page.get("entry") or []
    return {**result, "entry": entries}


def _expected(template: str) -> str:
    return "Bundle" if "?" in template else template.split("/", 1)[0]


def resolve_prefetch(
    data: dict[str, Any], templates: dict[str, str], timeout: float
) -> dict[str, Any]:
    """Every prefetch key, from the request or the FHIR server; :class:`MissingData` if not."""
    sent = data.get("prefetch") or {}
    context = data.get("context") or {}
    server, auth = data.get("fhirServer"), data.get("fhirAuthorization") or {}
    out: dict[str, Any] = {}
    for key, template in templates.items():
        value = sent.get(key)
        if value is None:
            token = auth.get("access_token") if isinstance(auth, dict) else None
            if not isinstance(server, str) or not isinstance(token, str):
                raise MissingData(f"prefetch {key!r} is missing and there is no FHIR server access")
            value = _fetch(server, fill(template, context), token, timeout)
        if not isinstance(value, dict) or value.get("resourceType") != _expected(template):
            raise MissingData(f"prefetch {key!r} is not a {_expected(template)}")
        out[key] = value
    return out
