"""Who may see registry analytics, of which sites: every role against every registry URL."""

from __future__ import annotations

import csv
import io

import pytest

URLS = ["/registry/", "/registry/tables/flow.csv", "/registry/figures/km_block.svg"]


@pytest.mark.parametrize("url", URLS)
def test_an_anonymous_visitor_is_sent_to_sign_in(cast, url):
    response = cast.client(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login?next=/registry/")


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_a_clinician_gets_403(cast, url, who):
    assert cast.client(who).get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("who", ["rita", "carol", "dave", "erin", "root"])
def test_researchers_administrators_and_superusers_get_their_analytics(cast, url, who):
    assert cast.client(who).get(url).status_code == 200


def flow_csv(client, query: str = "") -> dict[str, dict[str, str]]:
    text = client.get("/registry/tables/flow.csv" + query).content.decode()
    return {row["step"]: row for row in csv.DictReader(io.StringIO(text))}


def test_a_researcher_sees_the_aggregates_of_her_own_site_only(cast, exact):
    rita = cast.client("rita")
    page = rita.get("/registry/").content.decode()
    assert "Site A" in page and "Site B" not in page
    assert '<dd id="patients">3</dd>' in page
    assert flow_csv(rita)["Assessed"]["scn_n"] == "2"  # site A: two examined patients


def test_a_site_of_someone_else_is_refused_whether_or_not_it_exists(cast, exact):
    rita = cast.client("rita")
    for site in (cast.site_b.pk, "00000000-0000-0000-0000-000000000000"):
        response = rita.get(f"/registry/tables/flow.csv?site={site}")
        assert response.status_code == 400
        assert response.content.decode() == "Bad filter: site: Choose one of your sites."


def test_a_user_of_several_sites_may_choose_all_of_them_or_one(cast, exact):
    dave = cast.client("dave")
    assert flow_csv(dave, "?site=all")["Assessed"]["scn_n"] == "8"
    assert flow_csv(dave, f"?site={cast.site_b.pk}")["Assessed"]["scn_n"] == "6"
    assert flow_csv(dave)["Assessed"]["scn_n"] == "8"  # all is the default


def test_a_superuser_sees_every_site(cast):
    page = cast.client("root").get("/registry/?site=all").content.decode()
    assert '<dd id="patients">9</dd>' in page
    assert "Site A, Site B, Site C" in page


def test_no_record_is_shown_on_the_page_or_in_the_tables(cast, exact):
    rita = cast.client("rita")
    text = rita.get("/registry/").content.decode()
    text += "".join(
        rita.get(f"/registry/tables/{name}.csv").content.decode()
        for name in ("flow", "km_block", "km_surgery", "surgery_by_relief", "questionnaires")
    )
    assert "A-00" not in text and "/records/" not in text
