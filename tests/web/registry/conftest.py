"""The cast for registry tests: three sites (C has no patients), a researcher, an
administrator and a clinician of site A, a clinician of B, a researcher of A and B, a researcher
of C and a superuser (all but site C, dave and erin are the web tests' shared cast); site A has
three patients and site B six."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cluneal.web.accounts.models import Role, Site
from cluneal.web.records.models import (
    Block,
    DiaryEntry,
    LinkKind,
    Patient,
    PatientLink,
    Treatment,
    Visit,
)

D0 = dt.date(2025, 3, 3)
SCN_LEFT = {"left": {"scn": {"tender": True, "distance_mm": 70, "reproduces_complaint": True}}}


@dataclass
class Cast:
    site_a: Site
    site_b: Site
    site_c: Site
    users: dict[str, Any]

    def client(self, who: str | None) -> Client:
        client = Client()
        if who is not None:
            client.force_login(self.users[who])
        return client


def _operated_patient(site: Site, number: str, relief_days: int, outcome: str) -> Patient:
    p = Patient.objects.create(site=site, record_number=number, birth_year=1960, sex="female")
    Visit.objects.create(patient=p, date=D0, exam=SCN_LEFT, current_nrs=8)
    Visit.objects.create(patient=p, date=D0 + dt.timedelta(days=200), current_nrs=3)
    for week in (0, 1):
        Block.objects.create(
            patient=p,
            date=D0 + dt.timedelta(weeks=week),
            nerve="scn",
            side="left",
            nrs_before=8,
            nrs_after=2,
            relief_days=relief_days,
        )
    Treatment.objects.create(
        patient=p,
        date=D0 + dt.timedelta(days=40),
        kind="surgical_release",
        nerve="scn",
        side="left",
        outcome=outcome,
        last_follow_up=D0 + dt.timedelta(days=180),
    )
    return p


def _diary_patient(site: Site, number: str) -> Patient:
    """A positive block whose relief (2 days) is known from a diary that then stopped."""
    p = Patient.objects.create(site=site, record_number=number)
    Visit.objects.create(patient=p, date=D0, exam=SCN_LEFT)
    block = Block.objects.create(
        patient=p,
        date=D0,
        nerve="scn",
        side="left",
        nrs_before=8,
        nrs_after=1,
        relief_days=2,
        relief_days_from_diary=True,
    )
    link = PatientLink.objects.create(
        patient=p,
        block=block,
        kind=LinkKind.DIARY,
        token_hash=number.ljust(64, "0"),
        expires_at=timezone.now() + dt.timedelta(days=5),
    )
    for k, nrs in ((1, 2), (2, 3)):
        DiaryEntry.objects.create(link=link, date=D0 + dt.timedelta(days=k), nrs=nrs)
    return p


@pytest.fixture
def cast(
    site_a: Site,
    site_b: Site,
    rita: Any,
    carol: Any,
    alice: Any,
    bob: Any,
    root: Any,
    make_user: Callable[..., Any],
) -> Cast:
    site_c = Site.objects.create(name="Site C")
    _operated_patient(site_a, "A-001", 5, "improved")
    _diary_patient(site_a, "A-002")
    Patient.objects.create(site=site_a, record_number="A-003")  # registered, nothing recorded
    for i in range(6):
        _operated_patient(site_b, f"B-00{i}", 1 + i, "worse" if i % 2 else "pain_free")
    users = {
        "rita": rita,
        "carol": carol,
        "alice": alice,
        "bob": bob,
        "dave": make_user("dave", (site_a, Role.RESEARCHER), (site_b, Role.RESEARCHER)),
        "erin": make_user("erin", (site_c, Role.RESEARCHER)),
        "root": root,
    }
    return Cast(site_a, site_b, site_c, users)


@pytest.fixture
def exact(settings: Any) -> None:
    """Every count shown, so that tests can read small numbers."""
    settings.CLUNEAL_REGISTRY_MIN_CELL = 0
