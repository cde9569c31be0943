"""Identifiers of every HIPAA Safe Harbor category (45 CFR 164.514(b)(2)(i)(A)-(R)) are planted
in every field of a record that can hold them, including JSON keys and values the forms would
refuse; none of them, no real date and no real age above 89 may appear in any exported file."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cluneal.web.accounts.models import Membership, Role, Site
from cluneal.web.audit.models import AuditEvent
from cluneal.web.records.models import Block, Patient, Treatment, Visit
from cluneal.web.research.models import SiteSecret

#: One planted value per Safe Harbor category (A)-(R).
PLANTED = {
    "A names": "Zebulon Quixote-Farnsworth",
    "B geography": "742 Evergreen Terrace, Shelbyville 49007",
    "C dates": "born 17 April 1925, died 2024-12-01",
    "D telephone": "+1-555-867-5309",
    "E fax": "fax 555-239-4471",
    "F email": "zebulon.qf@example.org",
    "G social security": "078-05-1120",
    "H record number": "MRN-88172634",
    "I health plan": "HPB-XJ-4471920",
    "J account": "ACCT-5520-1188",
    "K licence": "DL-B7720931",
    "L vehicle": "VIN 1HGCM82633A004352",
    "M device": "SN-PMP-00A7731",
    "N url": "https://zq-patient.example.org/me",
    "O ip address": "203.0.113.77",
    "P biometric": "retina-7f3e9a41c",
    "Q photograph": "zebulon-face.jpg",
    "R other unique": "tattoo of a blue heron on the left calf",
}
#: Distinctive fragments, so that a partial copy is caught too.
FRAGMENTS = [
    "Zebulon",
    "Quixote",
    "Farnsworth",
    "Evergreen",
    "Shelbyville",
    "49007",
    "April 1925",
    "2024-12-01",
    "867-5309",
    "8675309",
    "239-4471",
    "example.org",
    "078-05-1120",
    "078051120",
    "88172634",
    "4471920",
    "5520-1188",
    "B7720931",
    "82633A004352",
    "00A7731",
    "203.0.113",
    "7f3e9a41c",
    "face.jpg",
    "heron",
]
REAL_DATES = [
    dt.date(2019, 1, 15),
    dt.date(2020, 3, 2),
    dt.date(2021, 6, 20),
    dt.date(2022, 9, 9),
    dt.date(2024, 2, 29),
    dt.date(2025, 3, 10),
    dt.date(2025, 10, 1),
]  # more than 182 days apart, so no shifted date can equal a real one
BIRTH_YEAR = 1925  # 94 to 100 at these dates
REAL_AGES = {str(day.year - BIRTH_YEAR) for day in REAL_DATES}
EVERYTHING = " | ".join(PLANTED.values())
SECRET = "5e" * 32  # pinned, so that the export's bytes are the same on every run


def date_forms(day: dt.date) -> list[str]:
    return [
        day.isoformat(),
        day.strftime("%Y%m%d"),
        day.strftime("%d/%m/%Y"),
        day.strftime("%m/%d/%Y"),
        day.strftime("%d.%m.%Y"),
    ]


@pytest.fixture
def planted(db: None) -> dict[str, object]:
    site = Site.objects.create(name=f"Evergreen Clinic, {PLANTED['B geography']}")
    SiteSecret.objects.create(site=site, key=SECRET)
    clinician = get_user_model().objects.create_user(
        "dr.quixote", email=PLANTED["F email"], first_name="Zebulon", last_name="Quixote"
    )
    Membership.objects.create(user=clinician, site=site, role=Role.CLINICIAN)
    researcher = get_user_model().objects.create_user("ruth")
    Membership.objects.create(user=researcher, site=site, role=Role.RESEARCHER)
    patient = Patient.objects.create(
        site=site,
        record_number=PLANTED["H record number"],
        birth_year=BIRTH_YEAR,
        sex="female",
        name=PLANTED["A names"],
        contact="; ".join(PLANTED[k] for k in ("D telephone", "E fax", "F email", "N url")),
    )
    first, second, block_day, treatment_day, last, recurred, followed = REAL_DATES
    stuffed = {"comment": EVERYTHING, "identifiers": list(PLANTED.values())}
    Visit.objects.create(
        patient=patient,
        date=first,
        created_by=clinician,
        notes=EVERYTHING,
        history={
            **stuffed,
            "duration_months": 14,
            "conditions": ["kyphosis"],
            "aggravated_by": ["walking", PLANTED["G social security"]],
            "red_flags": PLANTED["C dates"],
            "leg_numbness_or_tingling": PLANTED["P biometric"],
        },
        body_map={"back": {"left": ["buttock", PLANTED["F email"]]}, "note": PLANTED["N url"]},
        exam={
            "left": {
                "scn": {
                    "tender": True,
                    "distance_mm": 70,
                    "reproduces_complaint": True,
                    "comment": PLANTED["O ip address"],
                },
                "note": PLANTED["Q photograph"],
            },
            "right": {"mcn": {"tender": PLANTED["L vehicle"], "distance_mm": "12 mm"}},
            **stuffed,
        },
        questionnaires={
            "startback": [1, 0, 1, 1, 0, 1, 1, 0, 4],
            "odi": [PLANTED["K licence"]],
            "free": EVERYTHING,
        },
        current_nrs=7,
    )
    Visit.objects.create(
        patient=patient,
        date=second,
        notes=PLANTED["R other unique"],
        history={"duration_months": 28, "aggravated_by": ["walking"]},
        body_map={"back": {"left": ["buttock", "iliac_crest"]}},
        current_nrs=3,
    )
    Visit.objects.create(patient=patient, date=last, notes=PLANTED["C dates"], current_nrs=2)
    Block.objects.create(
        patient=patient,
        date=block_day,
        nerve="scn",
        side="left",
        agent=f"lidocaine {PLANTED['M device']} {PLANTED['I health plan']}",
        volume_ml=Decimal("3.0"),
        guidance="ultrasound",
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
    client = Client()
    client.force_login(researcher)
    return {"site": site, "patient": patient, "client": client, "clinician": clinician}


def _identifiers(planted: dict[str, object]) -> list[str]:
    """Everything that identifies the record: planted values, fragments, keys, the secret."""
    patient = planted["patient"]
    keys = [patient.pk, planted["site"].pk]  # type: ignore[attr-defined]
    for related in ("visits", "blocks", "treatments"):
        keys += [o.pk for o in getattr(patient, related).all()]
    values = [*PLANTED.values(), *FRAGMENTS, SECRET, planted["site"].name, "dr.quixote"]  # type: ignore[attr-defined]
    for k in keys:  # whole, and the first and last groups, so that a truncated key is caught
        values += [str(k), uuid.UUID(str(k)).hex, str(k).split("-")[0], str(k).split("-")[-1]]
    for day in REAL_DATES:
        values += date_forms(day)
    return values


@pytest.fixture
def exported(planted, unzip, export_as) -> dict[str, bytes]:
    response = export_as(planted["client"], planted["site"])
    assert response.status_code == 200, response.content[:500]
    files = unzip(response.content)
    assert set(files) == {
        "README.txt",
        "data_dictionary.csv",
        *(
            f"{t}.{ext}"
            for t in ("patients", "visits", "blocks", "treatments")
            for ext in ("csv", "parquet")
        ),
    }
    return files


@pytest.mark.django_db
def test_no_planted_identifier_is_in_any_byte_of_any_file(planted, exported):
    for name, data in exported.items():
        text = data.decode("latin-1").lower()  # every byte maps to one character
        for value in _identifiers(planted):
            assert value.lower() not in text, f"{value!r} found in {name}"


@pytest.mark.django_db
def test_no_cell_of_any_parquet_file_holds_an_identifier_a_real_date_or_a_real_age(
    planted, exported, parquet_table
):
    identifiers = [v.lower() for v in _identifiers(planted)]
    for name, data in exported.items():
        if not name.endswith(".parquet"):
            continue
        _schema, rows = parquet_table(data)
        assert rows, name
        for row in rows:
            for cell in row:
                assert cell not in REAL_DATES, f"a real date in {name}"
                assert str(cell) not in REAL_AGES, f"a real age in {name}"
                assert str(BIRTH_YEAR) != str(cell), f"the year of birth in {name}"
                text = str(cell).lower()
                assert not any(value in text for value in identifiers), f"{cell!r} in {name}"


@pytest.mark.django_db
def test_no_csv_cell_holds_a_real_age_above_89_and_the_ages_read_90_plus(exported, csv_rows):
    ages = []
    for name, data in exported.items():
        if name.endswith(".csv") and name != "data_dictionary.csv":
            for row in csv_rows(data):
                assert not set(row.values()) & (REAL_AGES | {str(BIRTH_YEAR)}), name
                ages += [row[k] for k in ("age", "age_at_first_contact") if k in row]
    assert ages == ["90+"] + ["90+"] * 3  # the patient, then each of the three visits


@pytest.mark.django_db
def test_the_coded_values_survive_and_the_stuffed_ones_are_left_empty(exported, csv_rows):
    visits = csv_rows(exported["visits.csv"])
    first, second, _last = visits
    assert first["duration_months"] == "14.0"
    assert first["conditions"] == "kyphosis"
    assert first["aggravated_by"] == ""  # one item was not a code: the list is not exported
    assert first["red_flags"] == first["leg_numbness_or_tingling"] == ""
    assert first["pain_left"] == ""  # the drawing held an e-mail address
    assert first["exam_left_scn_tender"] == "true"
    assert first["exam_left_scn_distance_mm"] == "70.0"
    assert first["exam_right_mcn_tender"] == first["exam_right_mcn_distance_mm"] == ""
    # STarT Back of case-format.md: total 6, psychosocial 3, medium; the ODI held a string
    assert (first["startback_total"], first["startback_psychosocial"]) == ("6", "3")
    assert first["startback_risk"] == "medium"
    assert first["odi_percent"] == first["odi_answered"] == ""
    assert second["pain_left"] == "iliac_crest;buttock"
    assert second["pain_right"] == "none"
    assert second["aggravated_by"] == "walking"
    block = csv_rows(exported["blocks.csv"])[0]
    assert (block["volume_ml"], block["relief_days"], block["guidance"]) == (
        "3.0",
        "4.5",
        "ultrasound",
    )
    treatment = csv_rows(exported["treatments.csv"])[0]
    assert treatment["outcome"] == "recurred"
    days = [
        dt.date.fromisoformat(treatment[k])
        for k in ("treatment_date", "recurrence_date", "last_follow_up")
    ]
    assert days[1] - days[0] == REAL_DATES[5] - REAL_DATES[3]
    assert days[2] - days[0] == REAL_DATES[6] - REAL_DATES[3]


@pytest.mark.django_db
def test_the_audit_entry_of_the_export_names_no_patient_and_no_secret(planted, exported):
    event = AuditEvent.objects.get(action="export", site=planted["site"])
    assert event.actor == "ruth"
    assert event.patient_id is None and event.record_number == ""
    assert event.changes["rows"] == {"patients": 1, "visits": 3, "blocks": 1, "treatments": 1}
    assert SECRET not in json.dumps(event.changes)
    assert not re.search(r"offset", json.dumps(event.changes))
