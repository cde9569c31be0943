"""The clinician directory in Chromium against a real server: a patient searches by place,
a clinician lists a clinic, a superuser approves it, and only then can patients find it.

The server is the demo (its three fictional listings near Boston and Margate) with a reviewer
account, in a database of its own.
"""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import Page, expect

SETUP = """
import secrets
from django.contrib.auth import get_user_model
password = secrets.token_urlsafe(16)
get_user_model().objects.create_superuser("reviewer", password=password)
print(f"reviewer=reviewer\\nreviewer_password={password}")
"""


@pytest.fixture(scope="module")
def directory_server(server_with_setup: tuple[str, dict[str, str]]) -> dict[str, str]:
    """The demo server (its listings near Boston and Margate) with a reviewer account."""
    url, creds = server_with_setup
    return {"url": url, **creds}


def law_of_cosines_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cos = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return math.acos(min(1.0, cos)) * 6371.0088


def search(page: Page, server: str, query: str) -> None:
    page.goto(server + "/directory/")
    page.fill("#q", query)
    page.click("form.directory-search button[type=submit]")


def first_result(page: Page):
    return page.locator("ol.listings > li").first


def sign_in(page: Page, server: str, username: str, password: str, then: str) -> None:
    page.goto(f"{server}/accounts/login?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def test_margate_uk_shows_the_margate_listing_first_with_its_distance(page: Page, directory_server):
    search(page, directory_server["url"], "Margate, UK")
    expect(page.locator("#results-heading")).to_contain_text(
        "within 100 km of Margate, England, United Kingdom"
    )
    first = first_result(page)
    expect(first.locator("h3")).to_have_text("Thanet Back Nerve Clinic (fictional)")
    # GeoNames' Margate (51.38132, 1.38617) to the demo clinic (51.3870, 1.3950).
    km = round(law_of_cosines_km(51.38132, 1.38617, 51.3870, 1.3950), 1)
    expect(first.locator(".distance")).to_have_text(f"{km:g} km away")
    second = page.locator("ol.listings > li").nth(1)
    expect(second.locator("h3")).to_have_text("Canterbury Spine and Nerve Surgery (fictional)")
    expect(page.locator("ol.listings > li")).to_have_count(2)


def test_boston_finds_the_boston_listing_and_offers_the_english_boston(
    page: Page, directory_server
):
    search(page, directory_server["url"], "Boston")
    expect(first_result(page).locator("h3")).to_have_text(
        "Back Bay Cluneal Nerve Service (fictional)"
    )
    page.click("text=Boston, England, United Kingdom")
    expect(page.locator("#results-heading")).to_contain_text("No listing within 100 km")


def test_a_misspelt_town_offers_a_suggestion_that_works(page: Page, directory_server):
    search(page, directory_server["url"], "Margat, UK")
    expect(page.locator("#q-error")).to_contain_text("No place called “Margat, UK”")
    page.click("a:has-text('Margate, England, United Kingdom')")
    expect(first_result(page).locator("h3")).to_have_text("Thanet Back Nerve Clinic (fictional)")


def test_miles_and_a_service_filter(page: Page, directory_server):
    page.goto(directory_server["url"] + "/directory/")
    page.fill("#q", "Margate, UK")
    page.select_option("#unit", "mi")
    page.select_option("#service", "surgical_release")
    page.click("form.directory-search button[type=submit]")
    expect(page.locator("ol.listings > li")).to_have_count(1)
    first = first_result(page)
    expect(first.locator("h3")).to_have_text("Canterbury Spine and Nerve Surgery (fictional)")
    miles = law_of_cosines_km(51.38132, 1.38617, 51.2760, 1.0800) / 1.609344
    assert miles >= 10  # shown as a whole number from 10 up
    expect(first.locator(".distance")).to_have_text(f"{round(miles)} mi away")


def test_bad_coordinates_are_explained_beside_the_field(page: Page, directory_server):
    page.goto(directory_server["url"] + "/directory/")
    page.click("summary:has-text('Search by coordinates instead')")
    page.fill("#lat", "123")
    page.fill("#lon", "1.39")
    page.click("form.directory-search button[type=submit]")
    expect(page.locator("#lat-error")).to_have_text("The latitude must be from -90 to 90 degrees.")
    expect(page.locator("#lat")).to_have_attribute("aria-invalid", "true")


def test_a_listing_is_public_only_after_the_reviewer_approves_it(
    browser, page: Page, directory_server
):
    server = directory_server["url"]
    sign_in(
        page, server, directory_server["clinician"], directory_server["password"], "/directory/mine"
    )
    page.click("text=New listing")
    page.fill("#id_display_name", "Ramsgate Harbour Nerve Practice")
    page.fill("#id_specialty", "Physiotherapy")
    page.check("input[name=services][value=scn_block]")
    page.fill("#id_languages", "English, Polish")
    page.fill("#id_city", "Ramsgate")
    page.select_option("#id_country", "GB")
    page.fill("#id_contact_url", "https://example.org/ramsgate")
    page.click("button:has-text('Submit for review')")
    row = page.locator("tr", has_text="Ramsgate Harbour Nerve Practice")
    expect(row).to_contain_text("Waiting for review")

    public = browser.new_context().new_page()
    search(public, server, "Ramsgate, UK")
    expect(public.locator("#results-heading")).to_be_visible()
    expect(public.locator("text=Ramsgate Harbour Nerve Practice")).to_have_count(0)

    reviewer = browser.new_context().new_page()
    sign_in(
        reviewer,
        server,
        directory_server["reviewer"],
        directory_server["reviewer_password"],
        "/directory/review",
    )
    item = reviewer.locator("section.review-item", has_text="Ramsgate Harbour Nerve Practice")
    item.locator("button:has-text('Approve and publish')").click()
    expect(reviewer.locator("section.review-item")).to_have_count(0)

    search(public, server, "Ramsgate, UK")
    expect(first_result(public).locator("h3")).to_have_text("Ramsgate Harbour Nerve Practice")
    expect(first_result(public)).to_contain_text("English, Polish")
    page.reload()
    expect(row).to_contain_text("Published")
