"""FHIR exchange of a record: ``Patient/$everything``, the upload page, the import function
and the ``export-fhir`` / ``import-fhir`` commands (run as subprocesses on a SQLite file)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cluneal.core import bodymap
from cluneal.interop import fhir_record
from cluneal.interop.fhir_record import from_bundle
from cluneal.validation import Invalid
from cluneal.web.audit.models import AuditEvent
from cluneal.web.records.fhir import import_bundle
from cluneal.web.records.mapping import record_of
from cluneal.web.records.models import (
    DiaryEntry,
    LinkKind,
    Patient,
    PatientLink,
    QuestionnaireAnswer,
    Treatment,
    Visit,
)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SUBPROCESS_TIMEOUT = 120


def everything_url(patient: Any) -> str:
    return f"/fhir/Patient/{patient.pk}/$everything"


def enrich(cast: Any) -> None:
    """Give the cast's patient something of everything the record can hold."""
    p = cast.patient
    p.name, p.contact = "Fictional Person", "fictional@example.org"
    p.save()
    v = cast.visit
    v.history = {
        "duration_months": 14,
        "leg_numbness_or_tingling": None,
        "aggravated_by": ["walking"],
        "red_flags": [],
    }
    v.body_map = {"back": {"left": ["buttock", "iliac_crest"]}, "front": {"left": ["knee"]}}
    v.questionnaires = {"odi": [1, 2, None, 0, 0, 1, 1, 2, 3, 0], "rmdq": [True] * 3 + [False] * 21}
    v.current_nrs = 7
    v.notes = "Tender left iliac crest."
    v.save()
    Visit.objects.create(patient=p, date=v.date + dt.timedelta(days=40), current_nrs=3)
    b = cast.block
    b.agent, b.volume_ml, b.guidance, b.minutes_after = (
        "lidocaine 1%",
        Decimal("2.5"),
        "ultrasound",
        30,
    )
    b.relief_days, b.relief_days_from_diary = Decimal("2.0"), True
    b.save()
    t = cast.treatment  # on 2026-11-02
    t.outcome = "recurred"
    t.recurrence_date, t.last_follow_up = dt.date(2026, 12, 1), dt.date(2027, 1, 15)
    t.save()
    Treatment.objects.create(  # no follow-up dates: they stay absent
        patient=p, date=t.date, kind="radiofrequency", nerve="mcn", side="right", outcome="improved"
    )
    for k, nrs in enumerate([2, 3, 7], start=1):
        DiaryEntry.objects.create(link=cast.link, date=b.date + dt.timedelta(days=k), nrs=nrs)
    answered = PatientLink.objects.create(
        patient=p,
        kind=LinkKind.STARTBACK,
        token_hash="0" * 64,
        expires_at=cast.link.expires_at,
    )
    QuestionnaireAnswer.objects.create(
        link=answered,
        instrument="startback",
        values=[1, 0, 1, 0, 1, 1, 0, 1, 4],
        date=v.date + dt.timedelta(days=5),
    )
    PatientLink.objects.create(  # never used: not exported
        patient=p, kind=LinkKind.ODI, token_hash="1" * 64, expires_at=cast.link.expires_at
    )


def normalised(bundle: dict[str, Any]) -> dict[str, Any]:
    """The bundle with every UUID replaced by its order of first appearance."""
    seen: dict[str, str] = {}

    def key(match: re.Match[str]) -> str:
        return seen.setdefault(match.group(0), f"id-{len(seen)}")

    return json.loads(UUID.sub(key, json.dumps(bundle)))


def upload(client: Any, site: Any, content: bytes, name: str = "bundle.json") -> Any:
    return client.post(
        "/records/import",
        {"site": str(site.pk), "file": SimpleUploadedFile(name, content, "application/json")},
    )


# -- Patient/$everything ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("carol", 200), ("bob", 404), ("rita", 403), (None, 302)],
)
def test_everything_answers_only_the_patients_site(cast, who, status):
    response = cast.client(who).get(everything_url(cast.patient))
    assert response.status_code == status
    if who is None:
        assert response["Location"].startswith("/accounts/login")


