"""CDS Hooks 2.0.1 endpoints: discovery, the two services, feedback; and the acceptance page."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cluneal.core import assess, parse_case
from cluneal.interop import cds
from cluneal.interop.fhir_case import read_fhir
from cluneal.knowledge.loader import active_pack
from cluneal.knowledge.reader import Invalid
from cluneal.web.accounts.access import admin_sites
from cluneal.web.calculator.form import form_data
from cluneal.web.cds.auth import AuthError, remember_jti, verify
from cluneal.web.cds.fetch import MissingData, resolve_prefetch
from cluneal.web.cds.models import CardFeedback, IssuedCard, Outcome

log = logging.getLogger(__name__)


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _public_url(request: HttpRequest) -> str:
    return settings.CLUNEAL_PUBLIC_URL or f"{request.scheme}://{request.get_host()}"


def _authenticate(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or len(header) > 10_000:
        log.info("CDS request refused: no bearer token")
        return _error(401, "unauthorized")
    try:
        claims = verify(header[7:].strip(), _public_url(request) + request.path)
        remember_jti(claims)
    except AuthError as exc:
        log.info("CDS request refused: %s", exc)
        return _error(401, "unauthorized")
    return claims


def _body(request: HttpRequest) -> Any:
    length = request.headers.get("Content-Length", "0")
    if not length.isdigit() or int(length) > settings.CLUNEAL_CDS_MAX_BYTES:
        return _error(413, "request too large")
    if (request.content_type or "") != "application/json":
        return _error(415, "send application/json")
    try:
        data = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return _error(400, "the body is not valid JSON")
    if not isinstance(data, dict):
        return _error(400, "the body must be a JSON object")
    return data


@csrf_exempt
@require_GET
def discovery(request: HttpRequest) -> HttpResponse:
    claims = _authenticate(request)
    if isinstance(claims, JsonResponse):
        return claims
    return JsonResponse(cds.discovery())


def _check_request(data: dict[str, Any], hook: str) -> str | None:
    """What is wrong with a hook request, or None."""
    if data.get("hook") != hook:
        return f"this service answers the {hook} hook"
    if not isinstance(data.get("hookInstance"), str):
        return "hookInstance is required"
    context = data.get("context")
    if not isinstance(context, dict) or not isinstance(context.get("patientId"), str):
        return "context.patientId is required"
    if not isinstance(context.get("userId"), str):
        return "context.userId is required"
    if hook == "order-sign":
        orders = context.get("draftOrders")
        if not isinstance(orders, dict) or orders.get("resourceType") != "Bundle":
            return "context.draftOrders must be a FHIR Bundle"
    for key in ("prefetch", "fhirAuthorization"):
        if data.get(key) is not None and not isinstance(data.get(key), dict):
            return f"{key} must be an object"
    if data.get("fhirServer") is not None and not isinstance(data.get("fhirServer"), str):
        return "fhirServer must be a string"
    return None


def _entries(bundle: Any) -> list[dict[str, Any]]:
    if not isinstance(bundle, dict):
        return []
    out = []
    for entry in bundle.get("entry") or []:
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
            out.append(entry["resource"])
    return out


@csrf_exempt
@require_POST
def service(request: HttpRequest, service_id: str) -> HttpResponse:
    if service_id not in cds.SERVICES:
        return _error(404, "no such service")
    claims = _authenticate(request)
    if isinstance(claims, JsonResponse):
        return claims
    data = _body(request)
    if isinstance(data, JsonResponse):
        return data
    hook = cds.SERVICES[service_id]["hook"]
    if problem := _check_request(data, hook):
        return _error(400, problem)
    try:
        prefetch = resolve_prefetch(data, cds.PREFETCH, settings.CLUNEAL_CDS_FHIR_TIMEOUT)
    except MissingData as exc:
        log.info("CDS %s: %s", service_id, exc)
        return _error(412, "prefetch data is missing and the FHIR server could not provide it")
    patient = prefetch["patient"] if isinstance(prefetch.get("patient"), dict) else None
    resources = [
        r for key in ("conditions", "procedures", "orders") for r in _entries(prefetch[key])
    ]
    context = data["context"]
    drafts = _entries(context.get("draftOrders")) if hook == "order-sign" else []
    pack = active_pack()
    findings = read_fhir(resources, pack, patient=patient, draft_orders=drafts)
    try:
        case = parse_case(findings.case)
    except Invalid as exc:
        log.warning("CDS %s: EHR data made an invalid case: %s", service_id, exc)
        return JsonResponse({"cards": []})
    assessment = assess(case, pack)
    base = _public_url(request)
    if hook == "patient-view":
        query = form_data(findings.case).urlencode()
        cards = cds.patient_view_cards(findings, assessment, pack, base, query)
    else:
        cards = cds.order_sign_cards(
            findings, assessment, pack, base, context["patientId"], cds.block_order
        )
    IssuedCard.objects.bulk_create(
        IssuedCard(
            uuid=c["uuid"], service=service_id, indicator=c["indicator"], issuer=claims["iss"][:300]
        )
        for c in cards
    )
    return JsonResponse({"cards": cards})


def _parse_feedback(data: dict[str, Any]) -> list[dict[str, Any]] | str:
    items = data.get("feedback")
    if not isinstance(items, list) or not items:
        return "feedback must be a non-empty list"
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("card"), str):
            return f"feedback[{i}].card is required"
        outcome = item.get("outcome")
        if outcome not in Outcome.values:
            return f"feedback[{i}].outcome must be accepted or overridden"
        try:
            when = dt.datetime.fromisoformat(
                str(item.get("outcomeTimestamp")).replace("Z", "+00:00")
            )
        except ValueError:
            return f"feedback[{i}].outcomeTimestamp must be an ISO 8601 date-time"
        reason = item.get("overrideReason") or {}
        coding = reason.get("reason") or {} if isinstance(reason, dict) else {}
        if not isinstance(coding, dict):
            return f"feedback[{i}].overrideReason.reason must be an object"
        accepted = item.get("acceptedSuggestions") or []
        if not isinstance(accepted, list):
            return f"feedback[{i}].acceptedSuggestions must be a list"
        out.append(
            {
                "card": item["card"][:64],
                "outcome": outcome,
                "outcome_timestamp": when if when.tzinfo else when.replace(tzinfo=dt.UTC),
                "accepted_suggestions": [str(s.get("id")) for s in accepted if isinstance(s, dict)],
                "override_code": str(coding.get("code", ""))[:100],
                "override_system": str(coding.get("system", ""))[:300],
                "override_comment": str(reason.get("userComment", ""))[:2000]
                if isinstance(reason, dict)
                else "",
            }
        )
    return out


@csrf_exempt
@require_POST
def feedback(request: HttpRequest, service_id: str) -> HttpResponse:
    if service_id not in cds.SERVICES:
        return _error(404, "no such service")
    claims = _authenticate(request)
    if isinstance(claims, JsonResponse):
        return claims
    data = _body(request)
    if isinstance(data, JsonResponse):
        return data
    parsed = _parse_feedback(data)
    if isinstance(parsed, str):
        return _error(400, parsed)
    with transaction.atomic():
        for item in parsed:
            CardFeedback.objects.create(service=service_id, issuer=claims["iss"][:300], **item)
    return HttpResponse(status=200)


@require_http_methods(["GET"])
def acceptance(request: HttpRequest) -> HttpResponse:
    """Card acceptance rate per service, for site administrators and superusers."""
    user = request.user
    if not user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not (user.is_superuser or admin_sites(user).exists()):
        raise PermissionDenied
    rows = []
    for service_id, spec in cds.SERVICES.items():
        issued = IssuedCard.objects.filter(service=service_id).count()
        counts = CardFeedback.objects.filter(service=service_id).aggregate(
            accepted=Count("id", filter=Q(outcome=Outcome.ACCEPTED)),
            overridden=Count("id", filter=Q(outcome=Outcome.OVERRIDDEN)),
        )
        answered = counts["accepted"] + counts["overridden"]
        reasons = (
            CardFeedback.objects.filter(service=service_id, outcome=Outcome.OVERRIDDEN)
            .values("override_code")
            .annotate(n=Count("id"))
            .order_by("-n")
        )
        rows.append(
            {
                "id": service_id,
                "title": spec["title"],
                "issued": issued,
                "answered": answered,
                "rate": None if not answered else round(100 * counts["accepted"] / answered, 1),
                **counts,
                "reasons": list(reasons),
            }
        )
    return render(request, "cds/acceptance.html", {"rows": rows})


@require_GET
def integrators(request: HttpRequest) -> HttpResponse:
    """How to register the service in an EHR, with this server's own addresses."""
    return render(
        request,
        "cds/integrators.html",
        {
            "base": _public_url(request),
            "public_url": settings.CLUNEAL_PUBLIC_URL,
            "services": list(cds.SERVICES.values()),
            "prefetch": json.dumps(cds.PREFETCH, indent=2),
            "issuers": sorted(settings.CLUNEAL_CDS_TRUSTED_ISSUERS),
        },
    )
