"""core/pathway.py: the status of each nerve and side, and its stage on the treatment ladder.

Status of each nerve and side (case-format.md, "Rules": landmark windows, tender-point finding,
block positive, and the status rules 1-6 where the first match wins).

Default windows: SCN 50-90 mm from the midline, MCN 0-40 mm caudal to the PSIS, bounds inclusive.
Block positive: nrs_before > 0 and (before - after) / before >= 50 %.

Stage on the treatment ladder and "favourable for release" (case-format.md, "Rules").

- any red flag present: red_flag_referral (for every nerve and side);
- unknown: examine; unlikely: other_causes; suspected: diagnostic_block;
- confirmed with a surgical_release or neurectomy on that nerve and side: radiofrequency if the
  latest such surgery's outcome is unchanged, worse or recurred, or current_nrs >= 4; otherwise
  maintenance;
- confirmed, no surgery: maintenance if current_nrs <= 2; surgical_release if three or more blocks
  on it and current_nrs >= 4; otherwise repeat_blocks.
- favourable_for_release (only where the stage is surgical_release): true if the longest relief_days
  among its positive blocks is > 3, false if all known values are <= 3, null if none is known.
"""

from __future__ import annotations

from typing import Any

import pytest

FORMAT = "cluneal-case/1"
ALL = [("scn", "left"), ("scn", "right"), ("mcn", "left"), ("mcn", "right")]


def with_finding(name: str, side: str, **finding: Any) -> dict[str, Any]:
    return {"format": FORMAT, "exam": {side: {name: finding}}}


def positive_exam(distance: float = 70) -> dict[str, Any]:
    return {"tender": True, "distance_mm": distance, "reproduces_complaint": True}


@pytest.fixture
def status(run, nerve):
    def _status(data: dict[str, Any], name: str = "scn", side: str = "left") -> str:
        result: str = nerve(run(data), name, side)["status"]
        return result

    return _status


# -- rule 3: no finding, or tender null -> unknown -----------------------------------------------


@pytest.mark.parametrize(("name", "side"), ALL)
def test_status_is_unknown_without_any_exam(status, case, name, side):
    assert status(case(), name, side) == "unknown"


def test_status_is_unknown_when_the_nerve_was_not_examined(status):
    data = with_finding("mcn", "left", tender=True, distance_mm=20, reproduces_complaint=True)
    assert status(data, "scn", "left") == "unknown"


def test_status_is_unknown_when_tender_is_null(status):
    data = with_finding("scn", "left", tender=None, distance_mm=70, reproduces_complaint=True)
    assert status(data) == "unknown"


def test_status_is_unknown_when_tender_is_absent_even_if_distance_is_outside(status):
    # Rule 3 comes before rule 4: tender null wins over an out-of-window distance.
    data = with_finding("scn", "left", distance_mm=120, reproduces_complaint=False)
    assert status(data) == "unknown"


def test_status_is_unknown_for_an_empty_finding(status):
    assert status(with_finding("mcn", "right"), "mcn", "right") == "unknown"


# -- rule 4: tender false / outside window / not reproducing -> unlikely --------------------------


def test_status_is_unlikely_when_tender_is_false(status):
    data = with_finding("scn", "left", tender=False)
    assert status(data) == "unlikely"


def test_status_is_unlikely_when_tender_is_false_even_with_other_fields_positive(status):
    data = with_finding("scn", "left", tender=False, distance_mm=70, reproduces_complaint=True)
    assert status(data) == "unlikely"


def test_status_is_unlikely_when_distance_is_outside_even_when_reproduces_is_null(status):
    data = with_finding("scn", "left", tender=True, distance_mm=120, reproduces_complaint=None)
    assert status(data) == "unlikely"


def test_status_is_unlikely_when_reproduces_complaint_is_false(status):
    data = with_finding("scn", "left", tender=True, distance_mm=70, reproduces_complaint=False)
    assert status(data) == "unlikely"


def test_status_is_unlikely_when_reproduces_is_false_even_with_distance_null(status):
    data = with_finding("scn", "left", tender=True, distance_mm=None, reproduces_complaint=False)
    assert status(data) == "unlikely"


