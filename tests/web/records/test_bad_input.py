"""Bad input gets a clear 4xx and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from cluneal.web.audit.models import AuditEvent
from cluneal.web.records.models import Block, DiaryEntry, Patient, Visit

BLOCK = {"date": "2026-11-03", "nerve": "scn", "side": "left", "nrs_before": 8, "nrs_after": 2}


def counts():
    return (
        Patient.objects.count(),
        Visit.objects.count(),
        Block.objects.count(),
        DiaryEntry.objects.count(),
        AuditEvent.objects.exclude(action="view").count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nrs_before", "eight", "Enter a whole number."),
        ("nrs_before", "11", "Ensure this value is less than or equal to 10."),
        ("nrs_after", "-1", "Ensure this value is greater than or equal to 0."),
        ("side", "middle", "Select a valid choice."),
        ("date", "2026-02-30", "Enter a valid date."),
    ],
)
def test_a_bad_block_is_refused_with_400_naming_the_problem(cast, field, value, message):
    before = counts()
    response = cast.client("alice").post(
        f"/records/{cast.patient.pk}/blocks/new", {**BLOCK, field: value}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"current_nrs": "14"}, "current_nrs"),
        ({"left_scn_distance": "far"}, "exam.left.scn.distance_mm"),
        ({"sb1": "1"}, "questionnaires.startback[1]"),
        ({"date": "yesterday"}, "Enter the visit date."),
    ],
)
def test_a_bad_visit_is_refused_with_400_naming_the_field(cast, fields, message):
    before = counts()
    data = {"date": "2026-11-10", **fields}
    response = cast.client("alice").post(f"/records/{cast.patient.pk}/visits/new", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_an_oversized_request_is_refused_and_saves_nothing(cast):
    before = counts()
    response = cast.client("alice").post(
        f"/records/{cast.patient.pk}/visits/new", {"date": "2026-11-10", "notes": "x" * 1_100_000}
    )
    assert response.status_code == 413
    assert "limit of 1,000,000 bytes (CLUNEAL_MAX_REQUEST_BYTES)" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_a_duplicate_record_number_is_refused(cast):
    before = counts()
    response = cast.client("alice").post(
        "/records/new", {"site": cast.site_a.pk, "record_number": "A-001", "sex": "male"}
    )
    assert response.status_code == 400
    assert "already has a patient with this number" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_a_clinician_cannot_create_a_patient_at_another_site(cast):
    before = counts()
    response = cast.client("bob").post(
        "/records/new", {"site": cast.site_a.pk, "record_number": "B-666", "sex": "male"}
    )
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["forged", "x" * 43, "..%2F..%2Fetc%2Fpasswd", "a" * 500])
def test_a_forged_token_opens_nothing(cast, token):
    before = counts()
    client = Client()
    assert client.get(f"/p/{token}").status_code == 404
    assert client.post(f"/p/{token}", {"date": "2026-11-03", "nrs": "3"}).status_code == 404
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2026-11-03", "nrs": "11"}, "from 0"),
        ({"date": "2026-11-03", "nrs": "lots"}, "from 0"),
        ({"date": "2026-10-01", "nrs": "3"}, "Choose one of the days"),
        ({"date": "2027-01-01", "nrs": "3"}, "Choose one of the days"),
    ],
)
def test_bad_diary_entries_are_refused(cast, data, message, time_machine):
    time_machine.move_to("2026-11-08 12:00:00+00:00")
    before = counts()
    response = Client().post(f"/p/{cast.token}", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_an_expired_link_answers_410(cast, time_machine):
    time_machine.move_to("2027-06-01 12:00:00+00:00")
    assert Client().get(f"/p/{cast.token}").status_code == 410
