"""The JSON API, versioned under ``/api/v1/`` (django-ninja serves the OpenAPI schema and docs)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import NinjaAPI, Swagger

from cluneal import jsontext
from cluneal.core import assess, parse_case
from cluneal.core.summary import describe_pack
from cluneal.interop.jsonschema import assessment_schema, case_schema, problems_schema
from cluneal.knowledge.loader import PackError, active_pack, default_pack, with_settings
from cluneal.validation import Invalid, Problem
from cluneal.web.api.notes import NOTES_OPENAPI, notes, request_body


class ApiDocs(Swagger):
    """Swagger UI at /api/v1/docs in a page of Cluneal's (core/api_docs.html) that meets WCAG 2.1
    AA: it names its language, darkens Swagger's colours and names the controls Swagger leaves
    unnamed. Without deep links, which Swagger UI puts inside the button that opens an operation
    (a control in a control), and without syntax highlighting, whose colours are too faint."""

    template = "core/api_docs.html"


api = NinjaAPI(
    title="Cluneal API",
    version="1",
    description=(
        "Decision support for superior and middle cluneal nerve entrapment. "
        "Every statement in an assessment carries the ids of its sources; "
        "`GET /api/v1/knowledge` lists them with full citations. "
        "Formats: docs/case-format.md (cluneal-case/1 and cluneal-assessment/1)."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    docs=ApiDocs(settings={"deepLinking": False, "syntaxHighlight": False}),
    openapi_url="/openapi.json",
)


def problems_response(
    problems: list[Problem] | tuple[Problem, ...], detail: str, status: int = 422
) -> JsonResponse:
    body = {
        "format": "cluneal-problems/1",
        "detail": detail,
        "problems": [{"path": p.path, "message": p.message} for p in problems],
    }
    return JsonResponse(body, status=status)


def read_json_body(request: HttpRequest) -> Any:
    """The request's JSON body, or a :class:`JsonResponse` saying what is wrong with it."""
    content_type = request.content_type or ""
    if content_type != "application/json":
        return JsonResponse({"detail": "send the case as application/json"}, status=415)
    raw = request_body(request)
    if isinstance(raw, JsonResponse):
        return raw
    try:
        return jsontext.loads(raw)
    except jsontext.JsonTextError as exc:
        return JsonResponse({"detail": f"the body is {exc.problem}"}, status=400)


CASE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": case_schema()}},
    },
    "parameters": [
        {
            "in": "query",
            "name": "block_definition",
            "required": False,
            "description": "When a block counts as positive (default: the pack's, relief50).",
            # The shipped pack's definitions; `GET /api/v1/knowledge` lists a site pack's.
            "schema": {"enum": sorted(default_pack().block_definitions)},
        }
    ],
    "responses": {
        # 200 as an int, the key Django Ninja gives its own 200: a "200" beside it would put the
        # key twice in the JSON schema, which Swagger UI (/api/v1/docs) refuses to render.
        200: {
            "description": "The assessment (cluneal-assessment/1)",
            "content": {"application/json": {"schema": assessment_schema()}},
        },
        "400": {"description": "The body is not JSON"},
        "413": {"description": "The body is over the site's size limit"},
        "415": {"description": "The body is not application/json"},
        "422": {
            "description": "The case is invalid; every problem is listed by its JSON path",
            "content": {"application/json": {"schema": problems_schema()}},
        },
    },
}


@api.post("/assess", openapi_extra=CASE_BODY, summary="Assess a case", tags=["assessment"])
def assess_case(request: HttpRequest) -> JsonResponse:
    """Assess a cluneal-case/1 case: criteria, status and stage per nerve and side, next steps,
    red flags, warnings, differentials and questionnaire scores, each with its sources."""
    data = read_json_body(request)
    if isinstance(data, JsonResponse):
        return data
    pack = active_pack()
    definition = request.GET.get("block_definition")
    if definition is not None:
        try:
            pack = with_settings(pack, {"block_definition": definition})
        except PackError as exc:
            return problems_response(exc.problems, "invalid query parameter")
    try:
        case = parse_case(data)
    except Invalid as exc:
        return problems_response(exc.problems, f"invalid case ({len(exc.problems)} problem(s))")
    return JsonResponse(assess(case, pack).to_json())


@api.get("/knowledge", summary="The knowledge pack in use", tags=["knowledge"])
def knowledge(request: HttpRequest) -> JsonResponse:
    """Thresholds, block definitions, criteria sets and sources with their evidence grades."""
    return JsonResponse(describe_pack(active_pack()))


@api.get(
    "/patients/{uuid:patient_id}/assessment",
    summary="Assessment of a patient's record",
    tags=["records"],
    openapi_extra={
        "responses": {
            200: {  # an int: see CASE_BODY
                "description": "The assessment of the whole record",
                "content": {"application/json": {"schema": assessment_schema()}},
            },
            "401": {"description": "Not signed in"},
            "403": {"description": "The account has no clinical role"},
            "404": {"description": "No such patient at the account's sites, or not a patient id"},
        }
    },
)
def patient_assessment(request: HttpRequest, patient_id: uuid.UUID) -> JsonResponse:
    """The engine's assessment of a record (session authentication: sign in first)."""
    from django.http import Http404

    from cluneal.web.accounts.access import record_sites
    from cluneal.web.audit.log import record
    from cluneal.web.audit.models import Action
    from cluneal.web.records.assessment import record_assessment
    from cluneal.web.records.views import patient_for

    if not request.user.is_authenticated:
        return JsonResponse({"detail": "sign in first"}, status=401)
    if not record_sites(request.user).exists():
        return JsonResponse({"detail": "no clinical role"}, status=403)
    try:
        patient = patient_for(request, patient_id)
    except Http404:
        return JsonResponse({"detail": "not found"}, status=404)
    record(request, Action.VIEW, patient=patient, obj=patient, changes={"api": "assessment"})
    assessment, problems = record_assessment(patient)
    if assessment is None:
        return JsonResponse(
            {"detail": "the record cannot be assessed", "problems": problems}, status=409
        )
    return JsonResponse(assessment.to_json())


api.post(
    "/notes",
    openapi_extra=NOTES_OPENAPI,
    summary="Find concepts in a clinical note",
    tags=["notes"],
)(notes)