@pytest.mark.django_db
def test_everything_of_an_unknown_patient_is_404(cast):
    response = cast.client("alice").get(
        "/fhir/Patient/00000000-0000-4000-8000-000000000000/$everything"
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_everything_is_a_fhir_searchset_and_is_audited(cast):
    enrich(cast)
    response = cast.client("alice").get(everything_url(cast.patient))
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Cache-Control"] == "no-store"
    bundle = json.loads(response.content)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    assert bundle["total"] == len(bundle["entry"])
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {
        "Patient",
        "Encounter",
        "QuestionnaireResponse",
        "Observation",
        "Procedure",
        "Condition",
    }
    patient = bundle["entry"][0]["resource"]
    assert patient["identifier"] == [
        {"system": f"urn:cluneal:site:{cast.site_a.pk}:record-number", "value": "A-001"}
    ]
    events = AuditEvent.objects.filter(action="export", patient_id=cast.patient.pk)
    assert [(e.actor, e.user, e.changes["operation"]) for e in events] == [
        ("alice", cast.alice, "$everything")
    ]
    assert from_bundle(bundle) == record_of(cast.patient)


@pytest.mark.django_db
def test_a_stored_record_the_format_cannot_carry_is_an_operation_outcome(cast):
    Visit.objects.filter(pk=cast.visit.pk).update(history={"colour": "blue"})
    response = cast.client("alice").get(everything_url(cast.patient))
    assert response.status_code == 409
    outcome = json.loads(response.content)
    assert outcome["resourceType"] == "OperationOutcome"
    assert [i["diagnostics"] for i in outcome["issue"]] == [
        "visits[0].history.colour: cannot be exported: unknown field"
    ]
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.django_db
def test_a_refused_request_is_not_audited_as_an_export(cast):
    cast.client("bob").get(everything_url(cast.patient))
    assert not AuditEvent.objects.filter(action="export").exists()


# -- export, import at another site, export ---------------------------------------------------


@pytest.mark.django_db
def test_export_import_elsewhere_export_gives_the_same_bundle(cast):
    enrich(cast)
    first = json.loads(cast.client("alice").get(everything_url(cast.patient)).content)
    bob = cast.client("bob")
    response = upload(bob, cast.site_b, json.dumps(first).encode())
    assert response.status_code == 302, response.content.decode()
    copy = Patient.objects.get(site=cast.site_b, record_number="A-001")
    assert response["Location"] == f"/records/{copy.pk}/"
    second = json.loads(bob.get(everything_url(copy)).content)
    assert second["entry"][0]["resource"]["identifier"][0]["system"] == (
        f"urn:cluneal:site:{cast.site_b.pk}:record-number"
    )
    assert normalised(second) == normalised(first)
    assert any(e["resource"]["resourceType"] == "Condition" for e in second["entry"])
    # and the database holds the same things, under new ids
    visit = copy.visits.first()
    assert visit.pk != cast.visit.pk
    assert (visit.history, visit.body_map, visit.exam, visit.questionnaires, visit.notes) == (
        cast.visit.history,
        cast.visit.body_map,
        cast.visit.exam,
        cast.visit.questionnaires,
        cast.visit.notes,
    )
    block = copy.blocks.get()
    assert (block.volume_ml, block.relief_days, block.relief_days_from_diary) == (
        Decimal("2.5"),
        Decimal("2.0"),
        True,
    )
    treatments = [(t.kind, t.recurrence_date, t.last_follow_up) for t in copy.treatments.all()]
    assert sorted(treatments) == [
        ("radiofrequency", None, None),
        ("surgical_release", dt.date(2026, 12, 1), dt.date(2027, 1, 15)),
    ]
    diary = copy.links.get(kind="diary")
    assert diary.block == block and [e.nrs for e in diary.entries.all()] == [2, 3, 7]
    assert diary.token_hash != cast.link.token_hash
    assert all(link.expires_at <= dt.datetime.now(dt.UTC) for link in copy.links.all())
    created = AuditEvent.objects.get(action="create", patient_id=copy.pk)
    assert created.actor == "bob" and created.site == cast.site_b
    assert created.changes["import"] == "fhir-r4"


@pytest.mark.django_db
def test_the_collection_export_imports_too(cast):
    from cluneal.web.records.fhir import bundle_of

    enrich(cast)
    copy = import_bundle(json.loads(json.dumps(bundle_of(cast.patient))), cast.site_b)
    assert record_of(copy).visits[0].history == record_of(cast.patient).visits[0].history


@pytest.mark.django_db
def test_a_record_number_the_site_has_is_refused_and_nothing_is_saved(cast):
    bundle = json.loads(cast.client("alice").get(everything_url(cast.patient)).content)
    count = Patient.objects.count()
    response = upload(cast.client("alice"), cast.site_a, json.dumps(bundle).encode())
    assert response.status_code == 400
    assert "entry[0].resource.identifier[0].value" in response.content.decode()
    assert "already exists at site" in response.content.decode()
    assert Patient.objects.count() == count
    assert not AuditEvent.objects.filter(action="create").exists()


@pytest.mark.django_db
def test_an_import_is_one_transaction(cast, monkeypatch):
    enrich(cast)
    bundle = json.loads(cast.client("alice").get(everything_url(cast.patient)).content)
    counts = (Patient.objects.count(), Visit.objects.count(), PatientLink.objects.count())

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(QuestionnaireAnswer.objects, "create", broken)
    with pytest.raises(RuntimeError):
        import_bundle(bundle, cast.site_b)
    assert (Patient.objects.count(), Visit.objects.count(), PatientLink.objects.count()) == counts


# -- the upload page ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("rita", 403), (None, 302)])
def test_the_upload_page_is_for_clinical_users(cast, who, status):
    assert cast.client(who).get("/records/import").status_code == status


@pytest.mark.django_db
def test_the_upload_page_offers_the_users_sites_only(cast):
    page = cast.client("alice").get("/records/import").content.decode()
    assert "Site A" in page and "Site B" not in page
    bundle = json.loads(cast.client("alice").get(everything_url(cast.patient)).content)
    bundle["entry"][0]["resource"]["identifier"][0]["value"] = "A-002"
    response = upload(cast.client("alice"), cast.site_b, json.dumps(bundle).encode())
    assert response.status_code == 400
    assert not Patient.objects.filter(record_number="A-002").exists()


@pytest.mark.django_db
def test_an_invalid_bundle_is_refused_with_every_problem_and_nothing_saved(cast):
    enrich(cast)
    bundle = json.loads(cast.client("alice").get(everything_url(cast.patient)).content)
    nrs = next(
        i
        for i, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == "Observation"
        and "encounter" in e["resource"]
        and e["resource"]["code"]["coding"][0]["code"] == "72514-3"
    )
    bundle["entry"][nrs]["resource"]["valueInteger"] = 11
    bundle["entry"][1]["resource"]["period"]["start"] = "2026-02-30"
    bundle["entry"].append(7)
    counts = (Patient.objects.count(), Visit.objects.count(), DiaryEntry.objects.count())
    response = upload(cast.client("bob"), cast.site_b, json.dumps(bundle).encode())
    assert response.status_code == 400
    page = response.content.decode()
    assert "3 problems" in page
    for path, message in [
        (f"entry[{nrs}].resource.valueInteger", "must be an integer from 0 to 10"),
        ("entry[1].resource.period.start", "must be a date YYYY-MM-DD"),
        (f"entry[{len(bundle['entry']) - 1}]", "must be an object (a bundle entry)"),
    ]:
        assert f"<code>{path}</code>: {message}" in page
    assert (Patient.objects.count(), Visit.objects.count(), DiaryEntry.objects.count()) == counts
    assert not AuditEvent.objects.filter(action="create").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON: line 1 column 2"),
        (b"\xff\xfe", "not UTF-8 text"),
        (b"[]", "must be a FHIR Bundle (a JSON object)"),
    ],
)
def test_a_file_that_is_no_bundle_is_refused(cast, content, message):
    response = upload(cast.client("alice"), cast.site_a, content)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused(cast, settings):
    settings.CLUNEAL_FHIR_MAX_BYTES = 10_000
    response = upload(cast.client("alice"), cast.site_a, b" " * 10_001 + b"{}")
    assert response.status_code == 400
    assert "larger than 10,000 bytes" in response.content.decode()
    response = upload(cast.client("alice"), cast.site_a, b" " * 200_000)
    assert response.status_code == 400
    assert "larger than 10,000 bytes" in response.content.decode()


