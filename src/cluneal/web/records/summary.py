"""The printable visit summary / referral letter (PDF), audited as a print of the record."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from cluneal.knowledge.loader import active_pack
from cluneal.web.accounts.access import clinical
from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.core.downloads import download
from cluneal.web.records.assessment import record_assessment
from cluneal.web.records.pdf import summary_pdf
from cluneal.web.records.timeline import timeline
from cluneal.web.records.views import patient_for


@clinical
@require_GET
def summary_pdf_view(request: HttpRequest, patient_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    visit = None
    if request.GET.get("visit"):
        visit = patient.visits.filter(pk__in=[_uuid(request.GET["visit"])]).first()
        if visit is None:
            raise Http404
    assessment, problems = record_assessment(patient, visit.date if visit else None)
    if assessment is None:
        return HttpResponse(
            "The record holds data the engine cannot read: " + "; ".join(problems),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    data = summary_pdf(
        patient,
        assessment,
        active_pack(),
        timeline(patient),
        author=request.user.get_username(),
        visit=visit,
    )
    record(request, Action.PRINT, patient=patient, obj=visit or patient, changes={"format": "pdf"})
    return download(data, "application/pdf", f"cluneal-{patient.record_number}.pdf")


def _uuid(value: str) -> Any:
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None
