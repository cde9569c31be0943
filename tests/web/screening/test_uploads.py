"""Uploads to the screening page: corrupt files are refused naming file and line, malformed
values fail the run naming them, and an upload over the limit is stopped as it arrives, with
nothing of it left on disk."""

from __future__ import annotations

import gzip
import io
from html import escape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import LimitedStream
from django.core.management import call_command
from django.test import Client, RequestFactory

from cluneal.web.screening import views
from cluneal.web.screening.models import ScreeningRun
from cluneal.web.screening.storage import runs_dir

from tests.paths import SHARED

SYNTHEA = SHARED / "external" / "synthea-bulk-10"


@pytest.fixture(autouse=True)
def _run_inline(monkeypatch, tmp_path):
    monkeypatch.setenv("CLUNEAL_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(views, "_start", lambda run: call_command("screening_run", str(run.pk)))


def stored() -> list[Path]:
    """Whatever the screening keeps in the data directory."""
    return sorted(runs_dir().rglob("*"))


def post(client: Client, files: list[SimpleUploadedFile], on_error: str = "fail"):
    return client.post(
        "/site/screening",
        {
            "site": client.site.pk,  # type: ignore[attr-defined]
            "engine": "duckdb",
            "on_error": on_error,
            "as_of": "2023-03-23",
            "files": files,
        },
    )


def patients() -> SimpleUploadedFile:
    return SimpleUploadedFile("Patient.000.ndjson", (SYNTHEA / "Patient.000.ndjson").read_bytes())


CONDITIONS = (SYNTHEA / "Condition.000.ndjson").read_bytes()
CORRUPT = {
    "truncated gzip": (lambda: gzip.compress(CONDITIONS)[:2000], ":1", "the file is truncated"),
    "flipped bytes": (
        lambda: bytes(
            b ^ 0x55 if 2000 <= i < 2100 else b for i, b in enumerate(gzip.compress(CONDITIONS))
        ),
        ":",
        "corrupt gzip data",
    ),
    "bad CRC": (
        lambda: gzip.compress(CONDITIONS)[:-6] + b"\x00\x00" + gzip.compress(CONDITIONS)[-4:],
        ":",
        "CRC check failed",
    ),
    "plain text named .gz": (lambda: CONDITIONS, ":1", "not valid gzip"),
    "invalid UTF-8": (lambda: gzip.compress(b'{"id": "\xff"}\n' + CONDITIONS), ":1", "not UTF-8"),
    "empty gzip": (lambda: gzip.compress(b""), "", "the file is empty"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(CORRUPT))
def test_a_corrupt_upload_is_refused_naming_file_and_line(admin, kind):
    data, where, said = CORRUPT[kind]
    upload = SimpleUploadedFile("Condition.000.ndjson.gz", data())
    response = post(admin, [patients(), upload])
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Condition.000.ndjson.gz{where}" in html and said in html
    assert ScreeningRun.objects.count() == 0
    assert stored() == []


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(CORRUPT))
def test_skip_screens_the_rest_and_names_the_corrupt_file(admin, kind):
    data, where, said = CORRUPT[kind]
    upload = SimpleUploadedFile("Condition.000.ndjson.gz", data())
    response = post(admin, [patients(), upload], on_error="skip")
    assert response.status_code == 302
    run = ScreeningRun.objects.get()
    assert run.status == "done", run.error
    [skipped] = run.summary["skipped_files"]
    assert skipped.startswith(f"Condition.000.ndjson.gz{where}") and said in skipped


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('"2020-02-30"', 'onsetDateTime: "2020-02-30" is not a dateTime (no such day)'),
        ('{"a": 1}', "onsetDateTime: an object is not a dateTime"),
        ("[2020]", "onsetDateTime: a list is not a dateTime"),
        ("true", "onsetDateTime: true is not a dateTime"),
    ],
)
def test_a_malformed_value_fails_the_run_naming_file_line_and_field(admin, value, said):
    line = f'{{"resourceType": "Condition", "id": "c1", "onsetDateTime": {value}}}\n'
    bad = SimpleUploadedFile("Condition.000.ndjson", CONDITIONS + line.encode())
    response = post(admin, [patients(), bad])
    assert response.status_code == 302
    run = ScreeningRun.objects.get()
    assert run.status == "failed"
    number = CONDITIONS.count(b"\n") + 1
    assert f"Condition.000.ndjson:{number}: {said}" in run.error
    page = admin.get(response["Location"])
    assert page.status_code == 200 and escape(said) in page.content.decode()


@pytest.mark.django_db
def test_an_upload_over_the_limit_is_refused_with_413_and_nothing_kept(admin, settings):
    settings.CLUNEAL_SCREENING_MAX_UPLOAD = 50_000
    response = post(admin, [patients(), SimpleUploadedFile("Condition.000.ndjson", CONDITIONS)])
    assert response.status_code == 413
    assert "larger than 50,000 bytes (CLUNEAL_SCREENING_MAX_UPLOAD)" in response.content.decode()
    assert ScreeningRun.objects.count() == 0
    assert stored() == []


class Counted(io.BytesIO):
    """A request body that counts how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.taken += len(line)
        return line


@pytest.mark.django_db
def test_the_upload_is_stopped_as_it_arrives_not_after_it_is_all_received(admin, settings):
    settings.CLUNEAL_SCREENING_MAX_UPLOAD = 100_000
    body = SimpleUploadedFile("Condition.000.ndjson", CONDITIONS)  # about 0.6 MB
    request = RequestFactory().post(
        "/site/screening", {"site": admin.site.pk, "engine": "duckdb", "files": [body]}
    )
    length = int(request.META["CONTENT_LENGTH"])
    assert length < 100_000 + 1_000_000  # not refused by its declared length: streamed
    counted = Counted(request.read())
    request._stream = LimitedStream(counted, length)
    request._read_started = False
    request.user = admin.user  # type: ignore[attr-defined]
    request._dont_enforce_csrf_checks = True
    response = views.runs(request)
    assert response.status_code == 413
    assert counted.taken < 100_000 + 300_000 < length
    assert stored() == []