# -- rule 5: distance or reproduces null -> unknown ---------------------------------------------


def test_status_is_unknown_when_distance_is_null(status):
    data = with_finding("scn", "left", tender=True, distance_mm=None, reproduces_complaint=True)
    assert status(data) == "unknown"


def test_status_is_unknown_when_reproduces_complaint_is_null(status):
    data = with_finding("mcn", "right", tender=True, distance_mm=30, reproduces_complaint=None)
    assert status(data, "mcn", "right") == "unknown"


# -- rule 6: otherwise suspected ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "side"), ALL)
def test_status_is_suspected_with_a_positive_tender_point(status, name, side):
    distance = 70 if name == "scn" else 20
    assert status(with_finding(name, side, **positive_exam(distance)), name, side) == "suspected"


@pytest.mark.parametrize("radiation", [True, False, None])
def test_radiation_on_pressure_does_not_change_the_status(status, radiation):
    data = with_finding("scn", "left", **positive_exam(), radiation_on_pressure=radiation)
    assert status(data) == "suspected"


def test_a_finding_on_one_side_does_not_change_the_other_side(status):
    data = with_finding("scn", "left", **positive_exam())
    assert status(data, "scn", "right") == "unknown"


# -- windows: bounds inclusive ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("distance", "expected"),
    [
        (49.9, "unlikely"),
        (50, "suspected"),
        (70, "suspected"),
        (90, "suspected"),
        (90.1, "unlikely"),
        (0, "unlikely"),
        (35, "unlikely"),
    ],
)
def test_scn_window_is_50_to_90_mm_inclusive(status, distance, expected):
    assert status(with_finding("scn", "right", **positive_exam(distance)), "scn", "right") == (
        expected
    )


@pytest.mark.parametrize(
    ("distance", "expected"),
    [
        (0, "suspected"),
        (35, "suspected"),
        (40, "suspected"),
        (40.5, "unlikely"),
        (70, "unlikely"),
    ],
)
def test_mcn_window_is_0_to_40_mm_inclusive(status, distance, expected):
    assert status(with_finding("mcn", "left", **positive_exam(distance)), "mcn", "left") == (
        expected
    )


# -- blocks: rules 1 and 2 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (4, 2, "confirmed"),  # 50 % exactly
        (10, 5, "confirmed"),  # 50 % exactly
        (2, 1, "confirmed"),  # 50 % exactly
        (8, 2, "confirmed"),  # 75 %
        (10, 0, "confirmed"),  # 100 %
        (1, 0, "confirmed"),  # 100 %
        (10, 6, "unlikely"),  # 40 %
        (7, 4, "unlikely"),  # 42.9 %
        (9, 5, "unlikely"),  # 44.4 %, the largest relief below 50 % on a 0-10 scale
        (3, 2, "unlikely"),  # 33.3 %
        (5, 5, "unlikely"),  # no relief
        (4, 6, "unlikely"),  # worse
    ],
)
def test_a_block_is_positive_from_50_percent_relief(status, case, block, before, after, expected):
    data = case(blocks=[block(nrs_before=before, nrs_after=after)])
    assert status(data) == expected


@pytest.mark.parametrize("after", [0, 5])
def test_a_block_with_nrs_before_0_is_never_positive(status, case, block, after):
    data = case(blocks=[block(nrs_before=0, nrs_after=after)])
    assert status(data) == "unlikely"


def test_a_positive_block_beats_a_negative_finding(status, block):
    data = with_finding("scn", "left", tender=False, distance_mm=20, reproduces_complaint=False)
    data["blocks"] = [block(nrs_before=6, nrs_after=3)]
    assert status(data) == "confirmed"


def test_a_positive_block_beats_an_unknown_finding(status, case, block):
    assert status(case(blocks=[block(nrs_before=6, nrs_after=1)])) == "confirmed"


def test_a_negative_block_makes_it_unlikely_even_if_the_exam_is_positive(status, block):
    data = with_finding("scn", "left", **positive_exam())
    data["blocks"] = [block(nrs_before=10, nrs_after=6)]
    assert status(data) == "unlikely"