@pytest.mark.django_db
def test_the_upload_needs_a_file(cast):
    response = cast.client("alice").post("/records/import", {"site": str(cast.site_a.pk)})
    assert response.status_code == 400


def test_the_body_map_regions_are_those_of_the_drawing():
    assert {view: tuple(r for r, _ in regions) for view, regions in bodymap.REGIONS.items()} == (
        fhir_record.BODY_REGIONS
    )


@pytest.mark.django_db
def test_a_bad_follow_up_date_is_refused_by_its_path_and_nothing_saved(cast):
    enrich(cast)
    bundle = json.loads(cast.client("alice").get(everything_url(cast.patient)).content)
    i = next(
        i for i, e in enumerate(bundle["entry"]) if e["resource"]["id"] == str(cast.treatment.pk)
    )
    procedure = bundle["entry"][i]["resource"]
    assert [e["valueDate"] for e in procedure["extension"]] == ["2026-12-01", "2027-01-15"]
    procedure["extension"][1]["valueDate"] = "2027-02-29"  # 2027 is not a leap year
    counts = (Patient.objects.count(), Treatment.objects.count())
    response = upload(cast.client("bob"), cast.site_b, json.dumps(bundle).encode())
    assert response.status_code == 400
    assert (
        f"<code>entry[{i}].resource.extension[1].valueDate</code>: must be a date YYYY-MM-DD"
        in response.content.decode()
    )
    assert (Patient.objects.count(), Treatment.objects.count()) == counts


