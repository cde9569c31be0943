"""CDS Hooks 2.0.1 endpoints: discovery, the two services, feedback; and the acceptance page."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cluneal import jsontext
from cluneal.core import assess, parse_case
from cluneal.interop import cds
from cluneal.interop.fhir_case import read_fhir
from cluneal.knowledge.loader import active_pack
from cluneal.validation import Invalid, Problem
from cluneal.web.accounts.access import admin_sites
from cluneal.web.api.views import problems_response
from cluneal.web.calculator.form import form_data
from cluneal.web.cds.auth import AuthError, record, verify
from cluneal.web.cds.feedback import read_feedback
from cluneal.web.cds.fetch import MissingData, Refused, resolve_prefetch
from cluneal.web.cds.fhir_shape import bundle_resources
from cluneal.web.cds.models import CardFeedback, IssuedCard, Outcome
from cluneal.web.cds.notes import request_notes
from cluneal.web.cds.schema import read_hook_request
from cluneal.web.cds.timing import stages_of

log = logging.getLogger(__name__)


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _problems(status: int, detail: str, problems: Iterable[Problem]) -> JsonResponse:
    return problems_response(list(problems), detail, status)


def _public_url(request: HttpRequest) -> str:
    return settings.CLUNEAL_PUBLIC_URL or f"{request.scheme}://{request.get_host()}"


def _verified(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The verified claims of the request's token (its ``jti`` not yet recorded: see
    :func:`_answer`); or a bare 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        log.info("CDS request refused: no bearer token")
        return _error(401, "unauthorized")
    try:
        return verify(token.strip(), _public_url(request) + request.path)
    except AuthError as exc:
        log.info("CDS request refused: %s", exc)
        return _error(401, "unauthorized")


def _answer(
    claims: dict[str, Any], response: HttpResponse, writes: list[Any] | None = None
) -> HttpResponse:
    """``response``, once the token's ``jti`` and ``writes`` (issued cards, feedback) are stored
    in one transaction; a bare 401 instead if the ``jti`` was used before (the writes are then
    not kept). Every answer to an authenticated request goes through here, errors included, so
    that a token is good for one request, whatever that request held."""
    try:
        record(claims, writes or [])
    except AuthError as exc:
        log.info("CDS request refused: %s", exc)
        return _error(401, "unauthorized")
    return response


def _too_large() -> JsonResponse:
    limit = settings.CLUNEAL_CDS_MAX_BYTES
    return _error(413, f"the body is over the limit of {limit:,} bytes (CLUNEAL_CDS_MAX_BYTES)")


def _read_limited(request: HttpRequest) -> bytes | JsonResponse:
    """The raw body, read up to ``CLUNEAL_CDS_MAX_BYTES`` and no further: the one size limit of
    the CDS endpoints (Django's own, ``DATA_UPLOAD_MAX_MEMORY_SIZE``, is not involved).

    With a Content-Length, a larger one is refused unread and at most that many bytes are read;
    without one (chunked), the body is read when the server marks the stream as ending
    (``wsgi.input_terminated``, as gunicorn does), and refused as soon as it passes the limit."""
    limit = settings.CLUNEAL_CDS_MAX_BYTES
    length = request.META.get("CONTENT_LENGTH") or ""
    if length:
        if not (length.isascii() and length.isdigit()):
            return _error(400, "the Content-Length header is not a number")
        if int(length) > limit:
            return _too_large()
        stream: Any = request  # Django limits its stream to the Content-Length
    elif request.META.get("wsgi.input_terminated"):
        stream = request.META["wsgi.input"]
    else:
        return b""
    chunks, size = [], 0
    try:
        while size <= limit:
            chunk = stream.read(min(65_536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:  # the client went away mid-body
        return _error(400, f"the body could not be read ({exc})")
    if size > limit:
        return _too_large()
    return b"".join(chunks)


def _body(request: HttpRequest) -> Any:
    """The JSON body, or the 413, 415 or 400 answer saying what is wrong with it."""
    if (request.content_type or "") != "application/json":
        return _error(415, "send application/json")
    raw = _read_limited(request)
    if isinstance(raw, JsonResponse):
        return raw
    try:
        return jsontext.loads(raw)
    except jsontext.JsonTextError as exc:
        return _problems(400, "the body is not valid JSON", [Problem("", exc.problem)])


def _json(data: dict[str, Any]) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), content_type="application/json")


@csrf_exempt
@require_GET
def discovery(request: HttpRequest) -> HttpResponse:
    claims = _verified(request)
    if isinstance(claims, JsonResponse):
        return claims
    return _answer(claims, JsonResponse(cds.discovery()))


Endpoint = Callable[[HttpRequest, str, dict[str, Any], Any], HttpResponse]


def _posted(view: Endpoint) -> Callable[[HttpRequest, str], HttpResponse]:
    """A service's POST endpoint: an unknown service is 404, then the token is verified and the
    JSON body read (each answering its own error), and the view gets the claims and the body."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def endpoint(request: HttpRequest, service_id: str) -> HttpResponse:
        if service_id not in cds.SERVICES:
            return _error(404, "no such service")
        stages = stages_of(request)
        stages.mark()
        claims = _verified(request)
        stages.lap("jwt")
        if isinstance(claims, JsonResponse):
            return claims
        data = _body(request)
        stages.lap("parse")
        if isinstance(data, JsonResponse):
            return _answer(claims, data)
        return view(request, service_id, claims, data)

    return endpoint


@_posted
def service(
    request: HttpRequest, service_id: str, claims: dict[str, Any], data: Any
) -> HttpResponse:
    stages = stages_of(request)
    hook = cds.SERVICES[service_id]["hook"]
    try:
        hook_request = read_hook_request(data, hook, cds.PREFETCH)
    except Invalid as exc:
        return _answer(
            claims, _problems(400, "not a valid CDS Hooks request for this service", exc.problems)
        )
    stages.lap("schema")
    try:
        prefetch = resolve_prefetch(
            hook_request, cds.CHART, claims["iss"], settings.CLUNEAL_CDS_FHIR_TIMEOUT
        )
    except Refused as exc:
        log.warning("CDS %s: FHIR server refused for %s: %s", service_id, claims["iss"], exc)
        detail = "the FHIR server is not one this service may call"
        return _answer(claims, _problems(412, detail, exc.problems))
    except MissingData as exc:
        log.info("CDS %s: %s", service_id, exc)
        detail = "prefetch data is missing and the FHIR server could not provide it"
        return _answer(claims, _problems(412, detail, exc.problems))
    stages.lap("fetch")
    pack = active_pack()
    notes = request_notes(hook_request, claims["iss"], pack)
    if notes is not None and (notes.skipped or notes.problems):
        log.info("CDS %s: notes not read: %s", service_id, notes.log_entry())
    stages.lap("notes")
    resources = [
        r for key in ("conditions", "procedures", "orders") for r in bundle_resources(prefetch[key])
    ]
    findings = read_fhir(
        resources,
        pack,
        patient=prefetch["patient"],
        draft_orders=hook_request.draft_orders,
        notes=notes.evidence if notes is not None else (),
    )
    try:
        case = parse_case(findings.case)
    except Invalid as exc:
        log.warning("CDS %s: EHR data made an invalid case: %s", service_id, exc)
        return _answer(claims, _json({"cards": []}))
    stages.lap("fhir")
    assessment = assess(case, pack)
    stages.lap("engine")
    base = _public_url(request)
    if hook == "patient-view":
        query = form_data(findings.case).urlencode()
        cards = cds.patient_view_cards(findings, assessment, pack, base, query)
    else:
        cards = cds.order_sign_cards(
            findings, assessment, pack, base, hook_request.patient_id, cds.block_order
        )
    issued = [
        IssuedCard(
            uuid=c["uuid"], service=service_id, indicator=c["indicator"], issuer=claims["iss"][:300]
        )
        for c in cards
    ]
    body: dict[str, Any] = {"cards": cards}
    if notes is not None:
        body["extension"] = {cds.NOTES_EXTENSION: notes.log_entry()}
    stages.lap("cards")
    answer = _json(body)
    stages.lap("json")
    answer = _answer(claims, answer, issued)
    stages.lap("db")
    return answer


@_posted
def feedback(
    request: HttpRequest, service_id: str, claims: dict[str, Any], data: Any
) -> HttpResponse:
    try:
        items = read_feedback(data)
    except Invalid as exc:
        return _answer(claims, _problems(400, "not valid CDS Hooks feedback", exc.problems))
    stored = [
        CardFeedback(service=service_id, issuer=claims["iss"][:300], **item) for item in items
    ]
    return _answer(claims, HttpResponse(status=200), stored)


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
