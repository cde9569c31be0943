"""Prefetch: use what the EHR sent; fetch what it did not from its FHIR server (CDS Hooks
"Prefetch" and "FHIR Resource Access"); when neither works, the caller answers 412.

The EHR's access token is sent to one kind of place only: a FHIR base URL configured for the
token's issuer (``CLUNEAL_CDS_FHIR_SERVERS``), at an address that is public or inside a network
configured as allowed (``CLUNEAL_CDS_FHIR_NETWORKS``). Every outgoing request goes through
:func:`_get`, which checks the URL against the base, resolves the host, checks every address it
resolves to, and connects to those checked addresses only (a second lookup cannot point it
elsewhere). Redirects are not followed, and a search's next page must lie under the same base.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import socket
import ssl
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings

from cluneal.validation import Problem
from cluneal.web.cds.checks import Check
from cluneal.web.cds.fhir_shape import check_prefetch
from cluneal.web.cds.schema import HookRequest, expected_type
from cluneal.web.env import IPNetwork, base_url

MAX_PAGES = 10
MAX_BYTES = 20_000_000
TOKEN = re.compile(r"\{\{\s*context\.(\w+)\s*\}\}")
DEFAULT_PORTS = {"http": 80, "https": 443}
#: IPv6 prefixes that carry an IPv4 address in their last 32 bits (IPv4-compatible, NAT64).
EMBEDS_IPV4 = (ipaddress.ip_network("::/96"), ipaddress.ip_network("64:ff9b::/96"))
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class MissingData(Exception):
    """The data cannot be had; ``problems`` say why, by JSON path (the answer is 412)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class Refused(MissingData):
    """The token was not sent: the URL or an address it resolves to is not allowed."""


def _missing(path: str, message: str) -> MissingData:
    return MissingData([Problem(path, message)])


def _refused(path: str, message: str) -> Refused:
    return Refused([Problem(path, message)])


def fill(template: str, context: Mapping[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found = context.get(match.group(1))
        if not isinstance(found, str):
            raise _missing(f"context.{match.group(1)}", f"is needed to fetch {template!r}")
        return urllib.parse.quote(found, safe="")

    return TOKEN.sub(value, template)


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in net for net in EMBEDS_IPV4) and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _public(ip: IPAddress) -> bool:
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    )


