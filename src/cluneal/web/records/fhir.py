"""FHIR R4 exchange of one patient's record: the database side of
:mod:`cluneal.interop.fhir_record`.

``GET /fhir/Patient/<id>/$everything`` answers the record as a ``searchset`` Bundle (what the
operation is defined to return); ``cluneal export-fhir`` writes the same resources as a
``collection``. ``/records/import`` (and ``cluneal import-fhir``) read either kind and create a
new patient, with everything the bundle holds, at a chosen site, in one transaction: an invalid
bundle, or a record number the site already has, saves nothing.

Imported patient links get a fresh random token hash that no token matches, and are closed
(expired at the import): the patient's original link cannot be carried to another site.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from cluneal import jsontext
from cluneal.core.record import Record
from cluneal.interop.fhir_record import NerveStatus, from_bundle, to_bundle
from cluneal.knowledge.loader import active_pack
from cluneal.validation import Invalid, Problem
from cluneal.web.accounts.access import clinical, record_sites
from cluneal.web.accounts.models import Site
from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.records.assessment import assessed
from cluneal.web.records.mapping import create_record, record_of
from cluneal.web.records.models import RECORD_NUMBER_MESSAGE, Patient, record_number_validator
from cluneal.web.records.views import patient_for

CONTENT_TYPE = "application/fhir+json"
#: Largest bundle the upload page accepts (bytes); ``CLUNEAL_FHIR_MAX_BYTES`` in the settings.
DEFAULT_MAX_BYTES = 10_000_000


def max_bytes() -> int:
    return int(getattr(settings, "CLUNEAL_FHIR_MAX_BYTES", DEFAULT_MAX_BYTES))


# -- the record as a FHIR Bundle --------------------------------------------------------------


def statuses_of(data: Record) -> list[NerveStatus]:
    """The engine's status of each nerve and side today (none if the record cannot be read)."""
    _, assessment, _ = assessed(data)
    if assessment is None:
        return []
    return NerveStatus.of(assessment)


def bundle_of(patient: Patient, bundle_type: str = "collection") -> dict[str, Any]:
    """The patient's record as a FHIR Bundle, with the derived Conditions and scores."""
    data = record_of(patient)
    return to_bundle(data, statuses=statuses_of(data), pack=active_pack(), bundle_type=bundle_type)


# -- a plain record into the database -------------------------------------------------------


def patient_path(bundle: Any) -> str:
    """The JSON path of the bundle's Patient identifier (where a clash is reported)."""
    entries = bundle.get("entry") if isinstance(bundle, dict) else None
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
            return f"entry[{i}].resource.identifier[0].value"
    return "Patient.identifier"


def import_record(
    data: Record,
    site: Site,
    *,
    request: HttpRequest | None = None,
    actor: str | None = None,
    where: str = "Patient.identifier",
) -> Patient:
    """Create a new patient at ``site`` holding everything ``data`` holds, in one transaction
    (audited ``create``). Raises :class:`Invalid` if the record number is not one a site may
    use (the same rule as the patient form) or if the site already has it."""
    number = data.patient.record_number
    try:
        record_number_validator(number)
    except ValidationError:
        raise Invalid(
            [Problem(where, f"record number {number!r}: {RECORD_NUMBER_MESSAGE}")], "import"
        ) from None
    clash = Invalid(
        [Problem(where, f"record number {number!r} already exists at site {site.name!r}")],
        "import",
    )
    try:
        with transaction.atomic():
            if Patient.objects.filter(site=site, record_number=number).exists():
                raise clash
            patient = create_record(data, site)
            record(
                request,
                Action.CREATE,
                patient=patient,
                obj=patient,
                actor=actor,
                changes={
                    "import": "fhir-r4",
                    "from_site": data.patient.site_id,
                    "visits": len(data.visits),
                    "blocks": len(data.blocks),
                    "treatments": len(data.treatments),
                    "links": len(data.links),
                },
            )
    except IntegrityError:
        raise clash from None  # another import of the same number won the race
    return patient


def parse_json(raw: bytes) -> Any:
    """JSON from uploaded bytes, or :class:`Invalid` saying why not."""
    try:
        return jsontext.loads(raw)
    except jsontext.JsonTextError as exc:
        raise Invalid([Problem("", exc.problem)], "FHIR bundle") from None


def import_bundle(
    bundle: Any,
    site: Site,
    *,
    request: HttpRequest | None = None,
    actor: str | None = None,
) -> Patient:
    """Validate ``bundle`` and import it at ``site``; :class:`Invalid` lists every problem."""
    data = from_bundle(bundle)
    return import_record(data, site, request=request, actor=actor, where=patient_path(bundle))


# -- views ----------------------------------------------------------------------------------


@clinical
@require_GET
def everything(request: HttpRequest, patient_id: Any) -> HttpResponse:
    """``Patient/$everything``: the whole record as a FHIR ``searchset`` Bundle."""
    patient = patient_for(request, patient_id)
    try:
        bundle = bundle_of(patient, "searchset")
    except Invalid as exc:
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [
                {"severity": "error", "code": "processing", "diagnostics": str(p)}
                for p in exc.problems
            ],
        }
        return HttpResponse(json.dumps(outcome), content_type=CONTENT_TYPE, status=409)
    record(
        request,
        Action.EXPORT,
        patient=patient,
        obj=patient,
        changes={"format": "fhir-r4", "operation": "$everything", "entries": bundle["total"]},
    )
    response = HttpResponse(json.dumps(bundle, ensure_ascii=False), content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


class ImportForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), empty_label=None)
    file = forms.FileField(label="FHIR Bundle (JSON)", allow_empty_file=False)

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


@clinical
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    limit = max_bytes()
    problems: list[Problem] = []
    if request.method == "POST":
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > limit + 100_000:
            # Refused before the upload is parsed (the form's fields are tiny).
            form = ImportForm(sites=record_sites(request.user))
            problems = [Problem("", f"the file is larger than {limit:,} bytes")]
            return _import_page(request, form, problems, 400)
        form = ImportForm(request.POST, request.FILES, sites=record_sites(request.user))
        if not form.is_valid():
            return _import_page(request, form, problems, 400)
        upload = form.cleaned_data["file"]
        site = form.cleaned_data["site"]
        try:
            if upload.size > limit:
                raise Invalid([Problem("", f"the file is larger than {limit:,} bytes")])
            patient = import_bundle(parse_json(upload.read()), site, request=request)
        except Invalid as exc:
            return _import_page(request, form, list(exc.problems), 400)
        return HttpResponseRedirect(f"/records/{patient.pk}/")
    form = ImportForm(sites=record_sites(request.user))
    return _import_page(request, form, problems, 200)


def _import_page(
    request: HttpRequest, form: ImportForm, problems: list[Problem], status: int
) -> HttpResponse:
    context = {"form": form, "problems": problems, "max_bytes": max_bytes()}
    return render(request, "records/import.html", context, status=status)
