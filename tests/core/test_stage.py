"""Stage on the treatment ladder and "favourable for release" (case-format.md, "Rules").

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
