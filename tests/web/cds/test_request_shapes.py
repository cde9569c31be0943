"""A request of the wrong shape is a 400 listing every problem by its JSON path; nothing is
stored and no card is issued.

The family is generated from a table of every field the services read (hook, hookInstance,
context, prefetch and the FHIR elements inside it, draftOrders, fhirServer, fhirAuthorization,
feedback items): each field in turn is removed, set to null and set to every JSON type it must
not have, in an otherwise valid request, and the answer must name exactly that field."""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from cluneal.web.cds.models import CardFeedback, IssuedCard

PV = "/cds-services/cluneal-patient-view"
OS = "/cds-services/cluneal-order-sign"
FEEDBACK = PV + "/feedback"
MISSING = object()
NAMES = {"string": "a string", "object": "an object", "list": "a list", "integer": "an integer"}
#: Values of every JSON type; each field gets those that are not of its type.
VALUES: list[Any] = [True, False, 0, -1, 1.5, "x", "", [], ["x"], {}, {"x": 1}]


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}[type(value)]


def wrong_values(kind: str) -> list[Any]:
    python = {"string": str, "object": dict, "list": list, "integer": int, "status": (str, dict)}
    right = python[kind]
    return [
        v for v in VALUES if not isinstance(v, right) or (kind == "integer" and isinstance(v, bool))
    ]


def message(kind: str, value: Any) -> str:
    if kind == "status":
        return f"must be a code or an object, not {json_type(value)}"
    return f"must be {NAMES[kind]}, not {json_type(value)}"


def codeable(path: str) -> list[tuple[str, str, bool]]:
    return [
        (path, "object", False),
        (f"{path}.text", "string", False),
        (f"{path}.coding", "list", False),
        (f"{path}.coding[0]", "object", True),
        (f"{path}.coding[0].system", "string", False),
        (f"{path}.coding[0].code", "string", False),
        (f"{path}.coding[0].display", "string", False),
    ]


def resource_fields(path: str, *, statuses: tuple[str, ...]) -> list[tuple[str, str, bool]]:
    fields = [
        (path, "object", False),
        (f"{path}.resourceType", "string", True),
        (f"{path}.id", "string", False),
        *codeable(f"{path}.code"),
    ]
    for status in statuses:
        fields.append((f"{path}.{status}", "status", False))
        if status != "status":
            fields += codeable(f"{path}.{status}")[2:]
    return fields


def bundle_fields(path: str, *, statuses: tuple[str, ...]) -> list[tuple[str, str, bool]]:
    return [
        (path, "object", path.startswith("context")),
        (f"{path}.resourceType", "string", True),
        (f"{path}.entry", "list", False),
        (f"{path}.entry[0]", "object", True),
        *resource_fields(f"{path}.entry[0].resource", statuses=statuses),
    ]


COMMON = [
    ("hook", "string", True),
    ("hookInstance", "string", True),
    ("fhirServer", "string", False),
    ("fhirAuthorization", "object", False),
    ("fhirAuthorization.access_token", "string", True),
    ("fhirAuthorization.token_type", "string", False),
    ("fhirAuthorization.expires_in", "integer", False),
    ("fhirAuthorization.scope", "string", False),
    ("fhirAuthorization.subject", "string", False),
    ("context", "object", True),
    ("context.userId", "string", True),
    ("context.patientId", "string", True),
    ("context.encounterId", "string", False),
    ("prefetch", "object", False),
    ("prefetch.patient", "object", False),
    ("prefetch.patient.resourceType", "string", True),
    ("prefetch.patient.id", "string", False),
    ("prefetch.patient.gender", "string", False),
    ("prefetch.patient.birthDate", "string", False),
    *bundle_fields("prefetch.conditions", statuses=("verificationStatus", "clinicalStatus")),
    *bundle_fields("prefetch.procedures", statuses=("status",)),
    *bundle_fields("prefetch.orders", statuses=("status",)),
]
FIELDS = {
    PV: COMMON,
    OS: [*COMMON, *bundle_fields("context.draftOrders", statuses=("status",))],
}
NOT_EMPTY = ["hookInstance", "context.userId", "context.patientId"]