@pytest.mark.django_db
def test_import_function_lists_problems(cast):
    with pytest.raises(Invalid) as caught:
        import_bundle({"resourceType": "Bundle", "type": "collection"}, cast.site_b)
    assert [str(p) for p in caught.value.problems] == ["entry: must include the Patient"]


# -- the commands -----------------------------------------------------------------------------

SEED = """
import datetime as dt
from decimal import Decimal
from cluneal.web.setup import prepare
prepare()
from cluneal.web.accounts.models import Site
from cluneal.web.records.models import Block, DiaryEntry, Patient, PatientLink, Treatment, Visit
a = Site.objects.create(name="Site A")
Site.objects.create(name="Site B")
p = Patient.objects.create(site=a, record_number="A-001", birth_year=1960, sex="female")
day = dt.date(2026, 11, 2)
Visit.objects.create(patient=p, date=day, current_nrs=8, notes="seeded",
    history={"duration_months": 6, "aggravated_by": ["sitting"]},
    exam={"left": {"scn": {"tender": True, "distance_mm": 70, "reproduces_complaint": True}}})
b = Block.objects.create(patient=p, date=day, nerve="scn", side="left", nrs_before=8,
    nrs_after=1, volume_ml=Decimal("3.0"), agent="lidocaine")
Treatment.objects.create(patient=p, date=day, kind="neurectomy", nerve="scn", side="left")
link = PatientLink.objects.create(patient=p, block=b, kind="diary", token_hash="f" * 64,
    expires_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
DiaryEntry.objects.create(link=link, date=day + dt.timedelta(days=1), nrs=2)
"""


def _registered() -> bool:
    from cluneal.cli import cli

    return "export-fhir" in cli.commands


