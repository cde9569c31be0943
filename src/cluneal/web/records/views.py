"""Patients and visits. Every read and change of patient data is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from cluneal.core import bodymap, parse_case
from cluneal.core.record import pain_sites
from cluneal.knowledge.loader import active_pack
from cluneal.validation import Invalid
from cluneal.web.accounts.access import clinical, get_scoped, record_sites, scoped
from cluneal.web.audit.log import delete_recorded, reading, record, record_saved, snapshot
from cluneal.web.audit.models import Action
from cluneal.web.calculator import choices
from cluneal.web.calculator.diagram import diagram_context
from cluneal.web.calculator.form import build_case, field_for, form_data
from cluneal.web.calculator.views import pack_items, present
from cluneal.web.records.assessment import assessed
from cluneal.web.records.forms import PatientForm
from cluneal.web.records.mapping import record_of
from cluneal.web.records.models import Patient, Visit
from cluneal.web.records.timeline import timeline, timeline_svg_context

PAGE_SIZE = 50


def patient_for(request: HttpRequest, patient_id: Any) -> Patient:
    """The patient of a patient-scoped request, if at one of the user's sites: the one place
    those views get their patient, so the one place their reads are audited.

    Another site's patient answers 404 exactly like an id that does not exist, and the probe is
    audited as a denied read at that patient's site (its administrators see who tried)."""
    try:
        patient = get_scoped(
            Patient.objects.select_related("site"), request.user, "site", pk=patient_id
        )
    except Http404:
        _audit_probe(request, patient_id)
        raise
    reading(request, patient)
    return patient


def _audit_probe(request: HttpRequest, patient_id: Any) -> None:
    try:
        other = Patient.objects.select_related("site").filter(pk=patient_id).first()
    except (ValueError, ValidationError):
        return
    if other is not None:
        match = request.resolver_match
        page = match.url_name if match else request.path[:100]
        changes = {"denied": "not at the user's sites", "status": 404, "page": page}
        record(request, Action.VIEW, patient=other, obj=other, changes=changes)


def assessment_context(patient: Patient, as_of: dt.date | None = None) -> dict[str, Any]:
    pack = active_pack()
    case, assessment, problems = assessed(record_of(patient), as_of)
    exam: dict[str, Any] = dict(case.exam) if case is not None else {}
    return {
        "pack": pack,
        "assessment": assessment,
        "problems": problems,
        "view": present(assessment, pack) if assessment else None,
        "diagram": diagram_context(exam, pack.settings),
    }


@clinical
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:40]
    patients = scoped(Patient.objects.select_related("site"), request.user).order_by(
        "-updated_at", "record_number"
    )
    if query:
        patients = patients.filter(record_number__istartswith=query)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    record(request, Action.VIEW, changes={"list": "patients", "query": query, "page": page.number})
    return render(request, "records/patient_list.html", {"page": page, "query": query})


@clinical
@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    return _patient_form(request, None)


def _patient_form(request: HttpRequest, patient: Patient | None) -> HttpResponse:
    """A new patient's form (``patient`` None) or the form of ``patient``, and its saving."""
    before = None if patient is None else snapshot(patient)
    form = PatientForm(request.POST or None, instance=patient, sites=record_sites(request.user))
    context = {"form": form, "patient": patient}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "records/patient_form.html", context, status=400)
        with transaction.atomic():
            saved = form.save()
            record_saved(request, saved, before, patient=saved)
        return HttpResponseRedirect(f"/records/{saved.pk}/")
    if patient is not None:
        record(request, Action.VIEW, patient=patient, obj=patient, changes={"form": "edit"})
    return render(request, "records/patient_form.html", context)


@clinical
@require_GET
def patient_detail(request: HttpRequest, patient_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    record(request, Action.VIEW, patient=patient, obj=patient)
    context = assessment_context(patient)
    context.update(
        patient=patient,
        visits=patient.visits.all().order_by("-date", "-created_at"),
        blocks=patient.blocks.all(),
        treatments=patient.treatments.all(),
        links=patient.links.select_related("block").all(),
        timeline=timeline_svg_context(timeline(patient)),
    )
    return render(request, "records/patient_detail.html", context)


@clinical
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: Any) -> HttpResponse:
    return _patient_form(request, patient_for(request, patient_id))


