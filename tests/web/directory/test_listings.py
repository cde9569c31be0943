"""Clinicians write their site's listings; nothing they save is public until reviewed."""

from __future__ import annotations

import pytest
from django.test import Client

from cluneal.web.audit.models import AuditEvent
from cluneal.web.directory.models import Listing, LocatedFrom, Status

LOGIN = 302

# fmt: off
#  path template             anon   alice bob  carol rita root
MATRIX = [
    ("/directory/",           200,   200, 200, 200, 200, 200),
    ("/directory/mine",       LOGIN, 200, 200, 200, 403, 403),
    ("/directory/new",        LOGIN, 200, 200, 200, 403, 403),
    ("/directory/{l}/edit",   LOGIN, 200, 404, 200, 403, 403),
    ("/directory/{l}/delete", LOGIN, 200, 404, 200, 403, 403),
    ("/directory/review",     LOGIN, 403, 403, 403, 403, 200),
    ("/directory/00000000-0000-4000-8000-000000000000/edit", LOGIN, 404, 404, 404, 403, 403),
]
# fmt: on
WHO = ("anonymous", "alice", "bob", "carol", "rita", "root")


def _cases():
    for path, *outcomes in MATRIX:
        for who, status in zip(WHO, outcomes, strict=True):
            yield pytest.param(path, who, status, id=f"{who}-{status}-{path}")


@pytest.mark.django_db
@pytest.mark.parametrize(("template", "who", "status"), list(_cases()))
def test_each_role_gets_exactly_its_outcome(cast, make_listing, template, who, status):
    listing = make_listing("Site A Clinic", 51.38, 1.39)
    response = cast.client(None if who == "anonymous" else who).get(template.format(l=listing.pk))
    assert response.status_code == status
    if status == LOGIN:
        assert response["Location"].startswith("/accounts/login?next=")


@pytest.mark.django_db
def test_alice_lists_a_clinic_in_margate_located_from_the_gazetteer(cast, form_data):
    response = cast.client("alice").post("/directory/new", {**form_data, "site": cast.site_a.pk})
    assert response.status_code == 302
    listing = Listing.objects.get()
    assert listing.site == cast.site_a and listing.created_by == cast.alice
    assert listing.status == Status.PENDING
    assert (round(listing.latitude, 2), round(listing.longitude, 2)) == (51.38, 1.39)
    assert listing.located_from == LocatedFrom.GAZETTEER
    assert listing.services == ["scn_block", "ultrasound_block"]
    assert listing.languages == ["English", "French"]


@pytest.mark.django_db
def test_a_new_listing_is_not_public_until_approved(cast, form_data):
    cast.client("alice").post("/directory/new", {**form_data, "site": cast.site_a.pk})
    page = Client().get("/directory/", {"q": "Margate, UK"}).content.decode()
    assert "Isle of Thanet Nerve Clinic" not in page


@pytest.mark.django_db
def test_save_as_draft_keeps_it_a_draft(cast, form_data):
    data = {**form_data, "site": cast.site_a.pk, "action": "draft"}
    cast.client("alice").post("/directory/new", data)
    assert Listing.objects.get().status == Status.DRAFT


@pytest.mark.django_db
def test_explicit_coordinates_win_over_the_city(cast, form_data):
    data = {**form_data, "site": cast.site_a.pk, "latitude": "51.36", "longitude": "1.43"}
    cast.client("alice").post("/directory/new", data)
    listing = Listing.objects.get()
    assert (listing.latitude, listing.longitude) == (51.36, 1.43)
    assert listing.located_from == LocatedFrom.ENTERED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"city": "Atlantis"}, "city", "No place called “Atlantis” in United Kingdom"),
        ({"city": "Boston", "country": "FR"}, "city", "in France"),
        ({"country": "XX"}, "country", "Select a valid choice"),
        ({"latitude": "51.3"}, "longitude", "Give both coordinates, or neither."),
        ({"latitude": "95", "longitude": "1"}, "latitude", "less than or equal to 90"),
        ({"latitude": "nan", "longitude": "1"}, "latitude", "Enter a number."),
        ({"services": []}, "services", "Choose at least one service."),
        ({"services": ["acupuncture"]}, "services", "Select a valid choice"),
        ({"languages": " , "}, "languages", "Name at least one language."),
        ({"languages": "English, <b>"}, "languages", "is not a language name"),
        ({"contact_url": "javascript:alert(1)"}, "contact_url", "Enter a web address"),
        ({"contact_url": "ftp://example.org/x"}, "contact_url", "Enter a web address"),
        ({"contact_url": "mailto:not an address"}, "contact_url", "mailto: followed by"),
        ({"display_name": ""}, "display_name", "This field is required."),
    ],
)
def test_bad_input_is_refused_with_the_field_named(cast, form_data, change, field, message):
    data = {**form_data, "site": cast.site_a.pk, **change}
    response = cast.client("alice").post("/directory/new", data)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not Listing.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_mailto_contact_is_accepted(cast, form_data):
    data = {**form_data, "site": cast.site_a.pk, "contact_url": "mailto:desk@example.org"}
    assert cast.client("alice").post("/directory/new", data).status_code == 302
    assert Listing.objects.get().contact_url == "mailto:desk@example.org"


