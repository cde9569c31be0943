"""The cast for record tests: the web tests' shared cast (two sites, their clinicians, an
administrator, a researcher), and a patient of site A with a visit, a block, a treatment and a
diary link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cluneal.web.accounts.models import Site
from cluneal.web.records.links import token_hash
from cluneal.web.records.models import Block, LinkKind, Patient, PatientLink, Treatment, Visit

TOKEN = "a-patient-token-of-sufficient-length-0123456789"


@dataclass
class Cast:
    site_a: Site
    site_b: Site
    alice: Any  # clinician, site A
    bob: Any  # clinician, site B
    carol: Any  # site administrator, site A
    rita: Any  # researcher, site A
    patient: Patient  # of site A
    visit: Visit
    block: Block
    treatment: Treatment
    link: PatientLink
    password: str
    token: str = TOKEN

    def client(self, who: str | None) -> Client:
        client = Client()
        if who is not None:
            client.force_login(getattr(self, who))
        return client


@pytest.fixture
def cast(
    site_a: Site, site_b: Site, alice: Any, bob: Any, carol: Any, rita: Any, password: str
) -> Cast:
    patient = Patient.objects.create(
        site=site_a, record_number="A-001", birth_year=1960, sex="female"
    )
    today = dt.date(2026, 11, 2)
    visit = Visit.objects.create(
        patient=patient,
        date=today,
        exam={"left": {"scn": {"tender": True, "distance_mm": 70, "reproduces_complaint": True}}},
    )
    block = Block.objects.create(
        patient=patient, date=today, nerve="scn", side="left", nrs_before=8, nrs_after=2
    )
    treatment = Treatment.objects.create(
        patient=patient, date=today, kind="surgical_release", nerve="scn", side="left"
    )
    link = PatientLink.objects.create(
        patient=patient,
        block=block,
        kind=LinkKind.DIARY,
        token_hash=token_hash(TOKEN),
        expires_at=timezone.now() + dt.timedelta(days=10),
    )
    return Cast(
        site_a, site_b, alice, bob, carol, rita, patient, visit, block, treatment, link, password
    )
