"""The engine's case of a plain record as of a date: what each visit, block, treatment, diary
entry and link answer adds, and what a later one replaces."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cluneal.core import parse_case
from cluneal.core.record import (
    AnswerData,
    BlockData,
    DiaryDay,
    LinkData,
    PatientData,
    Record,
    TreatmentData,
    VisitData,
    case_of,
    pain_sites,
)

D1, D2, D3 = dt.date(2026, 1, 5), dt.date(2026, 2, 5), dt.date(2026, 3, 5)
UTC = dt.UTC
TENDER = {"tender": True, "distance_mm": 70, "reproduces_complaint": True}


def record(**parts) -> Record:
    return Record(PatientData("p", "s", "A-001", 1960, "female", "Ada", "555-0100"), **parts)


def test_the_latest_visit_that_recorded_a_field_wins_and_none_does_not_erase():
    first = VisitData("v1", D1, history={"duration_months": 6, "aggravated_by": ["walking"]})
    second = VisitData("v2", D2, history={"duration_months": 7, "aggravated_by": None})
    case = case_of(record(visits=(second, first)))
    assert case["history"] == {"duration_months": 7, "aggravated_by": ["walking"]}


def test_the_latest_finding_of_each_nerve_and_side_wins():
    first = VisitData("v1", D1, exam={"left": {"scn": TENDER, "mcn": {"tender": True}}})
    second = VisitData("v2", D2, exam={"left": {"scn": {"tender": False}, "mcn": {}}})
    assert case_of(record(visits=(first, second)))["exam"] == {
        "left": {"scn": {"tender": False}, "mcn": {"tender": True}}
    }


def test_as_of_a_date_leaves_out_everything_later():
    visits = (VisitData("v1", D1, current_nrs=7), VisitData("v2", D3, current_nrs=2))
    blocks = (BlockData("b1", D1, "scn", "left", 8, 2), BlockData("b2", D3, "scn", "left", 8, 3))
    treatments = (TreatmentData("t1", D3, "surgical_release", "scn", "left"),)
    case = case_of(record(visits=visits, blocks=blocks, treatments=treatments), as_of=D2)
    assert case["current_nrs"] == 7
    assert [b["date"] for b in case["blocks"]] == [D1.isoformat()]
    assert case["treatments"] == []
    assert case["patient"] == {"sex": "female", "age": 66}


def test_a_block_s_relief_is_a_plain_number_and_an_empty_outcome_is_none():
    block = BlockData("b", D1, "scn", "left", 8, 2, relief_days=Decimal("3.0"))
    half = BlockData("h", D2, "scn", "left", 8, 2, relief_days=Decimal("1.5"))
    treatment = TreatmentData("t", D2, "radiofrequency", "scn", "left", outcome="")
    case = case_of(record(blocks=(block, half), treatments=(treatment,)))
    assert [b["relief_days"] for b in case["blocks"]] == [3, 1.5]
    assert case["treatments"][0]["outcome"] is None
    assert parse_case(case).blocks[0].relief_days == 3


def test_a_diary_entry_after_the_last_visit_is_pain_today():
    diary = LinkData("l", "diary", "b", (DiaryDay(D1, 1), DiaryDay(D3, 4)))
    visit = VisitData("v", D2, current_nrs=6)
    assert case_of(record(visits=(visit,), links=(diary,)))["current_nrs"] == 4
    assert case_of(record(visits=(visit,), links=(diary,)), as_of=D2)["current_nrs"] == 6


def test_of_two_links_entries_on_one_day_the_one_recorded_last_counts():
    early = dt.datetime(2026, 3, 5, 8, tzinfo=UTC)
    late = dt.datetime(2026, 3, 5, 20, tzinfo=UTC)
    first = LinkData("l1", "diary", "b1", (DiaryDay(D3, 2, late),))
    second = LinkData("l2", "diary", "b2", (DiaryDay(D3, 7, early),))
    assert case_of(record(links=(first, second)))["current_nrs"] == 2


def test_a_link_answer_replaces_an_older_visit_questionnaire_only():
    rmdq_visit = [True] * 24
    rmdq_link = [False] * 24
    visit = VisitData("v", D2, questionnaires={"rmdq": rmdq_visit})
    newer = LinkData("l1", "rmdq", None, answer=AnswerData(rmdq_link, D3))
    older = LinkData("l2", "rmdq", None, answer=AnswerData(rmdq_link, D1))
    assert case_of(record(visits=(visit,), links=(newer,)))["questionnaires"] == {"rmdq": rmdq_link}
    assert case_of(record(visits=(visit,), links=(older,)))["questionnaires"] == {
        "rmdq": rmdq_visit
    }


def test_nothing_identifying_goes_into_the_case_but_the_record_number():
    visit = VisitData("v", D1, notes="lives on Elm Road")
    text = repr(case_of(record(visits=(visit,))))
    assert "A-001" in text
    assert not any(word in text for word in ("Ada", "555-0100", "Elm Road"))


def test_pain_sites_are_the_drawn_regions_the_case_format_knows():
    drawn = {"back": {"left": ["buttock", "calf"]}, "front": {"left": ["knee", "buttock"]}}
    assert pain_sites(drawn) == {"left": ["buttock", "calf"], "right": []}
    assert pain_sites({}) is None
