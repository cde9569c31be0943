"""``POST /api/v1/assess`` and the OpenAPI description."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from django.test import Client
from openapi_spec_validator import validate

from cluneal.interop.jsonschema import assessment_schema


@pytest.fixture
def client() -> Client:
    return Client()


def post(client: Client, body: Any, **extra: Any):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/api/v1/assess", data, content_type="application/json", **extra)


def test_it_returns_the_assessment_of_a_valid_case(client, example_case):
    response = post(client, example_case)
    assert response.status_code == 200
    body = response.json()
    jsonschema.validate(body, assessment_schema())
    assert body["scores"]["odi"] == {"percent": 35.6, "answered": 9}


def test_it_answers_422_with_every_problem_by_path(client, example_case):
    example_case["current_nrs"] = 11
    example_case["blocks"][0]["side"] = "middle"
    del example_case["blocks"][0]["date"]
    response = post(client, example_case)
    assert response.status_code == 422
    body = response.json()
    assert body["format"] == "cluneal-problems/1"
    problems = {(p["path"], p["message"]) for p in body["problems"]}
    assert problems == {
        ("current_nrs", "must be an integer from 0 to 10"),
        ("blocks[0].side", "must be one of left, right"),
        ("blocks[0].date", "is required"),
    }


def test_the_422_problems_match_the_cli_problem_list(client, example_case):
    from cluneal.core import parse_case
    from cluneal.validation import Invalid

    example_case["patient"]["age"] = -1
    with pytest.raises(Invalid) as caught:
        parse_case(example_case)
    api_problems = post(client, example_case).json()["problems"]
    assert [f"{p['path']}: {p['message']}" for p in api_problems] == [
        str(p) for p in caught.value.problems
    ]


def test_it_answers_400_to_malformed_json(client):
    response = post(client, '{"format": ')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


def test_it_answers_415_to_a_form_post(client):
    response = client.post("/api/v1/assess", {"format": "cluneal-case/1"})
    assert response.status_code == 415


def test_it_refuses_a_huge_body_with_413_naming_the_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = post(client, {"format": "cluneal-case/1", "id": "x" * 20_000})
    assert response.status_code == 413
    assert "10,000 bytes" in response.json()["detail"]


def test_a_query_parameter_selects_the_block_definition(client):
    case = {
        "format": "cluneal-case/1",
        "blocks": [
            {
                "date": "2026-01-05",
                "nerve": "mcn",
                "side": "right",
                "nrs_before": 10,
                "nrs_after": 4,
            }
        ],
    }
    default = post(client, case).json()
    strict = client.post(
        "/api/v1/assess?block_definition=kiral2024",
        json.dumps(case),
        content_type="application/json",
    ).json()
    status = {(n["nerve"], n["side"]): n["status"] for n in default["nerves"]}
    strict_status = {(n["nerve"], n["side"]): n["status"] for n in strict["nerves"]}
    assert status[("mcn", "right")] == "confirmed"
    assert strict_status[("mcn", "right")] == "unlikely"
    assert strict["knowledge"]["block_positive"].startswith("relief >= 70%")


@pytest.mark.parametrize("value", ["nope", ""])
def test_an_unknown_or_empty_block_definition_is_a_422(client, example_case, value):
    response = client.post(
        f"/api/v1/assess?block_definition={value}",
        json.dumps(example_case),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["path"] == "block_definition"


def test_the_openapi_schema_is_valid_and_describes_the_case(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    operation = spec["paths"]["/api/v1/assess"]["post"]
    case_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert case_schema["properties"]["format"] == {"const": "cluneal-case/1"}
    assert set(operation["responses"]) >= {"200", "422"}


def test_the_openapi_schema_names_each_key_once(client):
    """A JSON object with a key twice parses in Python (the last wins) but not in Swagger UI,
    which then shows no API at /api/v1/docs."""
    twice = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in items]
        twice.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(items)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=pairs)
    assert twice == []
    responses = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/assess"]["post"]
    assert responses["responses"]["200"]["description"] == "The assessment (cluneal-assessment/1)"


def test_the_api_docs_page_is_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_knowledge_endpoint_lists_sources_with_grades(client):
    body = client.get("/api/v1/knowledge").json()
    grades = {s["id"]: s["grade"] for s in body["sources"]}
    assert grades["E6"] == "expert opinion"
    assert grades["S1"].startswith("primary")
