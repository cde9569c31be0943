"""The site administrator's screening page: start a run on an uploaded export, browse results."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from cluneal.web.accounts.models import Membership, Site
from cluneal.web.screening import views
from cluneal.web.screening.models import ScreeningRun


@pytest.fixture(autouse=True)
def _run_inline(monkeypatch, settings, tmp_path, synthea_dir):
    """The page starts `screening_run` in a detached process; here it runs in the test's own
    process, on the test database."""
    settings.CLUNEAL_SCREENING_ROOT = str(synthea_dir.parent)
    monkeypatch.setenv("CLUNEAL_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(views, "_start", lambda run: call_command("screening_run", str(run.pk)))


def upload(export: Path, *names: str) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(n, (export / n).read_bytes()) for n in names]


@pytest.mark.django_db
def test_an_uploaded_export_is_screened_and_its_candidates_listed(admin, synthea_dir):
    response = admin.post(
        "/site/screening",
        {
            "site": admin.site.pk,
            "engine": "duckdb",
            "on_error": "fail",
            "as_of": "2023-03-23",
            "files": upload(
                synthea_dir, "Patient.000.ndjson", "Condition.000.ndjson", "Procedure.000.ndjson"
            ),
        },
    )
    assert response.status_code == 302
    run = ScreeningRun.objects.get()
    assert run.status == "done", run.error
    assert run.summary["listed"] == 2
    html = admin.get(response["Location"]).content.decode()
    assert html.count('data-tier="low"') == 2
    assert "Back pain coded for at least 3 months" in html


@pytest.mark.django_db
def test_a_directory_outside_the_allowed_root_is_refused(admin):
    response = admin.post(
        "/site/screening",
        {
            "site": admin.site.pk,
            "engine": "duckdb",
            "on_error": "fail",
            "export_dir": "/etc",
        },
    )
    assert response.status_code == 400
    assert ScreeningRun.objects.count() == 0


@pytest.mark.django_db
def test_a_directory_under_the_root_is_screened(admin, synthea_dir):
    response = admin.post(
        "/site/screening",
        {
            "site": admin.site.pk,
            "engine": "duckdb",
            "on_error": "fail",
            "export_dir": str(synthea_dir),
            "as_of": "2023-03-23",
        },
    )
    assert response.status_code == 302
    assert ScreeningRun.objects.get().summary["patients"] == 13


@pytest.mark.django_db
def test_a_file_that_is_not_ndjson_is_refused(admin):
    response = admin.post(
        "/site/screening",
        {
            "site": admin.site.pk,
            "engine": "duckdb",
            "on_error": "fail",
            "files": [SimpleUploadedFile("notes.txt", b"hello")],
        },
    )
    assert response.status_code == 400
    assert ScreeningRun.objects.count() == 0


@pytest.mark.django_db
def test_bad_input_fails_the_run_with_the_file_and_line(admin, synthea_dir):
    bad = SimpleUploadedFile("Condition.000.ndjson", b'{"resourceType": "Condition"\n')
    admin.post(
        "/site/screening",
        {
            "site": admin.site.pk,
            "engine": "duckdb",
            "on_error": "fail",
            "files": [*upload(synthea_dir, "Patient.000.ndjson"), bad],
        },
    )
    run = ScreeningRun.objects.get()
    assert run.status == "failed"
    assert "Condition.000.ndjson:1: not valid JSON" in run.error


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["clinician", "researcher", None])
def test_only_site_administrators_screen(db, who):
    client = Client()
    if who:
        site = Site.objects.create(name="S")
        user = get_user_model().objects.create_user(who, password="x" * 12)
        Membership.objects.create(user=user, site=site, role=who)
        client.force_login(user)
    assert client.get("/site/screening").status_code == (302 if who is None else 403)
