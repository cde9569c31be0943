"""JSON Schema (draft 2020-12) of ``cluneal-case/1``, ``cluneal-assessment/1`` and the problems.

The case and the assessment schemas are derived from the one definition of each format, the
annotated dataclasses of ``cluneal.core.case`` and ``cluneal.core.assessment``, from which their
reader and writer come too; so the OpenAPI description cannot drift from what the API accepts and
returns. ``parse_case`` remains the judge: it also checks calendar dates and reports every problem
by path.
"""

from __future__ import annotations

from cluneal.core.assessment import ASSESSMENT
from cluneal.core.case import CASE
from cluneal.knowledge.jsonspec import Schema, obj_schema


def case_schema() -> Schema:
    return CASE.schema()


def assessment_schema() -> Schema:
    return ASSESSMENT.schema()


def problems_schema() -> Schema:
    return obj_schema(
        {
            "format": {"const": "cluneal-problems/1"},
            "detail": {"type": "string"},
            "problems": {
                "type": "array",
                "items": obj_schema(
                    {"path": {"type": "string"}, "message": {"type": "string"}},
                    ("path", "message"),
                ),
            },
        },
        ("format", "detail", "problems"),
    )
