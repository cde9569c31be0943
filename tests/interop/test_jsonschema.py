"""The JSON Schemas published in the OpenAPI description agree with the validator."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from cluneal.core import assess_json, parse_case
from cluneal.interop.jsonschema import assessment_schema, case_schema
from cluneal.knowledge.loader import default_pack
from cluneal.validation import Invalid


def test_the_schemas_are_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(case_schema())
    jsonschema.Draft202012Validator.check_schema(assessment_schema())


def test_the_example_case_and_its_assessment_fit_the_schemas(example_case):
    jsonschema.validate(example_case, case_schema())
    jsonschema.validate(assess_json(example_case, default_pack()), assessment_schema())


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("current_nrs",), 11),
        (("patient", "sex"), "robot"),
        (("history", "pain_sites", "left"), ["knee"]),
        (("blocks", 0, "nrs_after"), -1),
        (("questionnaires", "startback"), [1, 0, 1]),
        (("questionnaires", "odi"), [6] * 10),
        (("exam", "left", "scn", "tender"), "yes"),
        (("history", "unknown_key"), 1),
    ],
)
def test_schema_and_validator_reject_the_same_mistakes(example_case, path, value):
    bad = copy.deepcopy(example_case)
    target = bad
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, case_schema())
    with pytest.raises(Invalid):
        parse_case(bad)
