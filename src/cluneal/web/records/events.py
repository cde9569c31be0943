"""Blocks and treatments: create, edit, delete, each audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cluneal.web.accounts.access import clinical, get_scoped
from cluneal.web.audit.log import delete_recorded, record, record_saved, snapshot
from cluneal.web.audit.models import Action
from cluneal.web.records.forms import BlockForm, TreatmentForm
from cluneal.web.records.models import Block, Patient, Treatment
from cluneal.web.records.views import patient_for

KINDS: dict[str, tuple[type[Model], type[ModelForm], str]] = {  # type: ignore[type-arg]
    "blocks": (Block, BlockForm, "block"),
    "treatments": (Treatment, TreatmentForm, "treatment"),
}


def _edit(request: HttpRequest, patient: Patient, kind: str, obj: Model | None) -> HttpResponse:
    _, form_class, label = KINDS[kind]
    before = snapshot(obj) if obj is not None else None
    form = form_class(request.POST or None, instance=obj)
    context = {"form": form, "patient": patient, "label": label, "obj": obj}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "records/event_form.html", context, status=400)
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.patient = patient
            if isinstance(saved, Block) and "relief_days" in form.changed_data:
                saved.relief_days_from_diary = False
            saved.save()
            record_saved(request, saved, before, patient=patient)
            patient.save(update_fields=["updated_at"])
        return HttpResponseRedirect(f"/records/{patient.pk}/")
    if obj is not None:
        record(request, Action.VIEW, patient=patient, obj=obj, changes={"form": "edit"})
    return render(request, "records/event_form.html", context)


def _object(request: HttpRequest, patient: Patient, kind: str, object_id: Any) -> Model:
    model = KINDS[kind][0]
    return get_scoped(
        model.objects.filter(patient=patient), request.user, "patient__site", pk=object_id
    )


@clinical
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest, patient_id: Any, kind: str) -> HttpResponse:
    return _edit(request, patient_for(request, patient_id), kind, None)


@clinical
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, patient_id: Any, kind: str, object_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    return _edit(request, patient, kind, _object(request, patient, kind, object_id))


@clinical
@require_http_methods(["GET", "POST"])
def event_delete(request: HttpRequest, patient_id: Any, kind: str, object_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    obj = _object(request, patient, kind, object_id)
    if request.method == "POST":
        delete_recorded(request, obj, patient=patient)
        return HttpResponseRedirect(f"/records/{patient.pk}/")
    return render(
        request,
        "records/confirm_delete.html",
        {"patient": patient, "what": f"this {KINDS[kind][2]} ({obj})"},
    )
