"""Only a superuser publishes or withdraws a listing; each decision is audited."""

from __future__ import annotations

import pytest
from django.test import Client

from cluneal.web.audit.models import AuditEvent
from cluneal.web.directory.models import Listing, Status


def decide(client: Client, listing: Listing, decision: str, note: str = "") -> int:
    response = client.post(
        f"/directory/{listing.pk}/decision", {"decision": decision, "note": note}
    )
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("carol", 403), ("bob", 403)])
def test_only_a_superuser_approves(cast, make_listing, who, status):
    listing = make_listing("Waiting Clinic", 51.38, 1.39, Status.PENDING)
    assert decide(cast.client(who), listing, "approve") == status
    listing.refresh_from_db()
    assert listing.status == Status.PENDING


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(cast, make_listing):
    listing = make_listing("Waiting Clinic", 51.38, 1.39, Status.PENDING)
    response = Client().post(f"/directory/{listing.pk}/decision", {"decision": "approve"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login")
    listing.refresh_from_db()
    assert listing.status == Status.PENDING


@pytest.mark.django_db
def test_an_inactive_superuser_is_refused(cast, make_listing):
    listing = make_listing("Waiting Clinic", 51.38, 1.39, Status.PENDING)
    client = cast.client("root")
    cast.root.is_active = False
    cast.root.save()
    assert decide(client, listing, "approve") == 302  # no longer signed in
    listing.refresh_from_db()
    assert listing.status == Status.PENDING


@pytest.mark.django_db
def test_the_superuser_approves_and_the_listing_is_published(cast, make_listing):
    listing = make_listing("Waiting Clinic", 51.38, 1.39, Status.PENDING)
    page = cast.client("root").get("/directory/review").content.decode()
    assert "Waiting Clinic" in page and "Site A" in page
    assert decide(cast.client("root"), listing, "approve") == 302
    listing.refresh_from_db()
    assert listing.status == Status.APPROVED
    assert listing.reviewed_by == cast.root and listing.reviewed_at is not None
    assert "Waiting Clinic" in Client().get("/directory/", {"q": "Margate, UK"}).content.decode()


@pytest.mark.django_db
def test_a_rejection_carries_a_note_the_clinician_sees(cast, make_listing):
    listing = make_listing("Waiting Clinic", 51.38, 1.39, Status.PENDING)
    assert decide(cast.client("root"), listing, "reject", "The link does not work.") == 302
    listing.refresh_from_db()
    assert listing.status == Status.REJECTED
    assert "The link does not work." in cast.client("alice").get("/directory/mine").content.decode()


@pytest.mark.django_db
def test_withdrawing_a_published_listing_removes_it_from_search(cast, make_listing):
    listing = make_listing("Published Clinic", 51.38, 1.39)
    assert decide(cast.client("root"), listing, "reject") == 302
    page = Client().get("/directory/", {"q": "Margate, UK"}).content.decode()
    assert "Published Clinic" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "decision"),
    [
        (Status.DRAFT, "approve"),
        (Status.DRAFT, "reject"),
        (Status.REJECTED, "approve"),
        (Status.APPROVED, "approve"),
    ],
)
def test_decisions_that_do_not_apply_are_refused(cast, make_listing, status, decision):
    listing = make_listing("Some Clinic", 51.38, 1.39, status)
    assert decide(cast.client("root"), listing, decision) == 409
    listing.refresh_from_db()
    assert listing.status == status
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_unknown_decision_is_a_400_naming_it(cast, make_listing):
    listing = make_listing("Waiting Clinic", 51.38, 1.39, Status.PENDING)
    response = cast.client("root").post(f"/directory/{listing.pk}/decision", {"decision": "maybe"})
    assert response.status_code == 400
    assert "decision: choose approve or reject." in response.content.decode()


@pytest.mark.django_db
def test_a_decision_on_a_missing_listing_is_404(cast):
    url = "/directory/00000000-0000-4000-8000-000000000000/decision"
    assert cast.client("root").post(url, {"decision": "approve"}).status_code == 404


@pytest.mark.django_db
def test_a_decision_without_a_csrf_token_is_refused(cast, make_listing):
    listing = make_listing("Waiting Clinic", 51.38, 1.39, Status.PENDING)
    assert decide(cast.client("root", csrf=True), listing, "approve") == 403
    listing.refresh_from_db()
    assert listing.status == Status.PENDING


@pytest.mark.django_db
def test_decisions_are_audited_at_the_listings_site(cast, make_listing):
    listing = make_listing("Waiting Clinic", 51.38, 1.39, Status.PENDING)
    decide(cast.client("root"), listing, "approve")
    decide(cast.client("root"), listing, "reject", "Closed.")
    events = list(AuditEvent.objects.order_by("at", "id"))
    assert [(e.actor, e.action, e.changes["decision"]) for e in events] == [
        ("root", "update", "approve"),
        ("root", "update", "reject"),
    ]
    assert events[0].changes["status"] == {"from": "pending", "to": "approved"}
    assert events[1].changes["status"] == {"from": "approved", "to": "rejected"}
    assert {e.site_id for e in events} == {cast.site_a.pk}


@pytest.mark.django_db
def test_a_decision_is_a_post(cast, make_listing):
    listing = make_listing("Waiting Clinic", 51.38, 1.39, Status.PENDING)
    assert cast.client("root").get(f"/directory/{listing.pk}/decision").status_code == 405
