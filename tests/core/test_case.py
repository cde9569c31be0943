"""Validation of ``cluneal-case/1`` (case-format.md, "Case" and its field table).

"Every field but ``format`` is optional. Absent or ``null`` means not known. Unknown keys, wrong
types, out-of-range numbers and unknown enum values are errors." "An invalid case is rejected as a
whole, with every problem listed by its JSON path."
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cluneal.core import parse_case
from cluneal.validation import Invalid

FORMAT = "cluneal-case/1"


def finding_case(side: str, name: str, **finding: Any) -> dict[str, Any]:
    return {"format": FORMAT, "exam": {side: {name: finding}}}


# -- format and the case itself -------------------------------------------------------------------


def test_it_accepts_a_case_with_only_the_format(case):
    parsed = parse_case(case())
    assert parsed.id is None
    assert parsed.blocks == ()
    assert parsed.treatments == ()
    assert parsed.current_nrs is None


def test_it_accepts_the_example_case_of_the_document(example):
    parsed = parse_case(example)
    assert parsed.id == "any string"
    assert parsed.patient.age == 67
    assert parsed.patient.sex == "female"
    assert parsed.current_nrs == 5
    assert len(parsed.blocks) == 1
    assert parsed.blocks[0].date == dt.date(2026, 10, 1)
    assert len(parsed.treatments) == 1


def test_it_rejects_a_case_without_format(paths):
    assert paths({"id": "x"}) == ["format"]


def test_it_rejects_a_case_with_null_format(paths):
    assert paths({"format": None}) == ["format"]


@pytest.mark.parametrize(
    "value", ["cluneal-case/2", "cluneal-assessment/1", "", 1, ["cluneal-case/1"]]
)
def test_it_rejects_a_wrong_format(paths, value):
    assert paths({"format": value}) == ["format"]


@pytest.mark.parametrize("data", [[], "case", 3, None, True, [{"format": FORMAT}]])
def test_it_rejects_a_case_that_is_not_an_object(data):
    with pytest.raises(Invalid) as caught:
        parse_case(data)
    assert len(caught.value.problems) == 1


def test_it_rejects_an_id_that_is_not_a_string(paths, case):
    assert paths(case(id=5)) == ["id"]


# -- unknown keys at every level -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"format": FORMAT, "weight": 70}, "weight"),
        ({"format": FORMAT, "patient": {"age": 50, "weight": 70}}, "patient.weight"),
        ({"format": FORMAT, "history": {"smoker": True}}, "history.smoker"),
        (
            {"format": FORMAT, "history": {"pain_sites": {"left": [], "middle": []}}},
            "history.pain_sites.middle",
        ),
        ({"format": FORMAT, "exam": {"centre": {}}}, "exam.centre"),
        ({"format": FORMAT, "exam": {"left": {"icn": {"tender": True}}}}, "exam.left.icn"),
        (
            {"format": FORMAT, "exam": {"right": {"scn": {"painful": True}}}},
            "exam.right.scn.painful",
        ),
        ({"format": FORMAT, "exam": {"left": {"mcn": {"tinel": True}}}}, "exam.left.mcn.tinel"),
        ({"format": FORMAT, "questionnaires": {"sf36": [1]}}, "questionnaires.sf36"),
    ],
    ids=[
        "root",
        "patient",
        "history",
        "pain_sites",
        "exam",
        "exam-side",
        "finding-scn",
        "finding-mcn",
        "questionnaires",
    ],
)
def test_it_rejects_an_unknown_key(paths, data, path):
    assert paths(data) == [path]


def test_it_rejects_an_unknown_key_in_a_block(paths, case, block):
    assert paths(case(blocks=[block(drug="lidocaine")])) == ["blocks[0].drug"]


def test_it_rejects_an_unknown_key_in_a_treatment(paths, case, treatment):
    assert paths(case(treatments=[treatment(surgeon="X")])) == ["treatments[0].surgeon"]


# -- patient -------------------------------------------------------------------------------------


@pytest.mark.parametrize("age", [0, 1, 67, 120])
def test_it_accepts_an_integer_age_from_0_to_120(case, age):
    assert parse_case(case(patient={"age": age})).patient.age == age


@pytest.mark.parametrize("age", [121, -1, 67.5, True, False, "67", [67]])
def test_it_rejects_an_age_that_is_not_an_integer_from_0_to_120(paths, case, age):
    assert paths(case(patient={"age": age})) == ["patient.age"]


@pytest.mark.parametrize("sex", ["female", "male", "other", "unknown"])
def test_it_accepts_each_sex_of_the_document(case, sex):
    assert parse_case(case(patient={"sex": sex})).patient.sex == sex


@pytest.mark.parametrize("sex", ["f", "Female", "intersex", "", 1, True])
def test_it_rejects_an_unknown_sex(paths, case, sex):
    assert paths(case(patient={"sex": sex})) == ["patient.sex"]


def test_it_rejects_a_patient_that_is_not_an_object(paths, case):
    assert paths(case(patient=[67])) == ["patient"]


# -- history -------------------------------------------------------------------------------------


@pytest.mark.parametrize("months", [0, 14, 2.5])
def test_it_accepts_a_duration_of_zero_or_more_months(case, months):
    assert parse_case(case(history={"duration_months": months})).history.duration_months == months


@pytest.mark.parametrize("months", [-1, -0.5, "14", True, float("nan")])
def test_it_rejects_a_duration_that_is_not_a_number_at_least_0(paths, case, months):
    assert paths(case(history={"duration_months": months})) == ["history.duration_months"]


PAIN_SITES = [
    "low_back",
    "iliac_crest",
    "buttock",
    "groin",
    "lateral_thigh",
    "posterior_thigh",
    "calf",
    "foot",
]
AGGRAVATING = [
    "lumbar_movement",
    "lumbar_flexion",
    "lumbar_extension",
    "lumbar_rotation",
    "standing",
    "standing_up",
    "walking",
    "sitting",
    "rolling_over",
]
PROCEDURES = [
    "lumbar_fusion",
    "lumbar_decompression",
    "iliac_crest_bone_graft",
    "si_joint_fusion",
    "si_joint_injection",
    "scn_release",
    "mcn_release",
]
CONDITIONS = [
    "osteoporotic_vertebral_fracture",
    "kyphosis",
    "thoracolumbar_instability",
    "lumbar_spinal_stenosis",
    "lumbar_disc_herniation",
    "sacroiliac_joint_pain",
    "hip_disease",
    "parkinson_disease",
]
RED_FLAGS = [
    "saddle_anaesthesia",
    "bladder_or_bowel_dysfunction",
    "progressive_neurological_deficit",
    "suspected_infection",
    "suspected_malignancy",
    "suspected_fracture",
]


@pytest.mark.parametrize("side", ["left", "right"])
def test_it_accepts_every_pain_site_of_the_document(case, side):
    parsed = parse_case(case(history={"pain_sites": {side: PAIN_SITES}}))
    assert parsed.history.pain_sites is not None
    assert tuple(parsed.history.pain_sites[side]) == tuple(PAIN_SITES)


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("aggravated_by", AGGRAVATING),
        ("prior_procedures", PROCEDURES),
        ("planned_procedures", PROCEDURES),
        ("conditions", CONDITIONS),
        ("red_flags", RED_FLAGS),
    ],
)
def test_it_accepts_every_value_of_each_history_list(case, field, values):
    parsed = parse_case(case(history={field: values}))
    assert tuple(getattr(parsed.history, field)) == tuple(values)


@pytest.mark.parametrize(
    ("history", "path"),
    [
        ({"pain_sites": {"left": ["low_back", "knee"]}}, "history.pain_sites.left[1]"),
        ({"pain_sites": {"right": ["shoulder"]}}, "history.pain_sites.right[0]"),
        ({"aggravated_by": ["walking", "coughing"]}, "history.aggravated_by[1]"),
        ({"prior_procedures": ["hip_replacement"]}, "history.prior_procedures[0]"),
        ({"planned_procedures": ["lumbar_fusion", "knee_fusion"]}, "history.planned_procedures[1]"),
        ({"conditions": ["diabetes"]}, "history.conditions[0]"),
        ({"red_flags": ["weight_loss"]}, "history.red_flags[0]"),
    ],
    ids=[
        "pain_sites.left",
        "pain_sites.right",
        "aggravated_by",
        "prior_procedures",
        "planned_procedures",
        "conditions",
        "red_flags",
    ],
)
def test_it_rejects_an_unknown_value_in_a_history_list(paths, case, history, path):
    assert paths(case(history=history)) == [path]


@pytest.mark.parametrize(
    "field",
    ["aggravated_by", "prior_procedures", "planned_procedures", "conditions", "red_flags"],
)
def test_it_rejects_a_history_list_given_as_a_single_string(paths, case, field):
    assert paths(case(history={field: "walking"})) == [f"history.{field}"]


def test_it_rejects_pain_sites_that_are_not_an_object(paths, case):
    assert paths(case(history={"pain_sites": ["buttock"]})) == ["history.pain_sites"]


@pytest.mark.parametrize("value", ["yes", 1, 0])
def test_it_rejects_leg_numbness_that_is_not_a_boolean(paths, case, value):
    assert paths(case(history={"leg_numbness_or_tingling": value})) == [
        "history.leg_numbness_or_tingling"
    ]


# -- exam ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("name", ["scn", "mcn"])
def test_it_reads_a_tender_point_finding_on_each_nerve_and_side(side, name):
    parsed = parse_case(
        finding_case(
            side,
            name,
            tender=True,
            distance_mm=35.5,
            reproduces_complaint=False,
            radiation_on_pressure=True,
        )
    )
    found = parsed.finding(name, side)
    assert found is not None
    assert found.tender is True
    assert found.distance_mm == 35.5
    assert found.reproduces_complaint is False
    assert found.radiation_on_pressure is True


@pytest.mark.parametrize("distance", [0, 0.5, 70, 250])
def test_it_accepts_a_distance_of_zero_or_more(distance):
    found = parse_case(finding_case("left", "scn", distance_mm=distance)).finding("scn", "left")
    assert found is not None
    assert found.distance_mm == distance


@pytest.mark.parametrize("distance", [-1, -0.1, "70", True, float("nan"), [70]])
def test_it_rejects_a_distance_that_is_not_a_number_at_least_0(paths, distance):
    assert paths(finding_case("right", "mcn", distance_mm=distance)) == [
        "exam.right.mcn.distance_mm"
    ]


@pytest.mark.parametrize("field", ["tender", "reproduces_complaint", "radiation_on_pressure"])
@pytest.mark.parametrize("value", ["true", 1, 0, "yes"])
def test_it_rejects_a_finding_flag_that_is_not_a_boolean(paths, field, value):
    assert paths(finding_case("left", "scn", **{field: value})) == [f"exam.left.scn.{field}"]


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"format": FORMAT, "exam": []}, "exam"),
        ({"format": FORMAT, "exam": {"left": "tender"}}, "exam.left"),
        ({"format": FORMAT, "exam": {"left": {"scn": True}}}, "exam.left.scn"),
    ],
)
def test_it_rejects_an_exam_part_that_is_not_an_object(paths, data, path):
    assert paths(data) == [path]


# -- blocks --------------------------------------------------------------------------------------


def test_it_reads_a_complete_block(case, block):
    parsed = parse_case(case(blocks=[block(minutes_after=30, relief_days=4)]))
    (b,) = parsed.blocks
    assert (b.date, b.nerve, b.side, b.nrs_before, b.nrs_after) == (
        dt.date(2026, 10, 1),
        "scn",
        "left",
        8,
        2,
    )
    assert b.minutes_after == 30
    assert b.relief_days == 4


@pytest.mark.parametrize("field", ["date", "nerve", "side", "nrs_before", "nrs_after"])
def test_it_rejects_a_block_without_a_required_field(paths, case, block, field):
    b = block()
    del b[field]
    assert paths(case(blocks=[b])) == [f"blocks[0].{field}"]


@pytest.mark.parametrize("field", ["date", "nerve", "side", "nrs_before", "nrs_after"])
def test_it_rejects_a_block_with_a_required_field_null(paths, case, block, field):
    assert paths(case(blocks=[block(**{field: None})])) == [f"blocks[0].{field}"]


@pytest.mark.parametrize("field", ["nrs_before", "nrs_after"])
@pytest.mark.parametrize("value", [0, 10])
def test_it_accepts_block_nrs_at_the_ends_of_0_to_10(case, block, field, value):
    (b,) = parse_case(case(blocks=[block(**{field: value})])).blocks
    assert getattr(b, field) == value


@pytest.mark.parametrize("field", ["nrs_before", "nrs_after"])
@pytest.mark.parametrize("value", [11, -1, 5.5, True, "5"])
def test_it_rejects_block_nrs_outside_integers_0_to_10(paths, case, block, field, value):
    assert paths(case(blocks=[block(**{field: value})])) == [f"blocks[0].{field}"]


def test_it_rejects_nrs_above_10_with_the_message_of_the_document(problems, case, block):
    assert problems(case(blocks=[block(nrs_before=11)])) == [
        "blocks[0].nrs_before: must be an integer from 0 to 10"
    ]


@pytest.mark.parametrize("nerve", ["icn", "SCN", "", 1])
def test_it_rejects_a_block_on_an_unknown_nerve(paths, case, block, nerve):
    assert paths(case(blocks=[block(nerve=nerve)])) == ["blocks[0].nerve"]


@pytest.mark.parametrize("side", ["both", "Left", "bilateral", 0])
def test_it_rejects_a_block_on_an_unknown_side(paths, case, block, side):
    assert paths(case(blocks=[block(side=side)])) == ["blocks[0].side"]


@pytest.mark.parametrize("days", [0, 0.5, 4, 30])
def test_it_accepts_relief_days_of_zero_or_more(case, block, days):
    (b,) = parse_case(case(blocks=[block(relief_days=days)])).blocks
    assert b.relief_days == days


@pytest.mark.parametrize("days", [-1, -0.5, "4", True])
def test_it_rejects_relief_days_below_zero_or_not_a_number(paths, case, block, days):
    assert paths(case(blocks=[block(relief_days=days)])) == ["blocks[0].relief_days"]


@pytest.mark.parametrize("minutes", ["30", True, [30]])
def test_it_rejects_minutes_after_that_is_not_a_number(paths, case, block, minutes):
    assert paths(case(blocks=[block(minutes_after=minutes)])) == ["blocks[0].minutes_after"]


def test_it_accepts_minutes_after_and_relief_days_null(case, block):
    (b,) = parse_case(case(blocks=[block(minutes_after=None, relief_days=None)])).blocks
    assert b.minutes_after is None
    assert b.relief_days is None


@pytest.mark.parametrize("date", ["2026-01-01", "2024-02-29", "2026-12-31"])
def test_it_accepts_a_real_date_as_yyyy_mm_dd(case, block, date):
    (b,) = parse_case(case(blocks=[block(date=date)])).blocks
    assert b.date == dt.date.fromisoformat(date)


@pytest.mark.parametrize(
    "date",
    [
        "2026-02-30",
        "2025-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-04-31",
        "2026-1-5",
        "2026/10/01",
        "01-10-2026",
        "20261001",
        "2026-10-01T10:00",
        "",
        20261001,
    ],
)
def test_it_rejects_a_block_date_that_is_not_a_real_yyyy_mm_dd(paths, case, block, date):
    assert paths(case(blocks=[block(date=date)])) == ["blocks[0].date"]


def test_it_rejects_an_iso_week_date_that_is_not_yyyy_mm_dd(paths, case, block):
    # "2026-W05-1" is ISO 8601 but not the YYYY-MM-DD the document requires.
    assert paths(case(blocks=[block(date="2026-W05-1")])) == ["blocks[0].date"]


def test_it_rejects_an_iso_week_date_on_a_treatment(paths, case, treatment):
    assert paths(case(treatments=[treatment(date="2026-W47-5")])) == ["treatments[0].date"]


@pytest.mark.parametrize(
    "date", ["\u0662\u0660\u0662\u0666-\u0661\u0660-\u0660\u0661", "2026-10-0\u0661"]
)
def test_it_rejects_a_date_written_with_non_ascii_digits(paths, case, block, date):
    assert paths(case(blocks=[block(date=date)])) == ["blocks[0].date"]


@pytest.mark.parametrize("entry", [None, "block", 3, []])
def test_it_rejects_a_block_that_is_not_an_object(paths, case, entry):
    assert paths(case(blocks=[entry])) == ["blocks[0]"]


def test_it_rejects_blocks_that_are_not_a_list(paths, case, block):
    assert paths(case(blocks=block())) == ["blocks"]


def test_it_names_the_index_of_the_bad_block(paths, case, block):
    assert paths(case(blocks=[block(), block(), block(nrs_after=12)])) == ["blocks[2].nrs_after"]


# -- treatments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["surgical_release", "neurectomy", "radiofrequency"])
@pytest.mark.parametrize("outcome", ["pain_free", "improved", "unchanged", "worse", "recurred"])
def test_it_accepts_every_treatment_kind_and_outcome(case, treatment, kind, outcome):
    (t,) = parse_case(case(treatments=[treatment(kind=kind, outcome=outcome)])).treatments
    assert (t.kind, t.outcome) == (kind, outcome)


@pytest.mark.parametrize("field", ["date", "kind", "nerve", "side"])
def test_it_rejects_a_treatment_without_a_required_field(paths, case, treatment, field):
    t = treatment()
    del t[field]
    assert paths(case(treatments=[t])) == [f"treatments[0].{field}"]


@pytest.mark.parametrize("field", ["date", "kind", "nerve", "side"])
def test_it_rejects_a_treatment_with_a_required_field_null(paths, case, treatment, field):
    assert paths(case(treatments=[treatment(**{field: None})])) == [f"treatments[0].{field}"]


def test_it_accepts_a_treatment_without_outcome(case, treatment):
    t = treatment()
    del t["outcome"]
    (read,) = parse_case(case(treatments=[t])).treatments
    assert read.outcome is None


def test_it_accepts_a_treatment_with_outcome_null(case, treatment):
    (read,) = parse_case(case(treatments=[treatment(outcome=None)])).treatments
    assert read.outcome is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "injection"),
        ("kind", "scn_release"),
        ("nerve", "icn"),
        ("side", "both"),
        ("outcome", "cured"),
        ("outcome", "better"),
        ("date", "2026-02-30"),
        ("date", "2026-11-20T00:00"),
    ],
)
def test_it_rejects_a_treatment_field_outside_its_values(paths, case, treatment, field, value):
    assert paths(case(treatments=[treatment(**{field: value})])) == [f"treatments[0].{field}"]


@pytest.mark.parametrize("entry", [None, "surgery"])
def test_it_rejects_a_treatment_that_is_not_an_object(paths, case, entry):
    assert paths(case(treatments=[entry])) == ["treatments[0]"]


# -- current_nrs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("nrs", [0, 5, 10])
def test_it_accepts_current_nrs_from_0_to_10(case, nrs):
    assert parse_case(case(current_nrs=nrs)).current_nrs == nrs


@pytest.mark.parametrize("nrs", [11, -1, 4.5, True, "5"])
def test_it_rejects_current_nrs_outside_integers_0_to_10(paths, case, nrs):
    assert paths(case(current_nrs=nrs)) == ["current_nrs"]


# -- questionnaires ------------------------------------------------------------------------------


def test_it_accepts_startback_with_nine_answers(case):
    answers = [1, 0, 1, 1, 0, 1, 1, 0, 5]
    parsed = parse_case(case(questionnaires={"startback": answers}))
    assert parsed.questionnaires.startback == tuple(answers)


@pytest.mark.parametrize("item9", [1, 2, 3, 4, 5])
def test_it_accepts_startback_item_9_from_1_to_5(case, item9):
    answers = [0] * 8 + [item9]
    assert parse_case(
        case(questionnaires={"startback": answers})
    ).questionnaires.startback == tuple(answers)


@pytest.mark.parametrize("count", [0, 8, 10])
def test_it_rejects_startback_without_exactly_nine_answers(paths, case, count):
    answers = ([0] * 8 + [1] + [0])[:count]
    assert "questionnaires.startback" in paths(case(questionnaires={"startback": answers}))


@pytest.mark.parametrize("item9", [0, 6, -1, 2.5, True])
def test_it_rejects_startback_item_9_outside_1_to_5(paths, case, item9):
    assert paths(case(questionnaires={"startback": [0] * 8 + [item9]})) == [
        "questionnaires.startback[8]"
    ]


@pytest.mark.parametrize("position", [0, 4, 7])
@pytest.mark.parametrize("value", [2, -1, 0.5, True, "1"])
def test_it_rejects_startback_items_1_to_8_other_than_0_or_1(paths, case, position, value):
    answers: list[Any] = [0] * 8 + [1]
    answers[position] = value
    assert paths(case(questionnaires={"startback": answers})) == [
        f"questionnaires.startback[{position}]"
    ]


@pytest.mark.parametrize("position", [0, 8])
def test_it_rejects_a_startback_answer_left_null(paths, case, position):
    answers: list[Any] = [0] * 8 + [1]
    answers[position] = None
    assert paths(case(questionnaires={"startback": answers})) == [
        f"questionnaires.startback[{position}]"
    ]


def test_it_accepts_odi_with_ten_scores_and_nulls(case):
    odi = [0, 5, None, 3, None, 1, 2, 4, None, 0]
    assert parse_case(case(questionnaires={"odi": odi})).questionnaires.odi == tuple(odi)


@pytest.mark.parametrize("count", [0, 9, 11])
def test_it_rejects_odi_without_exactly_ten_entries(paths, case, count):
    assert paths(case(questionnaires={"odi": [1] * count})) == ["questionnaires.odi"]


@pytest.mark.parametrize("value", [6, -1, 2.5, True, "3"])
def test_it_rejects_an_odi_section_outside_0_to_5(paths, case, value):
    odi: list[Any] = [1] * 10
    odi[3] = value
    assert paths(case(questionnaires={"odi": odi})) == ["questionnaires.odi[3]"]


@pytest.mark.parametrize("count", [0, 1, 24])
def test_it_accepts_rmdq_with_up_to_24_items(case, count):
    rmdq = [True] * count
    assert parse_case(case(questionnaires={"rmdq": rmdq})).questionnaires.rmdq == tuple(rmdq)


def test_it_rejects_rmdq_with_25_items(paths, case):
    assert paths(case(questionnaires={"rmdq": [False] * 25})) == ["questionnaires.rmdq"]


def test_it_accepts_rmdq_items_that_are_null(case):
    rmdq = [True, None, False, None]
    assert parse_case(case(questionnaires={"rmdq": rmdq})).questionnaires.rmdq == tuple(rmdq)


@pytest.mark.parametrize("value", [1, 0, "true", "yes"])
def test_it_rejects_an_rmdq_item_that_is_not_a_boolean(paths, case, value):
    assert paths(case(questionnaires={"rmdq": [True, value]})) == ["questionnaires.rmdq[1]"]


@pytest.mark.parametrize("name", ["startback", "odi", "rmdq"])
def test_it_rejects_a_questionnaire_that_is_not_a_list(paths, case, name):
    assert paths(case(questionnaires={name: {"1": 1}})) == [f"questionnaires.{name}"]


# -- every problem at once -----------------------------------------------------------------------


def test_it_lists_three_problems_with_their_paths_at_once(paths, case, block):
    data = case(
        patient={"age": 121},
        blocks=[block(nrs_before=11)],
        current_nrs=-1,
    )
    assert sorted(paths(data)) == sorted(["patient.age", "blocks[0].nrs_before", "current_nrs"])


def test_it_lists_every_problem_of_a_case_with_many_errors(problems, block):
    data = {
        "patient": {"age": 67.5, "sex": "f"},
        "history": {"duration_months": -2, "aggravated_by": ["coughing"], "extra": 1},
        "exam": {"left": {"scn": {"tender": "yes", "distance_mm": -5}}},
        "blocks": [{"nerve": "scn", "side": "left", "nrs_before": 8, "nrs_after": 2}],
        "treatments": [{"date": "2026-02-30", "kind": "surgical_release", "nerve": "scn"}],
        "current_nrs": 11,
        "questionnaires": {"rmdq": [True] * 25},
    }
    found = problems(data)
    expected_paths = {
        "format",
        "patient.age",
        "patient.sex",
        "history.duration_months",
        "history.aggravated_by[0]",
        "history.extra",
        "exam.left.scn.tender",
        "exam.left.scn.distance_mm",
        "blocks[0].date",
        "treatments[0].date",
        "treatments[0].side",
        "current_nrs",
        "questionnaires.rmdq",
    }
    assert {p.split(": ", 1)[0] for p in found} == expected_paths
    assert len(found) == len(expected_paths)


# -- null wherever a field is optional -----------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"format": FORMAT, "id": None},
        {"format": FORMAT, "patient": None},
        {"format": FORMAT, "patient": {"age": None, "sex": None}},
        {"format": FORMAT, "history": None},
        {
            "format": FORMAT,
            "history": {
                "duration_months": None,
                "pain_sites": None,
                "aggravated_by": None,
                "leg_numbness_or_tingling": None,
                "prior_procedures": None,
                "planned_procedures": None,
                "conditions": None,
                "red_flags": None,
            },
        },
        {"format": FORMAT, "history": {"pain_sites": {"left": None, "right": None}}},
        {"format": FORMAT, "exam": None},
        {"format": FORMAT, "exam": {"left": None, "right": None}},
        {"format": FORMAT, "exam": {"left": {"scn": None, "mcn": None}}},
        {
            "format": FORMAT,
            "exam": {
                "right": {
                    "scn": {
                        "tender": None,
                        "distance_mm": None,
                        "reproduces_complaint": None,
                        "radiation_on_pressure": None,
                    }
                }
            },
        },
        {"format": FORMAT, "blocks": None},
        {"format": FORMAT, "treatments": None},
        {"format": FORMAT, "current_nrs": None},
        {"format": FORMAT, "questionnaires": None},
        {"format": FORMAT, "questionnaires": {"startback": None, "odi": None, "rmdq": None}},
        {"format": FORMAT, "questionnaires": {"odi": [None] * 10}},
        {"format": FORMAT, "questionnaires": {"rmdq": [None, None]}},
    ],
    ids=[
        "id",
        "patient",
        "patient-fields",
        "history",
        "history-fields",
        "pain_sites-sides",
        "exam",
        "exam-sides",
        "exam-nerves",
        "finding-fields",
        "blocks",
        "treatments",
        "current_nrs",
        "questionnaires",
        "questionnaire-fields",
        "odi-sections",
        "rmdq-items",
    ],
)
def test_it_accepts_null_where_a_field_is_optional(data):
    parsed = parse_case(data)
    assert parsed.current_nrs is None
    assert parsed.blocks == ()


def test_it_reads_null_optional_fields_as_not_known(case):
    parsed = parse_case(
        case(
            patient={"age": None},
            history={"aggravated_by": None, "pain_sites": None, "leg_numbness_or_tingling": None},
            exam={"left": {"scn": {"tender": None}}},
        )
    )
    assert parsed.patient.age is None
    assert parsed.history.aggravated_by is None
    assert parsed.history.pain_sites is None
    assert parsed.history.leg_numbness_or_tingling is None
    found = parsed.finding("scn", "left")
    assert found is not None
    assert found.tender is None


def test_it_keeps_an_empty_list_apart_from_null(case):
    empty = parse_case(case(history={"aggravated_by": []})).history.aggravated_by
    null = parse_case(case(history={"aggravated_by": None})).history.aggravated_by
    assert empty == ()
    assert null is None


def test_it_keeps_false_apart_from_null(case):
    false = parse_case(case(exam={"left": {"scn": {"tender": False}}})).finding("scn", "left")
    null = parse_case(case(exam={"left": {"scn": {"tender": None}}})).finding("scn", "left")
    assert false is not None
    assert false.tender is False
    assert null is None or null.tender is None


def test_it_rejects_null_inside_a_history_list(paths, case):
    assert paths(case(history={"conditions": ["kyphosis", None]})) == ["history.conditions[1]"]
