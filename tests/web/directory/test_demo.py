"""The demo clinic's fictional listings: created once, approved, found from the examples."""

from __future__ import annotations

import pytest
from django.test import Client

from cluneal.web.accounts.models import Site
from cluneal.web.directory.demo import seed_demo_listings
from cluneal.web.directory.models import Listing, Status
from cluneal.web.records.demo import SITE_NAME


@pytest.mark.django_db
def test_it_creates_three_approved_fictional_listings_once():
    first = seed_demo_listings()
    second = seed_demo_listings()
    assert [x.pk for x in first] == [x.pk for x in second]
    assert Listing.objects.count() == 3
    assert Site.objects.filter(name=SITE_NAME).count() == 1
    for listing in Listing.objects.all():
        assert listing.status == Status.APPROVED
        assert listing.site.name == SITE_NAME
        assert "(fictional)" in listing.display_name
        assert "example.org" in listing.contact_url


@pytest.mark.django_db
def test_the_demo_answers_boston_and_margate():
    seed_demo_listings()
    boston = Client().get("/directory/search.json", {"q": "Boston"}).json()["results"]
    margate = Client().get("/directory/search.json", {"q": "Margate, UK"}).json()["results"]
    assert [r["name"] for r in boston] == ["Back Bay Cluneal Nerve Service (fictional)"]
    assert [r["name"] for r in margate] == [
        "Thanet Back Nerve Clinic (fictional)",
        "Canterbury Spine and Nerve Surgery (fictional)",
    ]
