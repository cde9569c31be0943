"""The research page and its export: who may use it, for which site, and what bad input gets."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.test import Client

from cluneal.web.audit.models import AuditEvent
from cluneal.web.research.models import ResearchExport, SiteSecret

LOGIN = 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "page", "export"),
    [
        (None, LOGIN, LOGIN),
        ("alice", 403, 403),  # a clinician works with the record itself
        ("bob", 403, 403),
        ("carol", 200, 200),  # the site administrator
        ("rita", 200, 200),  # the researcher
        ("rex", 200, 404),  # a researcher of site B asking for site A
    ],
)
def test_each_role_gets_exactly_its_outcome(cast, export_as, who, page, export):
    client = cast.client(who)
    for path, status in (("/research/", page), ("/research/data_dictionary.csv", page)):
        response = client.get(path)
        assert response.status_code == status, path
        if status == LOGIN:
            assert response["Location"].startswith("/accounts/login?next=")
    response = export_as(client, cast.site_a)
    assert response.status_code == export
    made = ResearchExport.objects.filter(site=cast.site_a).count()
    assert made == (1 if export == 200 else 0)
    if export == 200:
        assert response["Content-Type"] == "application/zip"
        assert response["Cache-Control"] == "no-store"
        assert response["Content-Disposition"].startswith('attachment; filename="cluneal-research-')


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/records/",
        "/records/new",
        "/records/{p}/",
        "/records/{p}/summary.pdf",
        "/fhir/Patient/{p}/$everything",
        "/api/v1/patients/{p}/assessment",
    ],
)
def test_a_researcher_sees_no_record(cast, path):
    response = cast.client("rita").get(path.format(p=cast.patient_a.pk))
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_researcher_chooses_only_among_their_own_sites(cast):
    html = cast.client("rita").get("/research/").content.decode()
    assert str(cast.site_a.pk) in html
    assert str(cast.site_b.pk) not in html and "Site B" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"site": "not-a-site", "format": "csv"}, 400, "site"),
        ({"format": "csv"}, 400, "site"),
        ({"site": "SITE_A", "format": "xlsx"}, 400, "format"),
        ({"site": "SITE_A", "format": ""}, 400, "format"),
        ({"site": str(uuid.UUID(int=7)), "format": "csv"}, 404, None),
        ({"site": "SITE_B", "format": "csv"}, 404, None),
    ],
)
def test_bad_input_gets_a_4xx_and_makes_nothing(cast, data, status, field):
    data = {k: str(cast.site_a.pk) if v == "SITE_A" else v for k, v in data.items()}
    data = {k: str(cast.site_b.pk) if v == "SITE_B" else v for k, v in data.items()}
    response = cast.client("rita").post("/research/export", data)
    assert response.status_code == status
    if field is not None:
        assert f'data-field="{field}"' in response.content.decode()
    assert not ResearchExport.objects.exists()
    assert not AuditEvent.objects.filter(action="export").exists()
    assert not SiteSecret.objects.exists()


@pytest.mark.django_db
def test_the_export_is_made_by_post_only(cast):
    assert cast.client("rita").get("/research/export").status_code == 405


@pytest.mark.django_db
def test_the_export_form_needs_its_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.rita)
    response = client.post("/research/export", {"site": str(cast.site_a.pk), "format": "csv"})
    assert response.status_code == 403
    assert not ResearchExport.objects.exists()


@pytest.mark.django_db
def test_an_export_holds_only_its_sites_patients(cast, export_as, unzip, csv_rows):
    files = unzip(export_as(cast.client("rita"), cast.site_a, "csv").content)
    assert sorted(files) == [
        "README.txt",
        "blocks.csv",
        "data_dictionary.csv",
        "patients.csv",
        "treatments.csv",
        "visits.csv",
    ]
    for table in ("patients", "visits", "blocks", "treatments"):
        assert len(csv_rows(files[f"{table}.csv"])) == 1, table
    # one row each: site B's patient (with one visit, block and treatment too) is not there
    everything = b"".join(files.values()).decode()
    assert "B-001" not in everything and "A-001" not in everything


@pytest.mark.django_db
def test_parquet_only_gives_no_csv_table(cast, export_as, unzip):
    files = unzip(export_as(cast.client("carol"), cast.site_a, "parquet").content)
    assert sorted(files) == [
        "README.txt",
        "blocks.parquet",
        "data_dictionary.csv",
        "patients.parquet",
        "treatments.parquet",
        "visits.parquet",
    ]


@pytest.mark.django_db
def test_the_export_is_audited_with_who_which_site_and_the_row_counts(cast, export_as):
    response = export_as(cast.client("carol"), cast.site_a, "csv")
    made = ResearchExport.objects.get()
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.user, event.site) == ("carol", cast.carol, cast.site_a)
    assert event.object_type == "researchexport" and event.object_id == str(made.pk)
    rows = {"patients": 1, "visits": 1, "blocks": 1, "treatments": 1}
    assert event.changes == {"research_export": "csv", "rows": rows, "sha256": made.sha256}
    assert made.rows == rows and made.created_by == cast.carol
    assert made.sha256 == hashlib.sha256(response.content).hexdigest()


@pytest.mark.django_db
def test_the_page_lists_the_exports_of_the_researchers_sites(cast, export_as):
    export_as(cast.client("rex"), cast.site_b)
    export_as(cast.client("rita"), cast.site_a)
    a, b = (ResearchExport.objects.get(site=s) for s in (cast.site_a, cast.site_b))
    html = cast.client("rita").get("/research/").content.decode()
    assert a.sha256[:16] in html
    assert b.sha256[:16] not in html


@pytest.mark.django_db
def test_the_dictionary_download_is_the_export_s(cast, export_as, unzip):
    files = unzip(export_as(cast.client("rita"), cast.site_a, "csv").content)
    response = cast.client("rita").get("/research/data_dictionary.csv")
    assert response.content == files["data_dictionary.csv"]
