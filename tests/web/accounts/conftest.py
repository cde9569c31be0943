"""The cast of the account tests: two sites; alice a clinician of site A, dora a clinician of
both sites, carol the administrator of site A, bea the administrator of site B, and a patient
at each site (alice, carol and the sites are the web tests' shared cast)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from cluneal.web.accounts.models import Membership, Role, Site
from cluneal.web.records.models import Patient


@dataclass
class Cast:
    site_a: Site
    site_b: Site
    alice: Any
    dora: Any
    carol: Any
    bea: Any
    patient_a: Patient
    patient_b: Patient
    password: str

    def client(self, who: str | None, **defaults: Any) -> Client:
        client = Client(**defaults)
        if who is not None:
            client.force_login(getattr(self, who))
        return client

    def membership(self, who: str, site: Site) -> Membership:
        return Membership.objects.get(user=getattr(self, who), site=site)


@pytest.fixture
def cast(
    site_a: Site,
    site_b: Site,
    alice: Any,
    carol: Any,
    make_user: Callable[..., Any],
    password: str,
) -> Cast:
    return Cast(
        site_a=site_a,
        site_b=site_b,
        alice=alice,
        dora=make_user("dora", (site_a, Role.CLINICIAN), (site_b, Role.CLINICIAN)),
        carol=carol,
        bea=make_user("bea", (site_b, Role.SITE_ADMIN)),
        patient_a=Patient.objects.create(site=site_a, record_number="A-001"),
        patient_b=Patient.objects.create(site=site_b, record_number="B-001"),
        password=password,
    )
