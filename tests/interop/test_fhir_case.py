"""Reading FHIR data: what the EHR rules say of a code is decided once, and found again the same
whether by the code as it came or by its facts."""

from __future__ import annotations

import json

import pytest

from cluneal.interop.fhir_case import read_fhir
from cluneal.interop.fhir_codes import CodeIndex, facts_of
from cluneal.knowledge.loader import default_pack

PACK = default_pack()


@pytest.fixture
def synthea(shared) -> list[dict]:
    lines = (shared / "external/synthea-bulk-10/Condition.000.ndjson").read_text().splitlines()
    procedures = (shared / "external/synthea-bulk-10/Procedure.000.ndjson").read_text()
    return [json.loads(x) for x in lines + procedures.splitlines()]


def test_a_codes_verdict_is_the_same_by_its_raw_code_and_by_its_facts(synthea):
    fresh = CodeIndex(PACK)
    for resource in synthea:
        assert fresh.verdict_of(resource) == CodeIndex(PACK)._decide(facts_of(resource))


@pytest.mark.parametrize(
    "code",
    [
        {"coding": [{"system": "http://snomed.info/sct", "code": 278860009}], "text": "LBP"},
        {"coding": "not a list", "text": "Chronic low back pain"},
        {"coding": [{"display": ["odd"]}], "text": "Pain in left buttock"},
        "not an object",
    ],
)
def test_a_code_of_odd_shape_is_read_by_its_facts(code):
    resource = {"resourceType": "Condition", "id": "c", "code": code}
    assert CodeIndex(PACK).verdict_of(resource) == CodeIndex(PACK)._decide(facts_of(resource))


def test_reading_twice_finds_the_same(synthea):
    first = read_fhir(synthea, PACK)
    assert read_fhir(synthea, PACK) == first
