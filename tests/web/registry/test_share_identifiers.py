"""A share holds no record number, key, name, date of birth, free text or real date: values of
every kind are planted in every field of a record that can hold one (including JSON the forms
would refuse), and the share, downloaded from the page and written by the command line, is
searched for each of them."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from django.test import Client

from cluneal.cli import cli
from cluneal.web.accounts.models import Membership, Role, Site
from cluneal.web.records.models import Block, Patient, Treatment, Visit

PLANTED = [
    "Zebulon Quixote-Farnsworth",
    "742 Evergreen Terrace, Shelbyville 49007",
    "+1-555-867-5309",
    "zebulon.qf@example.org",
    "078-05-1120",
    "MRN-88172634",
    "HPB-XJ-4471920",
    "SN-PMP-00A7731",
    "https://zq-patient.example.org/me",
    "203.0.113.77",
    "tattoo of a blue heron on the left calf",
]
FRAGMENTS = ["Zebulon", "Quixote", "Evergreen", "49007", "8675309", "88172634", "heron"]
REAL_DATES = [
    dt.date(2019, 1, 15),
    dt.date(2020, 3, 2),
    dt.date(2021, 6, 20),
    dt.date(2022, 9, 9),
    dt.date(2024, 2, 29),
    dt.date(2025, 3, 10),
    dt.date(2025, 10, 1),
]
BIRTH_YEAR = 1925
EVERYTHING = " | ".join(PLANTED)


def date_forms(day: dt.date) -> list[str]:
    formats = ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d %B %Y", "%B %d")
    return [day.strftime(f) for f in formats]


@pytest.fixture
def planted(db: None) -> dict:
    site = Site.objects.create(name="North Clinic")
    researcher = get_user_model().objects.create_user("ruth")
    Membership.objects.create(user=researcher, site=site, role=Role.RESEARCHER)
    patients = []
    for k in range(2):  # two patients, so that the flow is not one person's
        patient = Patient.objects.create(
            site=site,
            record_number=f"{PLANTED[5]}-{k}",
            birth_year=BIRTH_YEAR,
            sex="female",
            name=PLANTED[0],
            contact="; ".join(PLANTED[2:5]),
        )
        first, second, block_day, treatment_day, last, recurred, followed = REAL_DATES
        stuffed = {"comment": EVERYTHING, "identifiers": PLANTED}
        exam = {"tender": True, "distance_mm": 70, "reproduces_complaint": True, "note": PLANTED[9]}
        Visit.objects.create(
            patient=patient,
            date=first,
            notes=EVERYTHING,
            history={**stuffed, "duration_months": 14, "aggravated_by": ["walking", PLANTED[4]]},
            body_map={"back": {"left": ["buttock", PLANTED[3]]}, "note": PLANTED[8]},
            exam={"left": {"scn": exam}, **stuffed},
            questionnaires={"rmdq": [1] * 12 + [0] * 12, "odi": [PLANTED[6]], "free": EVERYTHING},
            current_nrs=7,
        )
        Visit.objects.create(
            patient=patient,
            date=second,
            notes=PLANTED[10],
            questionnaires={"rmdq": [1] * 4 + [0] * 20},
            current_nrs=3,
        )
        Visit.objects.create(patient=patient, date=last, notes=EVERYTHING, current_nrs=2)
        Block.objects.create(
            patient=patient,
            date=block_day,
            nerve="scn",
            side="left",
            agent=f"lidocaine {PLANTED[7]}",
            volume_ml=Decimal("3.0"),
            nrs_before=8,
            nrs_after=2,
            relief_days=Decimal("4.5"),
        )
        Treatment.objects.create(
            patient=patient,
            date=treatment_day,
            kind="surgical_release",
            nerve="scn",
            side="left",
            outcome="recurred",
            recurrence_date=recurred,
            last_follow_up=followed,
        )
        patients.append(patient)
    client = Client()
    client.force_login(researcher)
    return {"site": site, "patients": patients, "client": client}


def identifiers(planted: dict) -> list[str]:
    values = [*PLANTED, *FRAGMENTS, str(BIRTH_YEAR)]
    keys = [planted["site"].pk]
    for p in planted["patients"]:
        keys += [
            p.pk,
            *(o.pk for r in ("visits", "blocks", "treatments") for o in getattr(p, r).all()),
        ]
    for k in keys:
        values += [str(k), uuid.UUID(str(k)).hex, str(k).split("-")[0], str(k).split("-")[-1]]
    for day in REAL_DATES:
        values += date_forms(day)
    return values


def assert_clean(data: bytes, planted: dict) -> None:
    text = data.decode("utf-8").lower()
    assert '"life_table": [' in text  # the curves are there: the search has numbers to read
    for value in identifiers(planted):
        assert value.lower() not in text, f"{value!r} found in the share"


@pytest.mark.parametrize("min_cell", [0, 2])
def test_the_downloaded_share_holds_no_identifier_and_no_real_date(planted, settings, min_cell):
    settings.CLUNEAL_REGISTRY_MIN_CELL = min_cell
    response = planted["client"].get("/registry/share.json?from=2018-01-01&to=2026-01-01")
    assert response.status_code == 200
    assert_clean(response.content, planted)


def test_the_share_the_command_line_writes_holds_none_either(planted, tmp_path, monkeypatch):
    monkeypatch.setenv("CLUNEAL_REGISTRY_MIN_CELL", "0")
    out = tmp_path / "share.json"
    result = CliRunner().invoke(
        cli, ["research", "share", "--site", "North Clinic", "--out", str(out)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert_clean(out.read_bytes(), planted)
