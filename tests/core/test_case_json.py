"""Writing a case as ``cluneal-case/1`` JSON: ``parse_case(case_to_json(c)) == c``.

case-format.md: "Absent or ``null`` means not known", never the same as ``false`` or ``[]``.
"""

from __future__ import annotations

import datetime as dt

from cluneal.core import parse_case
from cluneal.core.case import Block, Case, Finding, History, Patient, case_to_json


def test_the_example_case_is_written_back_as_it_was_read(example):
    assert case_to_json(parse_case(example)) == example


def test_a_case_with_nothing_known_is_its_format_alone():
    assert case_to_json(Case()) == {"format": "cluneal-case/1"}


def test_what_is_not_known_is_left_out_and_an_empty_list_is_kept():
    case = Case(
        patient=Patient(age=40),
        history=History(aggravated_by=(), red_flags=None),
        exam={"left": {"scn": Finding(tender=False)}},
        blocks=(Block(dt.date(2026, 1, 5), "mcn", "right", 6, 2),),
    )
    assert case_to_json(case) == {
        "format": "cluneal-case/1",
        "patient": {"age": 40},
        "history": {"aggravated_by": []},
        "exam": {"left": {"scn": {"tender": False}}},
        "blocks": [
            {"date": "2026-01-05", "nerve": "mcn", "side": "right", "nrs_before": 6, "nrs_after": 2}
        ],
    }
    assert parse_case(case_to_json(case)) == case
