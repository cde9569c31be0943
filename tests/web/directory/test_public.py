"""The public search page and its JSON twin: no login, approved listings only, nothing stored.

The network is refused for every test here (see conftest.no_network): place names are
resolved from the packaged gazetteer.
"""

from __future__ import annotations

import math

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from cluneal.web.audit.models import AuditEvent
from cluneal.web.directory.models import Status


def law_of_cosines_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """An independent great-circle formula to check the distances shown."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cos = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return math.acos(min(1.0, cos)) * 6371.0088


@pytest.fixture
def listings(make_listing):
    return {
        "boston": make_listing("Charles River Nerve Clinic", 42.3601, -71.0589, city="Boston"),
        "margate": make_listing("Cliftonville Back Clinic", 51.3890, 1.4020, city="Margate"),
        "canterbury": make_listing("Canterbury Cluneal Service", 51.2802, 1.0789),
        "draft": make_listing("Draft Clinic Near Boston", 42.36, -71.06, Status.DRAFT),
        "pending": make_listing("Pending Clinic Near Boston", 42.36, -71.06, Status.PENDING),
        "rejected": make_listing("Rejected Clinic Near Boston", 42.36, -71.06, Status.REJECTED),
    }


def html(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_boston_finds_the_listing_near_boston_massachusetts(cast, listings):
    response = Client().get("/directory/", {"q": "Boston"})
    assert response.status_code == 200
    page = html(response)
    assert "Charles River Nerve Clinic" in page
    assert "of Boston, Massachusetts, United States" in page
    assert "Cliftonville Back Clinic" not in page  # 5,000 km away


@pytest.mark.django_db
def test_margate_uk_finds_the_margate_listing_first_with_its_distance(cast, listings):
    response = Client().get("/directory/", {"q": "Margate, UK"})
    page = html(response)
    expected = law_of_cosines_km(51.38132, 1.38617, 51.3890, 1.4020)  # GeoNames Margate
    assert 1.0 < expected < 1.5
    assert page.index("Cliftonville Back Clinic") < page.index("Canterbury Cluneal Service")
    assert f"<strong>{round(expected, 1)} km</strong>" in page
    assert "Charles River Nerve Clinic" not in page


@pytest.mark.django_db
def test_unapproved_listings_never_appear_in_the_page(cast, listings):
    for params in ({"q": "Boston"}, {"lat": "42.36", "lon": "-71.06", "radius": "20040"}):
        page = html(Client().get("/directory/", params))
        assert "Charles River Nerve Clinic" in page
        for name in ("Draft Clinic", "Pending Clinic", "Rejected Clinic"):
            assert name not in page


@pytest.mark.django_db
def test_unapproved_listings_never_appear_in_the_json(cast, listings):
    body = Client().get("/directory/search.json", {"q": "Boston", "radius": "20040"}).json()
    names = [r["name"] for r in body["results"]]
    assert names[0] == "Charles River Nerve Clinic"
    assert set(names) == {
        "Charles River Nerve Clinic",
        "Cliftonville Back Clinic",
        "Canterbury Cluneal Service",
    }


@pytest.mark.django_db
def test_the_json_gives_distances_in_the_unit_asked(cast, listings):
    body = Client().get("/directory/search.json", {"q": "Margate, UK", "unit": "mi"}).json()
    assert body["origin"]["label"] == "Margate, England, United Kingdom"
    assert body["unit"] == "mi" and body["radius"] == 100
    first = body["results"][0]
    assert first["name"] == "Cliftonville Back Clinic"
    expected_mi = law_of_cosines_km(51.38132, 1.38617, 51.3890, 1.4020) / 1.609344
    assert first["distance"] == round(expected_mi, 1)
    assert first["services"] == ["scn_block"]
    assert "GeoNames" in body["attribution"] and "CC BY 4.0" in body["attribution"]


@pytest.mark.django_db
def test_service_and_language_filters_apply(cast, make_listing):
    make_listing("Surgeons of Thanet", 51.38, 1.39, services=["surgical_release"])
    make_listing("Bilingual Blocks", 51.39, 1.39, languages=["English", "French"])
    url = "/directory/search.json"
    by_service = Client().get(url, {"q": "Margate, UK", "service": "surgical_release"}).json()
    by_language = Client().get(url, {"q": "Margate, UK", "language": "FRENCH"}).json()
    assert [r["name"] for r in by_service["results"]] == ["Surgeons of Thanet"]
    assert [r["name"] for r in by_language["results"]] == ["Bilingual Blocks"]


@pytest.mark.django_db
def test_the_contact_link_opens_apart_and_passes_no_referrer(cast, listings):
    page = html(Client().get("/directory/", {"q": "Boston"}))
    assert (
        '<a class="contact" href="https://example.org/clinic" '
        'rel="nofollow noopener noreferrer" target="_blank">'
    ) in page


@pytest.mark.django_db
def test_the_page_attributes_geonames(cast):
    page = html(Client().get("/directory/"))
    assert '<a href="https://www.geonames.org/">GeoNames</a>' in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page


@pytest.mark.django_db
def test_nothing_nearby_offers_a_wider_search(cast, listings):
    page = html(Client().get("/directory/", {"q": "Margate, UK", "radius": "5"}))
    assert "1 listing within 5 km" in page
    page = html(Client().get("/directory/", {"q": "Paris, France", "radius": "50"}))
    assert "No listing within 50 km of Paris" in page
    # Paris (48.85341, 2.3488) to the nearer of the Kent clinics (Canterbury), independently.
    nearest = min(
        law_of_cosines_km(48.85341, 2.3488, 51.3890, 1.4020),
        law_of_cosines_km(48.85341, 2.3488, 51.2802, 1.0789),
    )
    assert f"The nearest matching listing is {round(nearest)} km away" in page
    assert "Search within" in page


@pytest.mark.django_db
def test_boston_offers_the_english_boston_too(cast, listings):
    page = html(Client().get("/directory/", {"q": "Boston"}))
    assert "Other places with this name" in page
    assert "Boston, England, United Kingdom" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": "91", "lon": "0"}, "lat"),
        ({"lat": "0", "lon": "-181"}, "lon"),
        ({"lat": "abc", "lon": "0"}, "lat"),
        ({"q": "Boston", "radius": "0"}, "radius"),
        ({"q": "Boston", "radius": "-10"}, "radius"),
        ({"q": "Boston", "radius": "ten"}, "radius"),
        ({"q": "Boston", "unit": "furlong"}, "unit"),
        ({"q": "Boston", "service": "massage"}, "service"),
        ({"q": "Boston", "lat": "42", "lon": "-71"}, "lat"),
        ({"q": "Narnia"}, "q"),
        ({}, "q"),
    ],
)
def test_bad_json_searches_get_400_naming_the_field(cast, params, field):
    response = Client().get("/directory/search.json", params)
    assert response.status_code == 400
    assert field in [p["path"] for p in response.json()["problems"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lat": "91", "lon": "0"}, "The latitude must be from -90 to 90 degrees."),
        ({"q": "Boston", "radius": "0"}, "Enter a distance above 0 and at most 20,040 km."),
        ({"q": "Narnia"}, "No place called “Narnia”"),
        ({"q": "Margate, Narnia"}, "No country, US state or UK nation called “Narnia”"),
    ],
)
def test_bad_page_searches_get_400_with_the_message_beside_the_field(cast, params, message):
    response = Client().get("/directory/", params)
    assert response.status_code == 400
    assert message in html(response)


@pytest.mark.django_db
def test_an_unknown_town_suggests_similar_names(cast):
    response = Client().get("/directory/search.json", {"q": "Margat, UK"})
    assert response.json()["suggestions"] == ["Margate, United Kingdom"]
    page = html(Client().get("/directory/", {"q": "Margat, UK"}))
    assert '<a href="?q=Margate%2C%20United%20Kingdom">Margate, England, United Kingdom</a>' in page


@pytest.mark.django_db
def test_searching_stores_nothing_about_the_searcher(cast, listings):
    events, sessions = AuditEvent.objects.count(), Session.objects.count()
    for url in ("/directory/", "/directory/search.json"):
        response = Client().get(url, {"q": "Margate, UK", "language": "English"})
        assert response.status_code == 200
        assert response.cookies == {}
    assert AuditEvent.objects.count() == events
    assert Session.objects.count() == sessions


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/directory/", "/directory/search.json"])
def test_search_is_read_only(cast, url):
    assert Client().post(url, {"q": "Boston"}).status_code == 405
