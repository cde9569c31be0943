"""The audit trail: an entry for each kind of access, and no way to change it."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from cluneal.web.audit.models import AuditEvent


def entries(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


@pytest.mark.django_db
def test_viewing_a_patient_is_recorded_with_who_and_which_patient(cast):
    cast.client("alice").get(f"/records/{cast.patient.pk}/")
    [event] = entries(action="view", object_type="patient")
    assert (event.actor, event.patient_id, event.record_number) == (
        "alice",
        cast.patient.pk,
        "A-001",
    )
    assert event.site == cast.site_a


@pytest.mark.django_db
def test_viewing_the_patient_list_is_recorded(cast):
    cast.client("alice").get("/records/?q=A-")
    [event] = entries(action="view", actor="alice")
    assert event.changes["query"] == "A-"


@pytest.mark.django_db
def test_creating_a_patient_is_recorded_with_its_values(cast):
    cast.client("alice").post(
        "/records/new", {"site": cast.site_a.pk, "record_number": "A-002", "sex": "male"}
    )
    [event] = entries(action="create", object_type="patient")
    assert event.record_number == "A-002"
    assert event.changes["record_number"] == {"from": None, "to": "A-002"}


@pytest.mark.django_db
def test_a_change_records_what_changed_and_masks_identifiable_values(cast):
    cast.client("alice").post(
        f"/records/{cast.patient.pk}/edit",
        {"record_number": "A-001", "birth_year": 1961, "sex": "female", "name": "Jane Roe"},
    )
    [event] = entries(action="update", object_type="patient")
    assert event.changes["birth_year"] == {"from": 1960, "to": 1961}
    assert event.changes["name"] == {"changed": True}
    assert "Jane Roe" not in str(event.changes)


@pytest.mark.django_db
def test_saving_a_visit_is_recorded(cast):
    cast.client("alice").post(
        f"/records/{cast.patient.pk}/visits/new", {"date": "2026-11-10", "current_nrs": "4"}
    )
    [event] = entries(action="create", object_type="visit")
    assert event.changes["current_nrs"] == {"from": None, "to": 4}


@pytest.mark.django_db
def test_deleting_a_block_is_recorded(cast):
    cast.client("alice").post(f"/records/{cast.patient.pk}/blocks/{cast.block.pk}/delete")
    [event] = entries(action="delete", object_type="block")
    assert event.changes["nrs_before"] == {"from": 8, "to": None}


@pytest.mark.django_db
def test_printing_and_the_api_are_recorded(cast):
    client = cast.client("carol")
    client.get(f"/records/{cast.patient.pk}/summary.pdf")
    client.get(f"/api/v1/patients/{cast.patient.pk}/assessment")
    assert [e.action for e in entries(actor="carol")] == ["print", "view"]


@pytest.mark.django_db
def test_a_patient_link_entry_is_recorded_as_the_link_not_a_user(cast, time_machine):
    time_machine.move_to("2026-11-08 12:00:00+00:00")
    Client().post(f"/p/{cast.token}", {"date": "2026-11-03", "nrs": "3"})
    [event] = entries(action="patient_link")
    assert event.actor.startswith("patient link ")
    assert event.user is None
    assert event.patient_id == cast.patient.pk


@pytest.mark.django_db
def test_logins_and_failed_logins_are_recorded(cast):
    Client().post("/accounts/login", {"username": "alice", "password": "wrong"})
    Client().post("/accounts/login", {"username": "alice", "password": cast.password})
    assert [e.action for e in entries(actor="alice")] == ["login_failed", "login"]


@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_an_entry(cast):
    cast.client("alice").get(f"/records/{cast.patient.pk}/")
    event = AuditEvent.objects.get(action="view", object_type="patient")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor="mallory")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).actor == "alice"


@pytest.mark.django_db
def test_the_site_admin_searches_the_trail_of_their_own_sites_only(cast):
    cast.client("alice").get(f"/records/{cast.patient.pk}/")
    cast.client("bob").get("/records/")
    html = cast.client("carol").get("/site/audit?actor=alice&action=view").content.decode()
    assert "A-001" in html
    assert "<td>alice</td>" in html
    assert "<td>bob</td>" not in cast.client("carol").get("/site/audit").content.decode()