def address_allowed(ip: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    """Whether a FHIR server may be reached at ``ip``: a public address, or one inside a
    configured network. An IPv6 address carrying an IPv4 address is judged by both."""
    forms = [ip] + [v4 for v4 in [_embedded_ipv4(ip)] if v4 is not None]
    nets = list(networks)
    if any(form in net for form in forms for net in nets if form.version == net.version):
        return True
    return all(_public(form) for form in forms)


def resolve(host: str, port: int, networks: Iterable[IPNetwork], path: str) -> list[str]:
    """Every address ``host`` resolves to, all of them allowed; else :class:`Refused`."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise _missing(path, f"cannot resolve {host}: {exc}") from None
    addresses: list[str] = []
    for *_, sockaddr in found:
        text = str(sockaddr[0]).split("%", 1)[0]
        ip = ipaddress.ip_address(text)
        if not address_allowed(ip, networks):
            raise _refused(
                path,
                f"{host} resolves to {ip}, a private, loopback or link-local address not in "
                "CLUNEAL_CDS_FHIR_NETWORKS",
            )
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise _missing(path, f"cannot resolve {host}")
    return addresses


def _connect(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    error: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error


class _Pinned(http.client.HTTPConnection):
    """HTTP to checked addresses only; the host name still goes in the Host header."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.timeout)


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


class _PinnedTLS(http.client.HTTPSConnection):
    """HTTPS to checked addresses only; the certificate is checked against the host name."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        self.tls = _tls()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        sock = _connect(self.addresses, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class FhirServer:
    """An allowed FHIR base URL and the token the EHR gave for it."""

    base: str
    token: str
    networks: tuple[IPNetwork, ...]
    timeout: float

    def within(self, url: str) -> bool:
        """Whether ``url`` is the base or lies under it (same scheme, host and port)."""
        parts = urllib.parse.urlsplit(url)
        try:
            here = base_url(urllib.parse.urlunsplit(parts._replace(query="", fragment="")))
        except ValueError:
            return False
        return here == self.base or here.startswith(self.base + "/")

    def get(self, url: str, path: str) -> Any:
        """GET a URL under the base with the token; the parsed JSON, or :class:`MissingData`."""
        if not self.within(url):
            raise _refused(path, f"{url} is not under the FHIR server {self.base}")
        parts = urllib.parse.urlsplit(url)
        host, port = parts.hostname or "", parts.port or DEFAULT_PORTS[parts.scheme]
        addresses = resolve(host, port, self.networks, path)
        kind = _PinnedTLS if parts.scheme == "https" else _Pinned
        connection = kind(host, port, addresses, self.timeout)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/fhir+json"}
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            if 300 <= response.status < 400:
                where = response.getheader("Location", "?")
                raise _refused(path, f"GET {url} redirects to {where}; redirects are not followed")
            if response.status != 200:
                raise _missing(path, f"GET {url} answered {response.status}")
            body = response.read(MAX_BYTES + 1)
        except (OSError, http.client.HTTPException) as exc:
            raise _missing(path, f"GET {url} failed: {exc}") from None
        finally:
            connection.close()
        if len(body) > MAX_BYTES:
            raise _missing(path, f"GET {url} answered more than {MAX_BYTES:,} bytes")
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise _missing(path, f"GET {url} did not answer JSON") from None

    def search(self, query: str, path: str) -> Any:
        """A read, or a search with up to :data:`MAX_PAGES` pages joined into one Bundle."""
        result = self.get(f"{self.base}/{query}", path)
        if not isinstance(result, dict) or result.get("resourceType") != "Bundle":
            return result
        entries = result.get("entry")
        if not isinstance(entries, list):
            return result  # checked, and refused, by the caller
        entries = list(entries)
        page = result
        for _ in range(MAX_PAGES - 1):
            link = next_link(page)
            if link is None:
                break
            page = self.get(link, path)
            more = page.get("entry") if isinstance(page, dict) else None
            if not isinstance(more, list):
                break
            entries += more
        return {**result, "entry": entries}


def next_link(bundle: Any) -> str | None:
    """The URL of a search Bundle's next page, if it has one."""
    links = bundle.get("link") if isinstance(bundle, dict) else None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) else None
    return None


def fhir_server(request: HookRequest, issuer: str, timeout: float, missing: str) -> FhirServer:
    """Access to the request's FHIR server, if it is allowed for ``issuer``; else
    :class:`MissingData` (no access given) or :class:`Refused`. ``missing`` names the prefetch
    key that made it needed."""
    if request.fhir_server is None:
        raise _missing("fhirServer", f"is needed to fetch {missing}, which was not prefetched")
    if request.access_token is None:
        raise _missing(
            "fhirAuthorization", f"is needed to fetch {missing}, which was not prefetched"
        )
    try:
        base = base_url(request.fhir_server)
    except ValueError as exc:
        raise _refused("fhirServer", f"{request.fhir_server!r} is refused: {exc}") from None
    if base not in settings.CLUNEAL_CDS_FHIR_SERVERS.get(issuer, ()):
        raise _refused(
            "fhirServer",
            f"{request.fhir_server!r} is not a FHIR server allowed for this issuer "
            "(CLUNEAL_CDS_FHIR_SERVERS)",
        )
    networks = tuple(settings.CLUNEAL_CDS_FHIR_NETWORKS)
    return FhirServer(base, request.access_token, networks, timeout)


def resolve_prefetch(
    request: HookRequest, templates: Mapping[str, str], issuer: str, timeout: float
) -> dict[str, Any]:
    """Every prefetch key, from the request or the FHIR server; :class:`MissingData` if not.
    Fetched data is checked exactly as prefetched data is."""
    out: dict[str, Any] = {}
    server: FhirServer | None = None
    for key, template in templates.items():
        value = request.prefetch.get(key)
        if value is None:
            path = f"prefetch.{key}"
            server = server or fhir_server(request, issuer, timeout, path)
            value = server.search(fill(template, request.context), path)
            check = Check()
            usable = check_prefetch(check, value, path, expected_type(template))
            if check.found:
                raise MissingData(
                    Problem(p.path, f"{p.message} (in the FHIR server's answer)")
                    for p in check.found
                )
            if not usable:
                raise _missing(path, "the FHIR server answered with an OperationOutcome")
        out[key] = value
    return out
