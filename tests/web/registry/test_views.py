"""The analytics page, its downloads, bad filters, small-cell suppression and the audit."""

from __future__ import annotations

import csv
import io

import pytest

from cluneal.web.audit.models import AuditEvent


def rows(response) -> dict[str, dict[str, str]]:
    return {r[next(iter(r))]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}


def test_the_page_shows_inline_svg_figures_without_inline_styles(cast):
    response = cast.client("carol").get("/registry/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="plot" role="img"') == 7
    assert 'id="figure-km_block"' in page and 'id="table-km_block_at_risk"' in page
    assert " style=" not in page.split("<main", 1)[1]
    assert response["Cache-Control"] == "no-store"


def test_the_page_names_the_sources_and_marks_expert_opinion(cast):
    page = cast.client("carol").get("/registry/").content.decode()
    assert 'href="/evidence#S1"' in page and 'href="/evidence#E6"' in page
    assert '<span class="grade grade-expert_opinion">expert opinion</span>' in page


def test_an_administrator_sees_exact_counts(cast):
    table = rows(cast.client("carol").get("/registry/tables/flow.csv"))
    assert table["Assessed"]["scn_n"] == "2"
    assert table["Block-confirmed"]["scn_n"] == "2"
    assert table["Repeated blocks"]["scn_n"] == "1"
    assert table["Operated"]["scn_n"] == "1"
    assert table["Operated"]["scn_pct_parent"] == "50"


def test_a_researcher_gets_small_counts_withheld_by_default(cast):
    response = cast.client("rita").get("/registry/")
    page = response.content.decode()
    assert 'id="suppression"' in page and '<dd id="patients">&lt;5</dd>' in page
    table = rows(cast.client("rita").get("/registry/tables/flow.csv"))
    assert table["Assessed"]["scn_n"] == "<5"
    assert table["Assessed"]["scn_pct_assessed"] == ""
    assert table["Radiofrequency"]["scn_n"] == "0"


def test_the_threshold_is_configurable(cast, settings):
    settings.CLUNEAL_REGISTRY_MIN_CELL = 2
    table = rows(cast.client("rita").get("/registry/tables/flow.csv"))
    assert table["Assessed"]["scn_n"] == "2"
    assert table["Operated"]["scn_n"] == "<2"


def test_the_surgical_outcome_table_of_site_b(cast, exact):
    table = rows(
        cast.client("dave").get(f"/registry/tables/surgery_by_relief.csv?site={cast.site_b.pk}")
    )
    # relief 1..6 days, outcomes pain free / worse alternately (see conftest)
    assert (table["> 3 days"]["good"], table["> 3 days"]["poor"]) == ("1", "2")
    assert (table["<= 3 days"]["good"], table["<= 3 days"]["poor"]) == ("2", "1")


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("png", "image/png", b"\x89PNG"),
        ("pdf", "application/pdf", b"%PDF-"),
        ("svg", "image/svg+xml", b"<?xml"),
    ],
)
def test_figures_download_as_png_pdf_and_svg(cast, fmt, content_type, magic):
    response = cast.client("carol").get(f"/registry/figures/km_surgery.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    assert f'filename="cluneal-registry-km_surgery.{fmt}"' in response["Content-Disposition"]


def test_every_table_downloads_as_csv(cast):
    client = cast.client("carol")
    for name in (
        "flow",
        "block_relief",
        "block_kuniya",
        "relief_duration",
        "km_summary",
        "km_block",
        "km_block_at_risk",
        "km_surgery",
        "km_radiofrequency",
        "surgery_by_relief",
        "questionnaires",
    ):
        response = client.get(f"/registry/tables/{name}.csv")
        assert response.status_code == 200, name
        assert response["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    "url",
    ["/registry/tables/nope.csv", "/registry/figures/nope.png", "/registry/figures/km_block.gif"],
)
def test_an_unknown_table_or_figure_is_404(cast, url):
    assert cast.client("carol").get(url).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2025-02-30", "from"),
        ("to=soon", "to"),
        ("from=2025-05-01&to=2025-01-01", "to"),
        ("site=not-a-site", "site"),
    ],
)
def test_a_bad_filter_is_400_naming_the_field(cast, query, field):
    client = cast.client("carol")
    page = client.get(f"/registry/?{query}")
    assert page.status_code == 400
    assert f'id="error-{field}"' in page.content.decode()
    download = client.get(f"/registry/tables/flow.csv?{query}")
    assert download.status_code == 400
    assert download.content.decode().startswith(f"Bad filter: {field}: ")
    assert client.get(f"/registry/figures/flow.png?{query}").status_code == 400


def test_the_period_selects_patients_by_entry(cast, exact):
    client = cast.client("carol")
    assert (
        rows(client.get("/registry/tables/flow.csv?from=2025-03-03&to=2025-03-03"))["Assessed"][
            "scn_n"
        ]
        == "2"
    )
    assert rows(client.get("/registry/tables/flow.csv?from=2025-03-04"))["Assessed"]["scn_n"] == "0"


def test_an_empty_site_shows_an_empty_report_without_error(cast):
    response = cast.client("erin").get("/registry/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<dd id="patients">0</dd>' in page
    assert "No data in this selection" in page
    assert "Not estimable" in page
    assert cast.client("erin").get("/registry/figures/km_block.pdf").status_code == 200


def test_views_and_downloads_are_audited_per_site(cast):
    before = AuditEvent.objects.count()
    dave = cast.client("dave")
    dave.get("/registry/?site=all&from=2025-01-01")
    dave.get("/registry/tables/flow.csv?site=all")
    dave.get("/registry/figures/flow.pdf?site=all")
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.site.name) for e in events] == [
        ("view", "Site A"),
        ("view", "Site B"),
        ("export", "Site A"),
        ("export", "Site B"),
        ("export", "Site A"),
        ("export", "Site B"),
    ]
    assert all(e.actor == "dave" and e.patient_id is None for e in events)
    assert events[0].changes["from"] == "2025-01-01"
    assert events[2].changes["table"] == "flow" and events[4].changes["figure"] == "flow"


def test_a_refused_request_is_not_audited_as_a_view(cast):
    before = AuditEvent.objects.count()
    cast.client("alice").get("/registry/")
    cast.client("carol").get("/registry/?from=bad")
    assert AuditEvent.objects.count() == before


@pytest.fixture
def drawn(monkeypatch):
    """How many figures the page drew (the rest came from the cache)."""
    from cluneal.registry.report import Report

    calls = []
    original = Report.svg
    monkeypatch.setattr(
        Report, "svg", lambda self, name: calls.append(name) or original(self, name)
    )
    return calls


def test_figures_are_drawn_once_until_a_record_of_the_site_changes(cast, drawn):
    from django.core.cache import cache

    from cluneal.web.records.models import Block

    cache.clear()
    carol, alice = cast.client("carol"), cast.client("alice")
    main = lambda: carol.get("/registry/").content.decode().split("<main", 1)[1]  # noqa: E731
    first = main()
    assert len(drawn) == 7
    assert main() == first
    assert len(drawn) == 7  # the second page came from the cache
    block = Block.objects.filter(patient__record_number="A-001").order_by("date").first()
    edited = alice.post(
        f"/records/{block.patient_id}/blocks/{block.pk}/edit",
        {
            "date": block.date.isoformat(),
            "nerve": "scn",
            "side": "left",
            "nrs_before": 8,
            "nrs_after": 2,
            "relief_days": 30,
        },
    )
    assert edited.status_code == 302
    carol.get("/registry/")
    assert len(drawn) == 14  # an edit in the record draws them again
