"""The shared cast for record tests: two sites, their clinicians, an administrator, a
researcher, and a patient of site A with a visit, a block, a treatment and a diary link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from cluneal.web.accounts.models import Membership, Role, Site
from cluneal.web.records.links import token_hash
from cluneal.web.records.models import Block, LinkKind, Patient, PatientLink, Treatment, Visit

PASSWORD = "correct horse battery staple"
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
    token: str = TOKEN
    password: str = PASSWORD

    def client(self, who: str | None) -> Client:
        client = Client()
        if who is not None:
            client.force_login(getattr(self, who))
        return client


def make_user(name: str, site: Site, role: str) -> Any:
    user = get_user_model().objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=user, site=site, role=role)
    return user


@pytest.fixture
def cast(db: None) -> Cast:
    site_a = Site.objects.create(name="Site A")
    site_b = Site.objects.create(name="Site B")
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
        site_a=site_a,
        site_b=site_b,
        alice=make_user("alice", site_a, Role.CLINICIAN),
        bob=make_user("bob", site_b, Role.CLINICIAN),
        carol=make_user("carol", site_a, Role.SITE_ADMIN),
        rita=make_user("rita", site_a, Role.RESEARCHER),
        patient=patient,
        visit=visit,
        block=block,
        treatment=treatment,
        link=link,
    )