def test_one_positive_block_among_negative_ones_confirms(status, case, block):
    data = case(
        blocks=[
            block(nrs_before=8, nrs_after=7),
            block(date="2026-10-08", nrs_before=8, nrs_after=4),
            block(date="2026-10-15", nrs_before=8, nrs_after=6),
        ]
    )
    assert status(data) == "confirmed"


def test_several_negative_blocks_make_it_unlikely(status, case, block):
    data = case(blocks=[block(nrs_before=8, nrs_after=6), block(nrs_before=0, nrs_after=0)])
    assert status(data) == "unlikely"


def test_a_block_counts_only_on_its_own_nerve_and_side(status, case, block):
    data = case(blocks=[block(nerve="scn", side="left", nrs_before=8, nrs_after=1)])
    assert status(data, "scn", "left") == "confirmed"
    assert status(data, "scn", "right") == "unknown"
    assert status(data, "mcn", "left") == "unknown"
    assert status(data, "mcn", "right") == "unknown"


def test_a_negative_block_on_another_nerve_does_not_change_a_suspected_one(status, block):
    data = with_finding("scn", "left", **positive_exam())
    data["blocks"] = [block(nerve="mcn", side="left", nrs_before=8, nrs_after=8)]
    assert status(data, "scn", "left") == "suspected"
    assert status(data, "mcn", "left") == "unlikely"


def test_minutes_after_does_not_matter_for_the_default_definition(status, case, block):
    data = case(blocks=[block(nrs_before=10, nrs_after=5, minutes_after=1)])
    assert status(data) == "confirmed"


def test_status_of_the_example_case(run, nerve, example):
    a = run(example)
    assert nerve(a, "scn", "left")["status"] == "confirmed"
    assert nerve(a, "mcn", "left")["status"] == "unlikely"
    assert nerve(a, "scn", "right")["status"] == "unlikely"
    assert nerve(a, "mcn", "right")["status"] == "unlikely"


RED_FLAGS = [
    "saddle_anaesthesia",
    "bladder_or_bowel_dysfunction",
    "progressive_neurological_deficit",
    "suspected_infection",
    "suspected_malignancy",
    "suspected_fracture",
]


def blk(
    nerve: str = "scn",
    side: str = "left",
    before: int = 8,
    after: int = 2,
    date: str = "2026-10-01",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "date": date,
        "nerve": nerve,
        "side": side,
        "nrs_before": before,
        "nrs_after": after,
        **extra,
    }


def surgery(
    outcome: str | None = "improved",
    kind: str = "surgical_release",
    nerve: str = "scn",
    side: str = "left",
    date: str = "2026-11-20",
) -> dict[str, Any]:
    out: dict[str, Any] = {"date": date, "kind": kind, "nerve": nerve, "side": side}
    if outcome is not None:
        out["outcome"] = outcome
    return out


