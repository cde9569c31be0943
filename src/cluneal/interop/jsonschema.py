"""JSON Schema (draft 2020-12) of ``cluneal-case/1`` and ``cluneal-assessment/1``.

Built from the shared vocabulary, so the OpenAPI description cannot drift from the enums the
validator accepts. The schema documents the contract; ``parse_case`` remains the judge (it also
checks calendar dates and reports every problem by path).
"""

from __future__ import annotations

from typing import Any

from cluneal.knowledge import vocabulary as v

Schema = dict[str, Any]


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _int(low: int, high: int) -> Schema:
    return {"type": "integer", "minimum": low, "maximum": high}


def _enum_list(values: tuple[str, ...]) -> Schema:
    return _nullable({"type": "array", "items": {"enum": list(values)}})


def _obj(props: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    out: Schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    return out


NON_NEGATIVE = {"type": "number", "minimum": 0}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
BOOL = _nullable({"type": "boolean"})


def case_schema() -> Schema:
    finding = _nullable(
        _obj(
            {
                "tender": BOOL,
                "distance_mm": _nullable(NON_NEGATIVE),
                "reproduces_complaint": BOOL,
                "radiation_on_pressure": BOOL,
            }
        )
    )
    side_exam = _nullable(_obj({"scn": finding, "mcn": finding}))
    nrs = _int(0, 10)
    block = _obj(
        {
            "date": DATE,
            "nerve": {"enum": list(v.NERVES)},
            "side": {"enum": list(v.SIDES)},
            "nrs_before": nrs,
            "nrs_after": nrs,
            "minutes_after": _nullable(NON_NEGATIVE),
            "relief_days": _nullable(NON_NEGATIVE),
        },
        ("date", "nerve", "side", "nrs_before", "nrs_after"),
    )
    treatment = _obj(
        {
            "date": DATE,
            "kind": {"enum": list(v.TREATMENT_KINDS)},
            "nerve": {"enum": list(v.NERVES)},
            "side": {"enum": list(v.SIDES)},
            "outcome": _nullable({"enum": list(v.OUTCOMES)}),
        },
        ("date", "kind", "nerve", "side"),
    )
    startback_items = [_int(0, 1)] * 8 + [_int(1, 5)]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cluneal-case/1",
        **_obj(
            {
                "format": {"const": "cluneal-case/1"},
                "id": _nullable({"type": "string"}),
                "patient": _nullable(
                    _obj(
                        {
                            "age": _nullable(_int(0, 120)),
                            "sex": _nullable({"enum": list(v.SEXES)}),
                        }
                    )
                ),
                "history": _nullable(
                    _obj(
                        {
                            "duration_months": _nullable(NON_NEGATIVE),
                            "pain_sites": _nullable(
                                _obj({s: _enum_list(v.PAIN_SITES) for s in v.SIDES})
                            ),
                            "aggravated_by": _enum_list(v.AGGRAVATING),
                            "leg_numbness_or_tingling": BOOL,
                            "prior_procedures": _enum_list(v.PROCEDURES),
                            "planned_procedures": _enum_list(v.PROCEDURES),
                            "conditions": _enum_list(v.CONDITIONS),
                            "red_flags": _enum_list(v.RED_FLAGS),
                        }
                    )
                ),
                "exam": _nullable(_obj(dict.fromkeys(v.SIDES, side_exam))),
                "blocks": _nullable({"type": "array", "items": block}),
                "treatments": _nullable({"type": "array", "items": treatment}),
                "current_nrs": _nullable(nrs),
                "questionnaires": _nullable(
                    _obj(
                        {
                            "startback": _nullable(
                                {
                                    "type": "array",
                                    "prefixItems": startback_items,
                                    "minItems": 9,
                                    "maxItems": 9,
                                }
                            ),
                            "odi": _nullable(
                                {
                                    "type": "array",
                                    "items": _nullable(_int(0, 5)),
                                    "minItems": 10,
                                    "maxItems": 10,
                                }
                            ),
                            "rmdq": _nullable({"type": "array", "items": BOOL, "maxItems": 24}),
                        }
                    )
                ),
            },
            ("format",),
        ),
    }


def _cited(with_id: bool) -> Schema:
    props: dict[str, Schema] = {
        "text": {"type": "string"},
        "sources": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    }
    if with_id:
        props = {"id": {"type": "string"}, **props}
    return _obj(props, tuple(props))


def assessment_schema() -> Schema:
    number_or_null = _nullable({"type": "number"})
    nerve = _obj(
        {
            "nerve": {"enum": list(v.NERVES)},
            "side": {"enum": list(v.SIDES)},
            "status": {"enum": list(v.STATUSES)},
            "stage": {"enum": list(v.STAGES)},
            "favourable_for_release": BOOL,
            "blocks": _obj(
                {
                    "count": {"type": "integer", "minimum": 0},
                    "positive": {"type": "integer", "minimum": 0},
                    "best_relief_percent": number_or_null,
                    "longest_relief_days": number_or_null,
                },
                ("count", "positive", "best_relief_percent", "longest_relief_days"),
            ),
            "next_steps": {"type": "array", "items": _cited(False)},
        },
        ("nerve", "side", "status", "stage", "favourable_for_release", "blocks", "next_steps"),
    )
    criteria = _obj(
        {
            "id": {"type": "string"},
            "nerve": {"enum": list(v.NERVES)},
            "side": {"enum": list(v.SIDES)},
            "status": {"enum": list(v.SET_STATUSES)},
            "items": {
                "type": "array",
                "items": _obj(
                    {
                        "id": {"type": "string"},
                        "status": {"enum": list(v.ITEM_STATUSES)},
                        "text": {"type": "string"},
                    },
                    ("id", "status", "text"),
                ),
            },
            "sources": {"type": "array", "items": {"type": "string"}},
        },
        ("id", "nerve", "side", "status", "items", "sources"),
    )
    window = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cluneal-assessment/1",
        **_obj(
            {
                "format": {"const": "cluneal-assessment/1"},
                "case_id": _nullable({"type": "string"}),
                "knowledge": _obj(
                    {
                        "pack": {"type": "string"},
                        "version": {"type": "string"},
                        "block_definition": {"type": "string"},
                        "block_positive": {"type": "string"},
                        "scn_window_mm": window,
                        "mcn_window_mm": window,
                    },
                    ("pack", "version", "block_positive", "scn_window_mm", "mcn_window_mm"),
                ),
                "red_flags": {"type": "array", "items": _cited(True)},
                "nerves": {"type": "array", "items": nerve, "minItems": 4, "maxItems": 4},
                "criteria": {"type": "array", "items": criteria},
                "warnings": {"type": "array", "items": _cited(True)},
                "differentials": {"type": "array", "items": _cited(True)},
                "scores": {"type": "object"},
            },
            (
                "format",
                "case_id",
                "knowledge",
                "red_flags",
                "nerves",
                "criteria",
                "warnings",
                "differentials",
                "scores",
            ),
        ),
    }


def problems_schema() -> Schema:
    return _obj(
        {
            "format": {"const": "cluneal-problems/1"},
            "detail": {"type": "string"},
            "problems": {
                "type": "array",
                "items": _obj(
                    {"path": {"type": "string"}, "message": {"type": "string"}},
                    ("path", "message"),
                ),
            },
        },
        ("format", "detail", "problems"),
    )
