"""Nothing entered on the public pages is kept: no database row, no session, no cookie, no
cache; and a self-check posted from another site is refused (the cookie-free CSRF check)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

FLAGS_NO = {
    "flag_saddle_anaesthesia": "no",
    "flag_bladder_or_bowel_dysfunction": "no",
    "flag_progressive_neurological_deficit": "no",
    "flag_suspected_infection": "no",
    "flag_suspected_malignancy": "no",
    "flag_suspected_fracture": "no",
}
TYPICAL = {
    "where": ["low_back"],
    "press_crest": "yes",
    "press_sacrum": "unsure",
    "worse_with": ["standing"],
    "duration": "long",
    **FLAGS_NO,
}
URGENT = {**TYPICAL, "flag_saddle_anaesthesia": "yes"}
PAGES = ["/learn/", "/learn/exam", "/learn/treatment", "/learn/self-check"]


def row_counts() -> dict[str, int]:
    """Rows in the table of every installed model (that has a table in this database)."""
    tables = set(connection.introspection.table_names())
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models(include_auto_created=True)
        if m._meta.db_table in tables
    }


@pytest.fixture
def client() -> Client:
    return Client()


def visit_everything(client: Client) -> list:
    responses = [client.get(p) for p in PAGES]
    responses += [client.post("/learn/self-check", data) for data in (TYPICAL, URGENT, {})]
    return responses


@pytest.mark.django_db
def test_no_row_is_written_by_reading_or_by_the_self_check(client):
    before = row_counts()
    assert "sessions.Session" in before and "audit.AuditEvent" in before
    statuses = [r.status_code for r in visit_everything(client)]
    assert statuses == [200, 200, 200, 200, 200, 200, 400]
    assert row_counts() == before


@pytest.mark.django_db
def test_no_cookie_is_set(client):
    for response in visit_everything(client):
        assert "Set-Cookie" not in response.headers, response.wsgi_request.path
        assert not response.cookies
    assert not client.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, TYPICAL, URGENT, {}])
def test_the_self_check_is_never_cached(client, data):
    response = (
        client.get("/learn/self-check") if data is None else client.post("/learn/self-check", data)
    )
    cache = response.headers["Cache-Control"]
    assert "no-store" in cache and "private" in cache


@pytest.mark.django_db
def test_the_result_page_does_not_put_the_answers_in_any_address(client):
    html = client.post("/learn/self-check", TYPICAL).content.decode()
    assert 'action="/learn/self-check"' in html
    assert "press_crest=" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://elsewhere.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://testserver"},
    ],
)
def test_a_post_from_another_site_is_refused(client, headers):
    response = client.post("/learn/self-check", TYPICAL, **headers)
    assert response.status_code == 403
    assert b"data-outcome" not in response.content


@pytest.mark.django_db
def test_a_post_from_this_site_is_answered_without_a_csrf_cookie():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/learn/self-check",
        TYPICAL,
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 200
    assert b'data-outcome="ask"' in response.content


@pytest.mark.django_db
def test_a_trusted_origin_from_the_settings_is_accepted(client, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://cluneal.example.org"]
    response = client.post("/learn/self-check", TYPICAL, HTTP_ORIGIN="https://cluneal.example.org")
    assert response.status_code == 200
