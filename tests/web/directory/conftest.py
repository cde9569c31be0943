"""The cast for directory tests: the web tests' shared cast (two sites, their clinicians, a site
administrator, a researcher and a superuser who reviews listings); and a guard that fails any
test whose code tries to reach the network (the gazetteer must work offline)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from cluneal.web.accounts.models import Site
from cluneal.web.directory.models import Listing, LocatedFrom, Status

LOCAL = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections other than to this machine (the test database) fail the test."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if self.family != socket.AF_UNIX and host not in LOCAL:
            raise AssertionError(f"the directory tried to reach {address}")
        return real_connect(self, address)

    real_getaddrinfo = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in LOCAL:
            raise AssertionError(f"the directory tried to look up {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@dataclass
class Cast:
    site_a: Site
    site_b: Site
    alice: Any  # clinician, site A
    bob: Any  # clinician, site B
    carol: Any  # site administrator, site A
    rita: Any  # researcher, site A
    root: Any  # superuser, member of no site

    def client(self, who: str | None, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        if who is not None:
            client.force_login(getattr(self, who))
        return client


@pytest.fixture
def cast(
    site_a: Site, site_b: Site, alice: Any, bob: Any, carol: Any, rita: Any, root: Any
) -> Cast:
    return Cast(site_a, site_b, alice, bob, carol, rita, root)


@pytest.fixture
def make_listing(cast: Cast):  # type: ignore[no-untyped-def]
    """A listing written straight to the database (the form is tested on its own)."""

    def make(name: str, lat: float, lon: float, status: str = Status.APPROVED, **extra: Any):  # type: ignore[no-untyped-def]
        values: dict[str, Any] = {
            "site": cast.site_a,
            "display_name": name,
            "specialty": "Pain medicine",
            "services": ["scn_block"],
            "languages": ["English"],
            "city": "Somewhere",
            "country": "GB",
            "latitude": lat,
            "longitude": lon,
            "located_from": LocatedFrom.ENTERED,
            "contact_url": "https://example.org/clinic",
            "status": status,
        }
        values.update(extra)
        return Listing.objects.create(**values)

    return make


@pytest.fixture
def form_data() -> dict[str, Any]:
    """What a clinician types to list a clinic in Margate and send it for review."""
    return {
        "display_name": "Isle of Thanet Nerve Clinic",
        "specialty": "Pain medicine",
        "services": ["scn_block", "ultrasound_block"],
        "languages": "English, french",
        "city": "Margate",
        "country": "GB",
        "latitude": "",
        "longitude": "",
        "contact_url": "https://example.org/thanet",
        "note": "",
        "action": "submit",
    }
