"""Patient links: a pain diary after a block, or a questionnaire, filled in without an account.

The clinician issues a link; the patient opens it on a phone. The token is 256 random bits and
only its SHA-256 is stored; a token opens its own form and nothing else, until it expires.
Each diary entry recomputes how long the block's relief lasted, so the ladder updates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cluneal.core import parse_case
from cluneal.knowledge.loader import active_pack
from cluneal.validation import Invalid
from cluneal.web.accounts.access import clinical
from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.calculator.form import build_case
from cluneal.web.calculator.views import pack_items
from cluneal.web.records.diary import DIARY_DAYS, relief_days
from cluneal.web.records.forms import LinkForm
from cluneal.web.records.models import DiaryEntry, LinkKind, PatientLink, QuestionnaireAnswer
from cluneal.web.records.views import patient_for


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue_link(patient: Any, kind: str, block: Any, user: Any) -> tuple[PatientLink, str]:
    token = secrets.token_urlsafe(32)
    link = PatientLink.objects.create(
        patient=patient,
        block=block if kind == LinkKind.DIARY else None,
        kind=kind,
        token_hash=token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=settings.CLUNEAL_LINK_DAYS),
        created_by=user,
    )
    return link, token


@clinical
@require_http_methods(["GET", "POST"])
def link_new(request: HttpRequest, patient_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    form = LinkForm(request.POST or None, patient=patient)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "records/link_form.html", {"form": form, "patient": patient}, status=400
            )
        with transaction.atomic():
            link, token = issue_link(
                patient, form.cleaned_data["kind"], form.cleaned_data["block"], request.user
            )
            record(
                request,
                Action.CREATE,
                patient=patient,
                obj=link,
                changes={"kind": link.kind, "expires_at": link.expires_at.isoformat()},
            )
        url = request.build_absolute_uri(f"/p/{token}")
        return render(
            request, "records/link_issued.html", {"patient": patient, "link": link, "url": url}
        )
    return render(request, "records/link_form.html", {"form": form, "patient": patient})


def _link(token: str) -> PatientLink:
    if len(token) > 100:
        raise Http404
    try:
        return PatientLink.objects.select_related("patient__site", "block").get(
            token_hash=token_hash(token)
        )
    except PatientLink.DoesNotExist:
        raise Http404 from None


def _update_relief(link: PatientLink) -> None:
    block = link.block
    if block is None or (block.relief_days is not None and not block.relief_days_from_diary):
        return  # a value the clinician entered is never overwritten
    entries = [(e.date, e.nrs) for e in link.entries.all()]
    days = relief_days(block.date, block.nrs_before, entries, active_pack().block_definition)
    block.relief_days = days
    block.relief_days_from_diary = days is not None
    block.save(update_fields=["relief_days", "relief_days_from_diary"])


@never_cache
@require_http_methods(["GET", "POST"])
def patient_page(request: HttpRequest, token: str) -> HttpResponse:
    link = _link(token)
    actor = f"patient link {str(link.pk)[:8]}"
    if link.expires_at <= timezone.now():
        return render(
            request, "records/patient_link_closed.html", {"reason": "expired"}, status=410
        )
    if link.kind != LinkKind.DIARY and link.completed_at is not None:
        return render(request, "records/patient_link_closed.html", {"reason": "done"}, status=410)
    if link.kind == LinkKind.DIARY:
        return _diary(request, link, actor)
    return _questionnaire(request, link, actor)


def _diary_days(link: PatientLink) -> list[dt.date]:
    assert link.block is not None
    today = timezone.localdate()
    first = link.block.date + dt.timedelta(days=1)
    return [d for k in range(DIARY_DAYS) if (d := first + dt.timedelta(days=k)) <= today]


def _diary(request: HttpRequest, link: PatientLink, actor: str) -> HttpResponse:
    days = _diary_days(link)
    error = None
    status = 200
    if request.method == "POST":
        day = _parse(dt.date.fromisoformat, request.POST.get("date", ""))
        nrs = _parse(int, request.POST.get("nrs", ""))
        if day not in days:
            error, status = "Choose one of the days listed.", 400
        elif nrs is None or not 0 <= nrs <= 10:
            error, status = (
                "Choose a pain score from 0 (no pain) to 10 (worst pain imaginable).",
                400,
            )
        else:
            with transaction.atomic():
                DiaryEntry.objects.update_or_create(link=link, date=day, defaults={"nrs": nrs})
                _update_relief(link)
                record(
                    request,
                    Action.PATIENT_LINK,
                    patient=link.patient,
                    obj=link,
                    actor=actor,
                    changes={"diary": {"date": day.isoformat(), "nrs": nrs}},
                )
            return HttpResponseRedirect(request.path + "?saved=1")
    entries = {e.date: e.nrs for e in link.entries.all()}
    rows = [(d, (d - link.block.date).days, entries.get(d)) for d in days]  # type: ignore[union-attr]
    context = {
        "link": link,
        "rows": rows,
        "error": error,
        "saved": request.GET.get("saved"),
        "today": timezone.localdate(),
        "scale": range(11),
    }
    return render(request, "records/patient_diary.html", context, status=status)


def _parse(convert: Any, raw: str) -> Any:
    try:
        return convert(raw)
    except ValueError:
        return None


def _claim(link: PatientLink) -> bool:
    """Mark a questionnaire link answered, if it still is open, in one conditional UPDATE.

    Of several submissions of one link at the same moment (a double tap, two tabs), exactly one
    claims it: the database applies the UPDATEs one after the other (PostgreSQL re-checks the
    condition on the row it waited for; SQLite runs one writing transaction at a time), so the
    others find it answered. Only the claimant stores answers."""
    now = timezone.now()
    claimed = PatientLink.objects.filter(
        pk=link.pk, completed_at__isnull=True, expires_at__gt=now
    ).update(completed_at=now)
    return claimed == 1


def _closed_meanwhile(request: HttpRequest, link: PatientLink) -> HttpResponse:
    """409 when another submission answered the link first; 410 when it expired or was revoked
    since the page was opened."""
    link.refresh_from_db(fields=["completed_at", "expires_at"])
    if link.completed_at is not None:
        return render(request, "records/patient_link_closed.html", {"reason": "done"}, status=409)
    return render(request, "records/patient_link_closed.html", {"reason": "expired"}, status=410)


def _questionnaire(request: HttpRequest, link: PatientLink, actor: str) -> HttpResponse:
    pack = active_pack()
    problems: list[Any] = []
    status = 200
    if request.method == "POST":
        case = build_case(request.POST).case
        values = (case.get("questionnaires") or {}).get(link.kind)
        if values is None:
            values = [] if link.kind == LinkKind.RMDQ else None
        try:
            if values is None:
                raise Invalid([], "questionnaire")
            parse_case({"format": "cluneal-case/1", "questionnaires": {link.kind: values}})
        except Invalid as exc:
            problems = list(exc.problems) or ["Please answer the questions."]  # type: ignore[list-item]
            status = 400
        else:
            with transaction.atomic():
                if not _claim(link):
                    return _closed_meanwhile(request, link)
                QuestionnaireAnswer.objects.create(
                    link=link, instrument=link.kind, values=values, date=timezone.localdate()
                )
                record(
                    request,
                    Action.PATIENT_LINK,
                    patient=link.patient,
                    obj=link,
                    actor=actor,
                    changes={"questionnaire": link.kind},
                )
            return render(request, "records/patient_link_closed.html", {"reason": "thanks"})
    inst = pack.instruments[link.kind]
    context = {
        "link": link,
        "instrument": inst,
        "items": list(enumerate(pack_items(pack, link.kind), start=1)),
        "problems": problems,
        "data": request.POST,
    }
    return render(request, "records/patient_questionnaire.html", context, status=status)


@clinical
@require_POST
def link_revoke(request: HttpRequest, patient_id: Any, link_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    link = PatientLink.objects.filter(patient=patient, pk=link_id).first()
    if link is None:
        raise Http404
    link.expires_at = timezone.now()
    link.save(update_fields=["expires_at"])
    record(request, Action.UPDATE, patient=patient, obj=link, changes={"revoked": True})
    return HttpResponseRedirect(f"/records/{patient.pk}/")