@clinical
@require_http_methods(["GET", "POST"])
def patient_delete(request: HttpRequest, patient_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    if request.method == "POST":
        delete_recorded(request, patient, patient=patient)
        return HttpResponseRedirect("/records/")
    record(request, Action.VIEW, patient=patient, obj=patient, changes={"form": "delete"})
    return render(
        request,
        "records/confirm_delete.html",
        {"patient": patient, "what": "this patient and their whole record"},
    )


def visit_form_context(request: HttpRequest, data: Any, problems: list[Any]) -> dict[str, Any]:
    pack = active_pack()
    form = build_case(data)
    drawn = bodymap.read(data)
    return {
        "form": form,
        "in_record": True,
        "choices": choices.CHOICES,
        "pack": pack,
        "problems": problems,
        "field_errors": {f: p.message for p in problems if (f := field_for(p.path))},
        "body_views": [(view, bodymap.shapes(view, drawn)) for view in bodymap.VIEWS],
        "startback_items": list(enumerate(pack_items(pack, "startback"), start=1)),
        "odi_items": list(enumerate(pack_items(pack, "odi"), start=1)),
        "rmdq_items": list(range(1, 25)),
    }


def _save_visit(request: HttpRequest, patient: Patient, visit: Visit | None) -> HttpResponse:
    data = request.POST
    form = build_case(data)
    drawn = bodymap.read(data)
    case = dict(form.case)
    history = dict(case.get("history") or {})
    sites = pain_sites(drawn)
    if sites is not None:
        history["pain_sites"] = sites
    case["history"] = history
    problems: list[Any] = []
    try:
        date = dt.date.fromisoformat(data.get("date", ""))
    except ValueError:
        date = None
    try:
        parse_case(case)
    except Invalid as exc:
        problems = list(exc.problems)
    if date is None or problems:
        context = visit_form_context(request, data, problems)
        context.update(
            patient=patient,
            visit=visit,
            date=data.get("date", ""),
            date_error=None if date else "Enter the visit date.",
            notes=data.get("notes", ""),
        )
        return render(request, "records/visit_form.html", context, status=400)
    history.pop("pain_sites", None)
    values = {
        "date": date,
        "history": history,
        "body_map": drawn,
        "exam": case.get("exam") or {},
        "questionnaires": case.get("questionnaires") or {},
        "current_nrs": case.get("current_nrs"),
        "notes": data.get("notes", "")[:20_000],
    }
    with transaction.atomic():
        if visit is None:
            before = None
            visit = Visit.objects.create(patient=patient, created_by=request.user, **values)
        else:
            before = snapshot(visit)
            for key, value in values.items():
                setattr(visit, key, value)
            visit.save()
        record_saved(request, visit, before, patient=patient)
        patient.save(update_fields=["updated_at"])
    return HttpResponseRedirect(f"/records/{patient.pk}/visits/{visit.pk}/")


@clinical
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, patient_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    if request.method == "POST":
        return _save_visit(request, patient, None)
    context = visit_form_context(request, request.GET, [])
    context.update(patient=patient, visit=None, date=dt.date.today().isoformat())
    return render(request, "records/visit_form.html", context)


def visit_for(request: HttpRequest, patient: Patient, visit_id: Any) -> Visit:
    return get_scoped(
        Visit.objects.filter(patient=patient), request.user, "patient__site", pk=visit_id
    )


@clinical
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, patient_id: Any, visit_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    visit = visit_for(request, patient, visit_id)
    if request.method == "POST":
        return _save_visit(request, patient, visit)
    data = form_data(
        {
            "history": visit.history,
            "exam": visit.exam,
            "questionnaires": visit.questionnaires,
            "current_nrs": visit.current_nrs,
        }
    )
    for view, sides in (visit.body_map or {}).items():
        for side, regions in sides.items():
            data.setlist(bodymap.field_name(view, side), regions)
    record(request, Action.VIEW, patient=patient, obj=visit, changes={"form": "edit"})
    context = visit_form_context(request, data, [])
    context.update(patient=patient, visit=visit, date=visit.date.isoformat(), notes=visit.notes)
    return render(request, "records/visit_form.html", context)


@clinical
@require_GET
def visit_detail(request: HttpRequest, patient_id: Any, visit_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    visit = visit_for(request, patient, visit_id)
    record(request, Action.VIEW, patient=patient, obj=visit)
    context = assessment_context(patient, as_of=visit.date)
    context.update(patient=patient, visit=visit, regions=bodymap.REGIONS)
    return render(request, "records/visit_detail.html", context)
