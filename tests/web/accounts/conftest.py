"""The cast of the account tests: two sites; alice a clinician of site A, dora a clinician of
both sites, carol the administrator of site A, bea the administrator of site B, and a patient
at each site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cluneal.web.accounts.models import Membership, Role, Site
from cluneal.web.records.models import Patient

PASSWORD = "correct horse battery staple"


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
    password: str = PASSWORD

    def client(self, who: str | None, **defaults: Any) -> Client:
        client = Client(**defaults)
        if who is not None:
            client.force_login(getattr(self, who))
        return client

    def membership(self, who: str, site: Site) -> Membership:
        return Membership.objects.get(user=getattr(self, who), site=site)


def make_user(name: str, *roles: tuple[Site, str]) -> Any:
    user = get_user_model().objects.create_user(name, password=PASSWORD)
    for site, role in roles:
        Membership.objects.create(user=user, site=site, role=role)
    return user


@pytest.fixture
def cast(db: None) -> Cast:
    a = Site.objects.create(name="Site A")
    b = Site.objects.create(name="Site B")
    return Cast(
        site_a=a,
        site_b=b,
        alice=make_user("alice", (a, Role.CLINICIAN)),
        dora=make_user("dora", (a, Role.CLINICIAN), (b, Role.CLINICIAN)),
        carol=make_user("carol", (a, Role.SITE_ADMIN)),
        bea=make_user("bea", (b, Role.SITE_ADMIN)),
        patient_a=Patient.objects.create(site=a, record_number="A-001"),
        patient_b=Patient.objects.create(site=b, record_number="B-001"),
    )