def concept(code: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://x", "code": code, "display": code}], "text": code}


def valid_request(fhir: Any, hook: str) -> dict[str, Any]:
    lbp = dict(fhir.LBP, verificationStatus=concept("confirmed"), clinicalStatus=concept("active"))
    buttock = dict(fhir.BUTTOCK, verificationStatus=concept("confirmed"))
    block = fhir.procedure("b1", fhir.CPT, "99999", "Something else")
    other = fhir.order("o9", fhir.CPT, "99999", "Something else")
    drafts = [fhir.order("o1", fhir.CPT, "27279", "Sacroiliac joint fusion")]
    body = fhir.request(
        hook, conditions=[lbp, buttock], procedures=[block], orders=[other], drafts=drafts
    )
    body["context"]["encounterId"] = "e1"
    body["fhirServer"] = "https://fhir.ehr.test.example/r4"
    body["fhirAuthorization"] = {
        "access_token": "opaque",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/*.read",
        "subject": "cluneal",
    }
    return body


STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def changed(body: Any, path: str, value: Any) -> Any:
    """A copy of ``body`` with the value at ``path`` replaced (or removed: :data:`MISSING`)."""
    out = copy.deepcopy(body)
    if not path:
        return None if value is MISSING else value
    steps = [key if key else int(index) for key, index in STEP.findall(path)]
    node = out
    for step in steps[:-1]:
        node = node[step]
    if value is MISSING:
        del node[steps[-1]]
    else:
        node[steps[-1]] = value
    return out


def family(fields: list[tuple[str, str, bool]]) -> Iterator[tuple[str, Any, str]]:
    """(path, value, expected message) for every wrong value of every field."""
    for path, kind, required in fields:
        for value in wrong_values(kind):
            yield path, value, message(kind, value)
        if required:
            yield path, None, "is required"
            if not path.endswith("]"):  # removing a list item only shifts the next one in
                yield path, MISSING, "is required"


def expected(detail: str, *problems: tuple[str, str]) -> dict[str, Any]:
    return {
        "format": "cluneal-problems/1",
        "detail": detail,
        "problems": [{"path": p, "message": m} for p, m in problems],
    }


LEFT_OUT = "(or the key left out), not"
SURROGATE = "must be valid Unicode (it holds a lone surrogate)"
REQUEST_DETAIL = "not a valid CDS Hooks request for this service"
FEEDBACK_DETAIL = "not valid CDS Hooks feedback"


@pytest.mark.django_db
@pytest.mark.parametrize("service", [PV, OS])
def test_every_field_of_the_wrong_type_gets_400_naming_it(ehr, fhir, service):
    client = Client(raise_request_exception=False)
    hook = "patient-view" if service == PV else "order-sign"
    base = valid_request(fhir, hook)
    cases = list(family(FIELDS[service]))
    cases += [(p, "   ", "must not be empty") for p in NOT_EMPTY]
    other = "order-sign" if service == PV else "patient-view"
    nul = "must not contain NUL characters"
    cases += [
        ("hook", other, f'must be "{hook}", the hook this service answers'),
        ("prefetch.patient.resourceType", "", "must not be empty"),
        ("prefetch.patient.resourceType", "Observation", f"must be Patient {LEFT_OUT} Observation"),
        ("prefetch.conditions.resourceType", "Condition", f"must be Bundle {LEFT_OUT} Condition"),
        ("prefetch.orders.entry[0].resource.resourceType", "", "must not be empty"),
        ("prefetch.orders.entry[0].resource.resourceType", "  ", "must not be empty"),
        ("context.patientId", "p1\x00", nul),
        ("prefetch.conditions.entry[0].resource.code.coding[0].code", "\x00", nul),
        ("prefetch.procedures.entry[0].resource.id", "\ud800", SURROGATE),
    ]
    if service == OS:
        cases.append(
            (
                "context.draftOrders.resourceType",
                "ServiceRequest",
                "must be Bundle, not ServiceRequest",
            )
        )
    assert len(cases) > (700 if service == PV else 840)
    wrong = []
    for path, value, problem in cases:
        body = changed(base, path, value)
        response = ehr.post(client, service, body)
        answer = response.json() if response["Content-Type"] == "application/json" else None
        if response.status_code != 400 or answer != expected(REQUEST_DETAIL, (path, problem)):
            wrong.append((path, repr(value)[:20], response.status_code, response.content[:300]))
    assert wrong == []
    assert IssuedCard.objects.count() == 0
    # The control: the request all these were made from is answered.
    response = ehr.post(client, service, base)
    assert response.status_code == 200, response.content
    assert len(response.json()["cards"]) == IssuedCard.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("body", [None, [], [{}], "x", 0, 1.5, True])
def test_a_body_that_is_not_an_object_gets_400(ehr, body):
    for path, detail in ((PV, REQUEST_DETAIL), (FEEDBACK, FEEDBACK_DETAIL)):
        response = ehr.post(Client(), path, json.dumps(body))
        problem = "is required" if body is None else f"must be an object, not {json_type(body)}"
        assert (response.status_code, response.json()) == (400, expected(detail, ("", problem)))
    assert IssuedCard.objects.count() == CardFeedback.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        " ",
        "{",
        '{"hook": ',
        "{'hook': 'patient-view'}",
        '{"hook": "patient-view",}',
        "[" * 100_000 + "]" * 100_000,
        '{"n": ' + "9" * 5000 + "}",
        b'{"hook": "\xff"}',
        b"\xff\xfe\x00",
    ],
)
def test_a_body_that_is_not_json_gets_400(ehr, text):
    for path in (PV, OS, FEEDBACK):
        response = ehr.post(Client(), path, text)
        assert response.status_code == 400, response.content
        assert response.json()["detail"] == "the body is not valid JSON"
        assert response.json()["format"] == "cluneal-problems/1"
    assert IssuedCard.objects.count() == CardFeedback.objects.count() == 0


@pytest.mark.django_db
def test_every_problem_is_listed_at_once_up_to_a_limit(ehr, fhir):
    body = valid_request(fhir, "patient-view")
    body["hookInstance"] = 7
    body["context"]["userId"] = None
    body["prefetch"]["conditions"]["entry"] = [{"resource": {"resourceType": 1}}] * 80
    problems = ehr.post(Client(), PV, body).json()["problems"]
    assert problems[:3] == [
        {"path": "hookInstance", "message": "must be a string, not a number"},
        {"path": "context.userId", "message": "is required"},
        {
            "path": "prefetch.conditions.entry[0].resource.resourceType",
            "message": "must be a string, not a number",
        },
    ]
    assert len(problems) == 51
    assert problems[-1] == {"path": "", "message": "more than 50 problems; the rest omitted"}


FEEDBACK_FIELDS = [
    ("feedback", "list", True),
    ("feedback[0]", "object", True),
    ("feedback[0].card", "string", True),
    ("feedback[0].outcome", "string", True),
    ("feedback[0].outcomeTimestamp", "string", True),
    ("feedback[0].acceptedSuggestions", "list", False),
    ("feedback[0].acceptedSuggestions[0]", "object", True),
    ("feedback[0].acceptedSuggestions[0].id", "string", True),
    ("feedback[0].overrideReason", "object", False),
    ("feedback[0].overrideReason.reason", "object", False),
    ("feedback[0].overrideReason.reason.code", "string", False),
    ("feedback[0].overrideReason.reason.system", "string", False),
    ("feedback[0].overrideReason.reason.display", "string", False),
    ("feedback[0].overrideReason.userComment", "string", False),
]
NOT_A_UUID = "must be the UUID of a card"
NOT_AN_OUTCOME = "must be accepted or overridden"
NOT_A_TIME = "must be an ISO 8601 date-time, e.g. 2021-12-11T10:05:31Z"
FEEDBACK_VALUES = [
    ("feedback", [], "must hold at least one item"),
    *(("feedback[0].card", v, NOT_A_UUID) for v in ("x", "", "4e0a3a1e-3283-4575-ab82", "0" * 33)),
    *(("feedback[0].outcome", v, NOT_AN_OUTCOME) for v in ("ignored", "", "ACCEPTED", "accepted ")),
    *(
        ("feedback[0].outcomeTimestamp", v, NOT_A_TIME)
        for v in (
            "never",
            "",
            "2021-13-01T00:00:00Z",
            "2021-12-11T25:00:00Z",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "1e400",
        )
    ),
    ("feedback[0].overrideReason.userComment", "a\x00b", "must not contain NUL characters"),
    ("feedback[0].acceptedSuggestions[0].id", "\x00", "must not contain NUL characters"),
    (
        "feedback[0].overrideReason.reason.code",
        "\ud800",
        "must be valid Unicode (it holds a lone surrogate)",
    ),
]


def valid_feedback() -> dict[str, Any]:
    return {
        "feedback": [
            {
                "card": str(uuid.uuid4()),
                "outcome": "overridden",
                "outcomeTimestamp": "2020-12-11T00:00:00Z",
                "acceptedSuggestions": [{"id": "s1"}],
                "overrideReason": {
                    "reason": {"code": "c", "system": "https://x/", "display": "d"},
                    "userComment": "a comment",
                },
            }
        ]
    }


@pytest.mark.django_db
def test_every_feedback_field_of_the_wrong_shape_gets_400_naming_it(ehr):
    client = Client(raise_request_exception=False)
    base = valid_feedback()
    cases = [*family(FEEDBACK_FIELDS), *FEEDBACK_VALUES]
    assert len(cases) > 120
    wrong = []
    for path, value, problem in cases:
        response = ehr.post(client, FEEDBACK, changed(base, path, value))
        answer = response.json() if response["Content-Type"] == "application/json" else None
        if response.status_code != 400 or answer != expected(FEEDBACK_DETAIL, (path, problem)):
            wrong.append((path, repr(value)[:20], response.status_code, response.content[:300]))
    too_many = {"feedback": base["feedback"] * 101}
    response = ehr.post(client, FEEDBACK, too_many)
    assert response.json() == expected(FEEDBACK_DETAIL, ("feedback", "must hold at most 100 items"))
    assert wrong == []
    assert CardFeedback.objects.count() == 0
    assert ehr.post(client, FEEDBACK, base).status_code == 200
    stored = CardFeedback.objects.get()
    assert (stored.override_code, stored.accepted_suggestions) == ("c", ["s1"])


@pytest.mark.django_db
def test_one_bad_item_stores_none_of_the_feedback(ehr):
    body = valid_feedback()
    body["feedback"] = [body["feedback"][0], {**body["feedback"][0], "card": "x"}]
    response = ehr.post(Client(), FEEDBACK, body)
    assert response.json() == expected(FEEDBACK_DETAIL, ("feedback[1].card", NOT_A_UUID))
    assert CardFeedback.objects.count() == 0
