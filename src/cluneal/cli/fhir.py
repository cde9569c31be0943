"""``cluneal export-fhir`` and ``cluneal import-fhir``: one patient's record as a FHIR R4 Bundle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cluneal.cli.common import fail, read_json
from cluneal.files import write_atomically
from cluneal.validation import Problem

ACTOR = "command line"


def _prepare() -> None:
    from cluneal.web.setup import prepare

    prepare()


def _site(name: str) -> tuple[Any, Problem | None]:
    from cluneal.web.accounts.models import Site

    site = Site.objects.filter(name=name).first()
    if site is not None:
        return site, None
    known = ", ".join(repr(s) for s in Site.objects.values_list("name", flat=True)) or "none"
    return None, Problem("--site", f"no site is named {name!r} (sites: {known})")


@click.command("export-fhir")
@click.argument("record_number")
@click.option("--site", "site_name", required=True, help="The name of the patient's site.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the bundle to this file (atomically) instead of standard output.",
)
def export_fhir_command(record_number: str, site_name: str, out: Path | None) -> None:
    """Export the record of patient RECORD_NUMBER as a FHIR R4 Bundle (type collection).

    The bundle holds the patient, visits (Encounter and QuestionnaireResponse), pain scores
    (Observation), blocks and treatments (Procedure), diaries and questionnaires answered
    through patient links, and derived Conditions and scores. The export is audited.
    """
    _prepare()
    from cluneal.validation import Invalid
    from cluneal.web.audit.log import record
    from cluneal.web.audit.models import Action
    from cluneal.web.records.fhir import bundle_of
    from cluneal.web.records.models import Patient

    site, problem = _site(site_name)
    if problem is not None:
        fail("unknown site", [problem])
    patient = Patient.objects.filter(site=site, record_number=record_number).first()
    if patient is None:
        fail(f"site {site_name!r} has no patient with record number {record_number!r}")
    try:
        bundle = bundle_of(patient)
    except Invalid as exc:
        fail("the stored record cannot be exported", exc.problems)
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    if out is not None:
        try:
            write_atomically(out, text)
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror or exc}")
    record(
        None,
        Action.EXPORT,
        patient=patient,
        obj=patient,
        actor=ACTOR,
        changes={"format": "fhir-r4", "to": str(out) if out else "standard output"},
    )
    if out is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"Bundle of {record_number} written to {out}", err=True)


@click.command("import-fhir")
@click.argument("file")
@click.option("--site", "site_name", required=True, help="The site to create the patient at.")
def import_fhir_command(file: str, site_name: str) -> None:
    """Import a FHIR R4 Bundle from FILE ('-' for standard input) as a new patient at a site.

    Everything is checked first: on any problem (each listed by its JSON path) nothing is
    imported and the exit status is 2. Conditions and scores in the bundle are derived data and
    are ignored. The import is audited.
    """
    bundle = read_json(file)
    _prepare()
    from cluneal.interop.fhir_record import from_bundle
    from cluneal.validation import Invalid
    from cluneal.web.records.fhir import import_record, patient_path

    site, problem = _site(site_name)
    problems = [problem] if problem is not None else []
    data = None
    try:
        data = from_bundle(bundle)
    except Invalid as exc:
        problems += exc.problems
    if problems or data is None:
        fail("nothing was imported", problems)
    try:
        patient = import_record(data, site, actor=ACTOR, where=patient_path(bundle))
    except Invalid as exc:
        fail("nothing was imported", exc.problems)
    click.echo(
        f"Imported {patient.record_number} at {site.name}: /records/{patient.pk}/ "
        f"({len(data.visits)} visits, {len(data.blocks)} blocks, "
        f"{len(data.treatments)} treatments, {len(data.links)} patient links)"
    )