def run_cluneal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    if _registered():
        command = [sys.executable, "-m", "cluneal", *args]
    else:  # until cluneal/cli/__init__.py adds the commands
        name = {"export-fhir": "export_fhir_command", "import-fhir": "import_fhir_command"}
        code = f"from cluneal.cli.fhir import {name[args[0]]} as c; c(prog_name='cluneal')"
        command = [sys.executable, "-c", code, *args[1:]]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, check=False
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A SQLite database of its own, migrated then seeded: the environment to run commands in."""
    root = tmp_path_factory.mktemp("fhir-cli")
    env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
    env.update(DATABASE_URL=f"sqlite:///{root / 'db.sqlite3'}", CLUNEAL_DATA_DIR=str(root))
    for script in ("from cluneal.web.setup import prepare; prepare()", SEED):
        done = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    return env


def test_export_fhir_prints_the_bundle(seeded):
    done = run_cluneal(seeded, "export-fhir", "A-001", "--site", "Site A")
    assert done.returncode == 0, done.stderr
    bundle = json.loads(done.stdout)
    assert bundle["type"] == "collection"
    assert bundle["entry"][0]["resource"]["identifier"][0]["value"] == "A-001"
    record = from_bundle(bundle)
    assert record.blocks[0].volume_ml == Decimal("3.0")
    assert [d.nrs for d in record.links[0].entries] == [2]
    database = seeded["DATABASE_URL"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(database)) as con:
        rows = con.execute(
            "SELECT actor, record_number FROM audit_auditevent WHERE action = 'export'"
        ).fetchall()
    assert ("command line", "A-001") in rows


def test_export_then_import_at_another_site_then_export(seeded, tmp_path):
    out = tmp_path / "a-001.json"
    done = run_cluneal(seeded, "export-fhir", "A-001", "--site", "Site A", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-001.json"]  # no temporary left
    first = json.loads(out.read_text())
    done = run_cluneal(seeded, "import-fhir", str(out), "--site", "Site B")
    assert done.returncode == 0, done.stderr
    assert "Imported A-001 at Site B" in done.stdout
    done = run_cluneal(seeded, "export-fhir", "A-001", "--site", "Site B")
    assert done.returncode == 0, done.stderr
    second = json.loads(done.stdout)
    assert normalised(second) == normalised(first)
    assert (
        first["entry"][0]["resource"]["identifier"] != second["entry"][0]["resource"]["identifier"]
    )
    # a second import at the same site is refused: the record number exists there now
    done = run_cluneal(seeded, "import-fhir", str(out), "--site", "Site B")
    assert done.returncode == 2
    assert "entry[0].resource.identifier[0].value: record number 'A-001' already exists" in (
        done.stderr
    )


def test_import_fhir_of_an_invalid_bundle_lists_every_problem_and_imports_nothing(seeded, tmp_path):
    done = run_cluneal(seeded, "export-fhir", "A-001", "--site", "Site A")
    bundle = json.loads(done.stdout)
    bundle["entry"][0]["resource"]["identifier"][0]["value"] = "NEW-1"
    procedure = next(
        i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "Procedure"
    )
    bundle["entry"][procedure]["resource"]["bodySite"][0]["coding"][0]["code"] = "icn"
    bundle["entry"][1]["resource"]["resourceType"] = "Medication"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle))
    done = run_cluneal(seeded, "import-fhir", str(path), "--site", "Nowhere")
    assert done.returncode == 2
    assert "nothing was imported" in done.stderr
    assert "--site: no site is named 'Nowhere' (sites: 'Site A', 'Site B')" in done.stderr
    assert f"entry[{procedure}].resource.bodySite[0].coding[0].code: must be one of" in done.stderr
    assert "entry[1].resource.resourceType: must be one of" in done.stderr
    done = run_cluneal(seeded, "export-fhir", "NEW-1", "--site", "Site A")
    assert done.returncode == 2 and "no patient with record number 'NEW-1'" in done.stderr


def test_import_fhir_refuses_an_unknown_site_and_a_file_that_is_not_json(seeded, tmp_path):
    done = run_cluneal(seeded, "export-fhir", "A-001", "--site", "Site A")
    path = tmp_path / "ok.json"
    path.write_text(done.stdout)
    done = run_cluneal(seeded, "import-fhir", str(path), "--site", "Site C")
    assert done.returncode == 2 and "no site is named 'Site C'" in done.stderr
    path.write_text("{")
    done = run_cluneal(seeded, "import-fhir", str(path), "--site", "Site A")
    assert done.returncode == 2 and "not valid JSON" in done.stderr


def test_export_fhir_of_an_unknown_site_or_patient_exits_2(seeded):
    done = run_cluneal(seeded, "export-fhir", "A-001", "--site", "Site C")
    assert done.returncode == 2 and "no site is named 'Site C'" in done.stderr
    done = run_cluneal(seeded, "export-fhir", "Z-999", "--site", "Site A")
    assert done.returncode == 2 and "no patient with record number 'Z-999'" in done.stderr
