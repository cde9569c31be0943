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


# -- free text never enters the trail ---------------------------------------------------------

SECRET = "Jane Roe, 12 Elm Street, HIV+, wife unaware"


def _free_text_fields():
    from django.apps import apps

    from cluneal.web.audit.log import free_text

    for model in apps.get_models():
        if model.__module__.startswith("cluneal."):
            for f in model._meta.concrete_fields:
                if free_text(f):
                    yield model, f


def test_every_free_text_field_of_every_model_is_recorded_as_changed_only():
    from cluneal.web.audit.log import diff, snapshot

    fields = list(_free_text_fields())
    names = {f"{m._meta.model_name}.{f.name}" for m, f in fields}
    assert {"visit.notes", "patient.name", "patient.contact", "block.agent"} <= names
    assert "patient.record_number" not in names
    for model, field in fields:
        obj = model()
        setattr(obj, field.attname, SECRET)
        before = snapshot(model())
        for changes in (diff({}, snapshot(obj)), diff(before, snapshot(obj))):
            assert changes[field.name] == {"changed": True}, (model, field.name)
            assert SECRET not in str(changes), (model, field.name)


@pytest.mark.django_db
def test_visit_notes_and_other_free_text_never_reach_the_trail(cast):
    alice = cast.client("alice")
    p = cast.patient.pk
    alice.post(f"/records/{p}/visits/new", {"date": "2026-11-10", "notes": SECRET})
    visit = cast.patient.visits.get(date="2026-11-10")
    alice.post(f"/records/{p}/visits/{visit.pk}/edit", {"date": "2026-11-10", "notes": SECRET * 2})
    alice.post(
        f"/records/{p}/edit",
        {"record_number": "A-001", "sex": "female", "name": SECRET, "contact": SECRET},
    )
    block = {"date": "2026-11-03", "nerve": "scn", "side": "left", "nrs_before": 8}
    alice.post(f"/records/{p}/blocks/new", {**block, "nrs_after": 2, "agent": SECRET})
    alice.post(f"/records/{p}/blocks/{cast.block.pk}/edit", {**block, "nrs_after": 3})
    alice.post(f"/records/{p}/blocks/{cast.block.pk}/delete")
    alice.post(f"/records/{p}/visits/{visit.pk}/edit", {"date": "2026-11-10", "notes": ""})
    changed = [e.changes for e in entries(action__in=["create", "update", "delete"])]
    assert len(changed) == 7
    assert all(SECRET not in str(c) and "Jane" not in str(c) for c in changed)
    visit_entries = entries(object_type="visit", action__in=["create", "update"])
    assert [e.changes.get("notes") for e in visit_entries] == [{"changed": True}] * 3
    assert entries(action="update", object_type="patient")[0].changes["name"] == {"changed": True}