@pytest.mark.django_db
def test_bob_cannot_list_for_site_a(cast, form_data):
    response = cast.client("bob").post("/directory/new", {**form_data, "site": cast.site_a.pk})
    assert response.status_code == 400
    assert not Listing.objects.exists()


@pytest.mark.django_db
def test_editing_an_approved_listing_unpublishes_it_until_approved_again(
    cast, make_listing, form_data
):
    listing = make_listing("Cliftonville Back Clinic", 51.389, 1.402, city="Margate")
    assert "Cliftonville" in Client().get("/directory/", {"q": "Margate, UK"}).content.decode()

    data = {**form_data, "display_name": "Cliftonville Back Clinic", "note": "Now on Fridays."}
    assert cast.client("alice").post(f"/directory/{listing.pk}/edit", data).status_code == 302
    listing.refresh_from_db()
    assert listing.status == Status.PENDING and listing.note == "Now on Fridays."
    assert "Cliftonville" not in Client().get("/directory/", {"q": "Margate, UK"}).content.decode()

    approve = {"decision": "approve"}
    assert cast.client("root").post(f"/directory/{listing.pk}/decision", approve).status_code == 302
    assert "Cliftonville" in Client().get("/directory/", {"q": "Margate, UK"}).content.decode()


@pytest.mark.django_db
def test_saving_a_published_listing_as_draft_also_unpublishes_it(cast, make_listing, form_data):
    listing = make_listing("Cliftonville Back Clinic", 51.389, 1.402)
    cast.client("carol").post(f"/directory/{listing.pk}/edit", {**form_data, "action": "draft"})
    listing.refresh_from_db()
    assert listing.status == Status.DRAFT and listing.reviewed_at is None


@pytest.mark.django_db
def test_bob_cannot_edit_or_delete_a_site_a_listing(cast, make_listing, form_data):
    listing = make_listing("Site A Clinic", 51.38, 1.39)
    client = cast.client("bob")
    assert client.post(f"/directory/{listing.pk}/edit", form_data).status_code == 404
    assert client.post(f"/directory/{listing.pk}/delete").status_code == 404
    listing.refresh_from_db()
    assert listing.display_name == "Site A Clinic" and listing.status == Status.APPROVED


@pytest.mark.django_db
def test_bob_does_not_see_site_a_listings_in_his_list(cast, make_listing):
    make_listing("Site A Clinic", 51.38, 1.39)
    assert "Site A Clinic" not in cast.client("bob").get("/directory/mine").content.decode()
    assert "Site A Clinic" in cast.client("alice").get("/directory/mine").content.decode()


@pytest.mark.django_db
def test_the_site_cannot_be_changed_on_edit(cast, make_listing, form_data):
    listing = make_listing("Site A Clinic", 51.38, 1.39)
    cast.client("alice").post(
        f"/directory/{listing.pk}/edit", {**form_data, "site": cast.site_b.pk}
    )
    listing.refresh_from_db()
    assert listing.site == cast.site_a


@pytest.mark.django_db
def test_alice_deletes_her_sites_listing(cast, make_listing):
    listing = make_listing("Site A Clinic", 51.38, 1.39)
    assert cast.client("alice").post(f"/directory/{listing.pk}/delete").status_code == 302
    assert not Listing.objects.exists()


@pytest.mark.django_db
def test_create_edit_and_delete_are_audited_at_the_listings_site(cast, form_data):
    client = cast.client("alice")
    client.post("/directory/new", {**form_data, "site": cast.site_a.pk})
    listing = Listing.objects.get()
    client.post(f"/directory/{listing.pk}/edit", {**form_data, "specialty": "Spine surgery"})
    client.post(f"/directory/{listing.pk}/delete")
    events = list(AuditEvent.objects.order_by("at", "id"))
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert {e.object_type for e in events} == {"listing"}
    assert {e.object_id for e in events} == {str(listing.pk)}
    assert {e.site_id for e in events} == {cast.site_a.pk}
    assert {e.actor for e in events} == {"alice"}
    assert events[1].changes["specialty"] == {"from": "Pain medicine", "to": "Spine surgery"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/directory/new", "/directory/{l}/edit", "/directory/{l}/delete"])
def test_posts_without_a_csrf_token_are_refused(cast, make_listing, form_data, path):
    listing = make_listing("Site A Clinic", 51.38, 1.39)
    client = cast.client("alice", csrf=True)
    response = client.post(path.format(l=listing.pk), {**form_data, "site": cast.site_a.pk})
    assert response.status_code == 403
    listing.refresh_from_db()
    assert Listing.objects.count() == 1 and listing.status == Status.APPROVED


@pytest.mark.django_db
def test_anonymous_cannot_create_a_listing(cast, form_data):
    response = Client().post("/directory/new", {**form_data, "site": cast.site_a.pk})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login?next=/directory/new")
    assert not Listing.objects.exists()


@pytest.mark.django_db
def test_the_edit_form_shows_the_saved_values(cast, make_listing):
    listing = make_listing("Site A Clinic", 51.38, 1.39, languages=["English", "Welsh"])
    form = cast.client("alice").get(f"/directory/{listing.pk}/edit").context["form"]
    assert form.initial["languages"] == "English, Welsh"
    assert form.initial["services"] == ["scn_block"]
    assert form.initial["latitude"] == 51.38  # entered coordinates are shown for editing