def confirmed(
    blocks: int = 1,
    current_nrs: int | None = None,
    treatments: list[dict[str, Any]] | None = None,
    nerve: str = "scn",
    side: str = "left",
) -> dict[str, Any]:
    """A case where ``nerve`` on ``side`` is confirmed by ``blocks`` positive blocks."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "blocks": [blk(nerve, side, 8, 2, date=f"2026-10-{i + 1:02d}") for i in range(blocks)],
    }
    if current_nrs is not None:
        data["current_nrs"] = current_nrs
    if treatments is not None:
        data["treatments"] = treatments
    return data


@pytest.fixture
def stage(run, nerve):
    def _stage(data: dict[str, Any], name: str = "scn", side: str = "left") -> str:
        result: str = nerve(run(data), name, side)["stage"]
        return result

    return _stage


@pytest.fixture
def favourable(run, nerve):
    def _favourable(data: dict[str, Any], name: str = "scn", side: str = "left") -> Any:
        entry = nerve(run(data), name, side)
        return entry["stage"], entry["favourable_for_release"]

    return _favourable


# -- red flags -----------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", RED_FLAGS)
def test_any_red_flag_sends_every_nerve_and_side_to_referral(run, nerve, flag):
    data = confirmed(blocks=3, current_nrs=8)
    data["history"] = {"red_flags": [flag]}
    data["exam"] = {
        "right": {
            "scn": {"tender": True, "distance_mm": 70, "reproduces_complaint": True},
            "mcn": {"tender": False},
        }
    }
    a = run(data)
    for name, side in ALL:
        assert nerve(a, name, side)["stage"] == "red_flag_referral", (name, side)


def test_an_empty_red_flag_list_is_no_red_flag(stage, case):
    assert stage(case(history={"red_flags": []})) == "examine"


def test_red_flags_absent_are_no_red_flag(stage, case):
    assert stage(case(history={"red_flags": None})) == "examine"


# -- unknown / unlikely / suspected --------------------------------------------------------------


@pytest.mark.parametrize(("name", "side"), ALL)
def test_an_unknown_nerve_is_to_be_examined(stage, case, name, side):
    assert stage(case(), name, side) == "examine"


def test_an_unlikely_nerve_points_to_other_causes(stage, case):
    assert stage(case(exam={"left": {"mcn": {"tender": False}}}), "mcn", "left") == ("other_causes")


def test_a_nerve_with_only_negative_blocks_points_to_other_causes(stage, case):
    assert stage(case(blocks=[blk(before=8, after=6)], current_nrs=8)) == "other_causes"


def test_a_suspected_nerve_gets_a_diagnostic_block(stage, case):
    exam = {"right": {"scn": {"tender": True, "distance_mm": 60, "reproduces_complaint": True}}}
    assert stage(case(exam=exam, current_nrs=9), "scn", "right") == "diagnostic_block"


# -- confirmed with surgery ----------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["unchanged", "worse", "recurred"])
def test_a_poor_outcome_after_release_leads_to_radiofrequency(stage, outcome):
    assert stage(confirmed(current_nrs=1, treatments=[surgery(outcome)])) == "radiofrequency"


@pytest.mark.parametrize("outcome", ["unchanged", "worse", "recurred"])
def test_a_poor_outcome_after_neurectomy_leads_to_radiofrequency(stage, outcome):
    data = confirmed(current_nrs=0, treatments=[surgery(outcome, kind="neurectomy")])
    assert stage(data) == "radiofrequency"


@pytest.mark.parametrize("outcome", ["pain_free", "improved", None])
def test_a_good_outcome_after_surgery_with_current_nrs_3_is_maintenance(stage, outcome):
    assert stage(confirmed(current_nrs=3, treatments=[surgery(outcome)])) == "maintenance"


def test_improved_after_surgery_with_current_nrs_4_leads_to_radiofrequency(stage):
    assert stage(confirmed(current_nrs=4, treatments=[surgery("improved")])) == "radiofrequency"


def test_pain_free_after_surgery_with_current_nrs_10_leads_to_radiofrequency(stage):
    assert stage(confirmed(current_nrs=10, treatments=[surgery("pain_free")])) == ("radiofrequency")


def test_improved_after_surgery_with_current_nrs_null_is_maintenance(stage):
    assert stage(confirmed(current_nrs=None, treatments=[surgery("improved")])) == "maintenance"


def test_a_good_outcome_after_surgery_is_maintenance_even_after_three_blocks(stage):
    data = confirmed(blocks=3, current_nrs=3, treatments=[surgery("improved")])
    assert stage(data) == "maintenance"


def test_the_later_surgery_decides_when_it_went_badly(stage):
    data = confirmed(
        current_nrs=3,
        treatments=[
            surgery("improved", date="2026-06-01"),
            surgery("recurred", kind="neurectomy", date="2026-12-01"),
        ],
    )
    assert stage(data) == "radiofrequency"


def test_the_later_surgery_decides_when_it_went_well(stage):
    data = confirmed(
        current_nrs=3,
        treatments=[
            surgery("worse", date="2026-06-01"),
            surgery("improved", date="2026-12-01"),
        ],
    )
    assert stage(data) == "maintenance"


def test_the_later_surgery_decides_by_date_not_by_order_in_the_list(stage):
    data = confirmed(
        current_nrs=3,
        treatments=[
            surgery("improved", date="2026-12-01"),
            surgery("worse", date="2026-06-01"),
        ],
    )
    assert stage(data) == "maintenance"


def test_an_earlier_poor_outcome_is_overridden_by_a_later_surgery_without_outcome(stage):
    data = confirmed(
        current_nrs=3,
        treatments=[surgery("unchanged", date="2026-06-01"), surgery(None, date="2026-12-01")],
    )
    assert stage(data) == "maintenance"


@pytest.mark.parametrize(
    "other",
    [
        {"side": "right"},
        {"nerve": "mcn"},
        {"nerve": "mcn", "side": "right"},
    ],
    ids=["other-side", "other-nerve", "other-nerve-and-side"],
)
def test_surgery_on_another_nerve_or_side_does_not_count(stage, other):
    # With the surgery counted, "worse" would give radiofrequency; without it, NRS 3 after
    # one block gives repeat_blocks.
    data = confirmed(blocks=1, current_nrs=3, treatments=[surgery("worse", **other)])
    assert stage(data) == "repeat_blocks"


def test_radiofrequency_is_not_a_surgery(stage):
    data = confirmed(blocks=1, current_nrs=3, treatments=[surgery("worse", kind="radiofrequency")])
    assert stage(data) == "repeat_blocks"


def test_surgery_on_the_mcn_counts_for_the_mcn(stage):
    data = confirmed(
        nerve="mcn",
        side="right",
        current_nrs=2,
        treatments=[surgery("recurred", nerve="mcn", side="right")],
    )
    assert stage(data, "mcn", "right") == "radiofrequency"


# -- confirmed without surgery -------------------------------------------------------------------


@pytest.mark.parametrize("nrs", [0, 1, 2])
def test_confirmed_without_surgery_and_current_nrs_up_to_2_is_maintenance(stage, nrs):
    assert stage(confirmed(blocks=3, current_nrs=nrs)) == "maintenance"


def test_current_nrs_3_after_three_blocks_repeats_the_blocks(stage):
    assert stage(confirmed(blocks=3, current_nrs=3)) == "repeat_blocks"


@pytest.mark.parametrize("nrs", [4, 7, 10])
def test_current_nrs_4_or_more_after_three_blocks_proposes_surgical_release(stage, nrs):
    assert stage(confirmed(blocks=3, current_nrs=nrs)) == "surgical_release"


def test_four_blocks_and_current_nrs_4_propose_surgical_release(stage):
    assert stage(confirmed(blocks=4, current_nrs=4)) == "surgical_release"


@pytest.mark.parametrize("blocks", [1, 2])
def test_current_nrs_4_after_fewer_than_three_blocks_repeats_the_blocks(stage, blocks):
    assert stage(confirmed(blocks=blocks, current_nrs=4)) == "repeat_blocks"


@pytest.mark.parametrize("blocks", [1, 3])
def test_current_nrs_null_repeats_the_blocks(stage, blocks):
    assert stage(confirmed(blocks=blocks, current_nrs=None)) == "repeat_blocks"


def test_negative_blocks_count_towards_the_three_blocks(stage, case):
    data = case(
        blocks=[
            blk(before=8, after=7, date="2026-10-01"),
            blk(before=8, after=6, date="2026-10-08"),
            blk(before=8, after=3, date="2026-10-15"),
        ],
        current_nrs=5,
    )
    assert stage(data) == "surgical_release"


def test_blocks_on_another_nerve_or_side_do_not_count_towards_three(stage, case):
    data = case(
        blocks=[
            blk(date="2026-10-01"),
            blk(side="right", date="2026-10-08"),
            blk(nerve="mcn", date="2026-10-15"),
        ],
        current_nrs=6,
    )
    assert stage(data, "scn", "left") == "repeat_blocks"


def test_stage_of_the_example_case(run, nerve, example):
    a = run(example)
    assert nerve(a, "scn", "left")["stage"] == "radiofrequency"
    assert nerve(a, "mcn", "left")["stage"] == "other_causes"
    assert nerve(a, "scn", "right")["stage"] == "other_causes"
    assert nerve(a, "mcn", "right")["stage"] == "other_causes"


# -- favourable for release ----------------------------------------------------------------------


def three_blocks(*days: float | None, before: int = 8, after: int = 2) -> dict[str, Any]:
    """Three blocks on the left SCN, current NRS 6: the stage is surgical_release."""
    blocks = []
    for i, d in enumerate(days):
        extra = {} if d is None else {"relief_days": d}
        blocks.append(blk(before=before, after=after, date=f"2026-10-{i + 1:02d}", **extra))
    return {"format": FORMAT, "blocks": blocks, "current_nrs": 6}


def test_release_is_favourable_when_relief_lasted_4_days(favourable):
    assert favourable(three_blocks(1, 4, 2)) == ("surgical_release", True)


def test_release_is_favourable_when_relief_lasted_just_over_3_days(favourable):
    assert favourable(three_blocks(3.5, None, None)) == ("surgical_release", True)


def test_release_is_not_favourable_when_relief_lasted_exactly_3_days(favourable):
    assert favourable(three_blocks(3, 1, 2)) == ("surgical_release", False)


def test_release_is_not_favourable_when_relief_lasted_0_days(favourable):
    assert favourable(three_blocks(0, None, 0)) == ("surgical_release", False)


def test_favourable_is_null_when_no_relief_days_are_known(favourable):
    assert favourable(three_blocks(None, None, None)) == ("surgical_release", None)


def test_favourable_counts_only_positive_blocks(favourable, case):
    data = case(
        blocks=[
            blk(before=8, after=7, date="2026-10-01", relief_days=10),  # negative
            blk(before=8, after=6, date="2026-10-08", relief_days=9),  # negative
            blk(before=8, after=2, date="2026-10-15", relief_days=2),  # positive
        ],
        current_nrs=6,
    )
    assert favourable(data) == ("surgical_release", False)


def test_favourable_is_null_when_only_negative_blocks_have_relief_days(favourable, case):
    data = case(
        blocks=[
            blk(before=8, after=7, date="2026-10-01", relief_days=10),
            blk(before=8, after=6, date="2026-10-08", relief_days=9),
            blk(before=8, after=2, date="2026-10-15"),
        ],
        current_nrs=6,
    )
    assert favourable(data) == ("surgical_release", None)


@pytest.mark.parametrize(
    "data",
    [
        # repeat_blocks
        {
            "format": FORMAT,
            "blocks": [blk(relief_days=10)],
            "current_nrs": 6,
        },
        # maintenance
        {
            "format": FORMAT,
            "blocks": [blk(relief_days=10, date=f"2026-10-0{i}") for i in (1, 2, 3)],
            "current_nrs": 2,
        },
        # radiofrequency
        {
            "format": FORMAT,
            "blocks": [blk(relief_days=10, date=f"2026-10-0{i}") for i in (1, 2, 3)],
            "current_nrs": 6,
            "treatments": [surgery("worse")],
        },
        # red_flag_referral
        {
            "format": FORMAT,
            "history": {"red_flags": ["suspected_fracture"]},
            "blocks": [blk(relief_days=10, date=f"2026-10-0{i}") for i in (1, 2, 3)],
            "current_nrs": 6,
        },
        # diagnostic_block
        {
            "format": FORMAT,
            "exam": {
                "left": {"scn": {"tender": True, "distance_mm": 70, "reproduces_complaint": True}}
            },
        },
    ],
    ids=["repeat_blocks", "maintenance", "radiofrequency", "red_flag_referral", "diagnostic_block"],
)
def test_favourable_is_null_where_the_stage_is_not_surgical_release(favourable, data):
    stage, value = favourable(data)
    assert stage != "surgical_release"
    assert value is None


def test_favourable_is_null_on_every_nerve_of_the_example_case(run, example):
    assert [n["favourable_for_release"] for n in run(example)["nerves"]] == [None] * 4
