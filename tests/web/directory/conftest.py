"""The cast for directory tests: two sites, their clinicians, a site administrator, a
researcher and a superuser who reviews listings; and a guard that fails any test whose
code tries to reach the network (the gazetteer must work offline)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cluneal.web.accounts.models import Membership, Role, Site
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


def make_user(name: str, site: Site, role: str) -> Any:
    user = get_user_model().objects.create_user(name, password="correct horse battery staple")
    Membership.objects.create(user=user, site=site, role=role)
    return user


@pytest.fixture
def cast(db: None) -> Cast:
    site_a = Site.objects.create(name="Site A")
    site_b = Site.objects.create(name="Site B")
    root = get_user_model().objects.create_superuser("root", password="another long password")
    return Cast(
        site_a=site_a,
        site_b=site_b,
        alice=make_user("alice", site_a, Role.CLINICIAN),
        bob=make_user("bob", site_b, Role.CLINICIAN),
        carol=make_user("carol", site_a, Role.SITE_ADMIN),
        rita=make_user("rita", site_a, Role.RESEARCHER),
        root=root,
    )


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
