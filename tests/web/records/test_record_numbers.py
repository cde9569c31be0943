"""Record numbers hold letters, digits, hyphen, underscore and full stop only, whichever way a
patient is created (the form, a FHIR import); and every download's Content-Disposition is
well-formed ASCII with ``filename*``, whatever the name it carries (a record number saved before
the rule, for one)."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest

from cluneal.web.audit.models import AuditEvent
from cluneal.web.records.fhir import bundle_of
from cluneal.web.records.models import RECORD_NUMBER_MESSAGE, Patient

#: Record numbers no site may use: header and parameter injection, separators, control and
#: format characters, non-ASCII, white space, empty and over-long ones.
BAD_NUMBERS = [
    "A-1\r\nX-Injected: yes",
    "A-1\nSet-Cookie: a=b",
    "A-1\r",
    'A-1"; filename="evil.exe',
    "A-1'",
    "A-1;",
    "A-1,2",
    "A 1",
    "A\t1",
    " A-1",
    "A/1",
    "A\\1",
    "../A-1",
    ".A-1",
    "-A-1",
    "_A-1",
    "A-1\x7f",
    "A-1\u202egpj.exe",
    "A-1\u200b",
    "Ä-1",
    "é",
    "日本-1",
    "Ａ-1",
    "<script>",
    "A%0d%0a",
    "A=1",
    "A:1",
    "A*1",
    "x" * 41,
]
GOOD_NUMBERS = ["A", "0", "A-002", "a_b.c-9", "2024.0017", "X" * 40]
FORM_ERROR = RECORD_NUMBER_MESSAGE
HEADER = re.compile(
    r"\Aattachment; filename=\"(?P<ascii>[A-Za-z0-9._-]+)\"; "
    r"filename\*=UTF-8''(?P<utf8>[A-Za-z0-9%._~-]+)\Z"
)


def records_state():
    return (
        sorted(Patient.objects.values_list("pk", "record_number")),
        AuditEvent.objects.exclude(action="view").count(),
    )


@pytest.mark.django_db
def test_every_bad_record_number_is_refused_by_the_form_naming_the_characters(cast):
    alice = cast.client("alice")
    before = records_state()
    for number in [n for n in BAD_NUMBERS if n == n.strip()]:  # the form strips white space
        for path, data in [
            ("/records/new", {"site": cast.site_a.pk, "sex": "male"}),
            (f"/records/{cast.patient.pk}/edit", {"sex": "female"}),
        ]:
            response = alice.post(path, {**data, "record_number": number})
            assert response.status_code == 400, (number, path)
            assert FORM_ERROR in response.content.decode(), (number, path)
            assert records_state() == before, (number, path)


@pytest.mark.django_db
def test_good_record_numbers_are_accepted(cast):
    for number in GOOD_NUMBERS:
        response = cast.client("alice").post(
            "/records/new", {"site": cast.site_a.pk, "record_number": number, "sex": "male"}
        )
        assert response.status_code == 302, number
    assert Patient.objects.filter(record_number__in=GOOD_NUMBERS).count() == len(GOOD_NUMBERS)


@pytest.mark.django_db
def test_a_fhir_import_refuses_every_bad_record_number_by_its_path(cast):
    bundle = bundle_of(cast.patient)
    alice = cast.client("alice")
    before = records_state()
    for number in BAD_NUMBERS:
        bundle["entry"][0]["resource"]["identifier"][0]["value"] = number
        content = json.dumps(bundle).encode()
        response = alice.post(
            "/records/import",
            {"site": cast.site_a.pk, "file": _file(content)},
        )
        page = response.content.decode()
        assert response.status_code == 400, number
        if len(number) <= 40:  # a longer one is refused by the FHIR reader first
            assert "<code>entry[0].resource.identifier[0].value</code>: record number" in page
            assert FORM_ERROR in page, number
        assert records_state() == before, number


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bundle.json", content, content_type="application/fhir+json")


def _check_header(response, expected_name: str) -> None:
    header = response["Content-Disposition"]
    match = HEADER.match(header)
    assert match, header
    assert unquote(match["utf8"]) == expected_name
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_pdf_of_a_patient_saved_before_the_rule_downloads_with_a_safe_header(cast):
    """Numbers already in a database (written before the rule, or by hand) still download."""
    carol = cast.client("carol")
    for n, number in enumerate([*BAD_NUMBERS, *GOOD_NUMBERS]):
        Patient.objects.filter(pk=cast.patient.pk).update(record_number=number[:40])
        response = carol.get(f"/records/{cast.patient.pk}/summary.pdf")
        assert response.status_code == 200, number
        assert response.content.startswith(b"%PDF"), number
        name = unquote(HEADER.match(response["Content-Disposition"])["utf8"])
        assert name.startswith("cluneal-") and name.endswith(".pdf"), (number, name)
        assert not re.search(r"[\x00-\x1f\x7f\u202e\u200b\"'\\/;,=\s]", name), (number, name)
        _check_header(response, name)
        assert AuditEvent.objects.filter(action="print").count() == n + 1


@pytest.mark.django_db
def test_the_pdf_of_a_plain_record_number_keeps_the_number(cast):
    response = cast.client("alice").get(f"/records/{cast.patient.pk}/summary.pdf")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"cluneal-A-001.pdf\"; filename*=UTF-8''cluneal-A-001.pdf"
    )


@pytest.mark.django_db
def test_the_research_and_registry_downloads_use_the_same_header(cast):
    carol = cast.client("carol")
    _check_header(carol.get("/research/data_dictionary.csv"), "data_dictionary.csv")
    _check_header(carol.get("/registry/tables/flow.csv"), "cluneal-registry-flow.csv")
    _check_header(carol.get("/registry/figures/flow.svg"), "cluneal-registry-flow.svg")
    export = carol.post("/research/export", {"site": cast.site_a.pk, "format": "csv"})
    assert export.status_code == 200
    name = unquote(HEADER.match(export["Content-Disposition"])["utf8"])
    assert re.fullmatch(r"cluneal-research-[0-9a-f]{12}\.zip", name)
    _check_header(export, name)
