"""Criteria sets, each evaluated per side (case-format.md, "Criteria sets").

An item is satisfied, unsatisfied or unknown; a set is met when all items are satisfied, not_met
when any is unsatisfied, otherwise incomplete. Pain-site items are unknown when
history.pain_sites is absent; "aggravated" is unknown when history.aggravated_by is absent and
satisfied when it is non-empty. Block items are satisfied by a positive block on that nerve and
side, unsatisfied when all its blocks are negative, unknown with no block.
"""

from __future__ import annotations

from typing import Any

import pytest

FORMAT = "cluneal-case/1"
SETS = {
    "kuniya2014_scn": ("scn", ["tender_point", "reproduces_complaint"]),
    "isu2018_scn": (
        "scn",
        [
            "pain_iliac_crest_or_buttock",
            "aggravated_by_movement_or_posture",
            "tender_point",
            "radiation_on_pressure",
            "relief_with_block",
        ],
    ),
    "maigne1997_scn": ("scn", ["unilateral_pain", "tender_point", "relief_with_block"]),
    "isu2018_mcn": (
        "mcn",
        [
            "pain_buttock",
            "aggravated_by_movement_or_posture",
            "tender_point",
            "radiation_on_pressure",
            "relief_with_block",
        ],
    ),
}


def blk(nerve: str, side: str, before: int, after: int, date: str = "2026-10-01") -> dict[str, Any]:
    return {"date": date, "nerve": nerve, "side": side, "nrs_before": before, "nrs_after": after}


@pytest.fixture
def status_of(run, criteria, item):
    """``status_of(data, set_id, side)`` -> set status; with ``item_id`` -> that item's status."""

    def _status_of(
        data: dict[str, Any], set_id: str, side: str = "left", item_id: str | None = None
    ) -> str:
        entry = criteria(run(data), set_id, side)
        if item_id is None:
            result: str = entry["status"]
            return result
        return item(entry, item_id)

    return _status_of


def finding(nerve: str, side: str = "left", **fields: Any) -> dict[str, Any]:
    return {"format": FORMAT, "exam": {side: {nerve: fields}}}


# -- shape ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("set_id", list(SETS))
@pytest.mark.parametrize("side", ["left", "right"])
def test_each_set_is_given_per_side_with_its_nerve_and_items(run, criteria, case, set_id, side):
    entry = criteria(run(case()), set_id, side)
    nerve, items = SETS[set_id]
    assert entry["nerve"] == nerve
    assert sorted(i["id"] for i in entry["items"]) == sorted(items)
    assert all(i["status"] in ("satisfied", "unsatisfied", "unknown") for i in entry["items"])
    assert all(isinstance(i["text"], str) and i["text"].strip() for i in entry["items"])
    assert entry["sources"]


def test_the_assessment_has_the_four_sets_on_both_sides(run, case):
    pairs = sorted((c["id"], c["side"]) for c in run(case())["criteria"])
    assert pairs == sorted((s, side) for s in SETS for side in ("left", "right"))


@pytest.mark.parametrize("set_id", list(SETS))
def test_with_nothing_known_every_item_is_unknown_and_the_set_incomplete(
    run, criteria, case, set_id
):
    entry = criteria(run(case()), set_id, "right")
    assert {i["status"] for i in entry["items"]} == {"unknown"}
    assert entry["status"] == "incomplete"


# -- tender_point (SCN) --------------------------------------------------------------------------


@pytest.mark.parametrize("set_id", ["kuniya2014_scn", "isu2018_scn", "maigne1997_scn"])
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"tender": True, "distance_mm": 70}, "satisfied"),
        ({"tender": True, "distance_mm": 50}, "satisfied"),
        ({"tender": True, "distance_mm": 90}, "satisfied"),
        ({"tender": True, "distance_mm": 49.9}, "unsatisfied"),
        ({"tender": True, "distance_mm": 90.1}, "unsatisfied"),
        ({"tender": False, "distance_mm": 70}, "unsatisfied"),
        ({"tender": False}, "unsatisfied"),
        ({"tender": None, "distance_mm": 120}, "unsatisfied"),
        ({"tender": True}, "unknown"),
        ({"tender": None, "distance_mm": 70}, "unknown"),
        ({}, "unknown"),
    ],
    ids=[
        "tender-70",
        "tender-50",
        "tender-90",
        "tender-49.9",
        "tender-90.1",
        "not-tender-70",
        "not-tender",
        "tender-null-outside",
        "tender-distance-null",
        "tender-null-70",
        "empty",
    ],
)
def test_scn_tender_point_needs_tenderness_in_the_window(status_of, set_id, fields, expected):
    assert status_of(finding("scn", "left", **fields), set_id, "left", "tender_point") == expected


@pytest.mark.parametrize("set_id", ["kuniya2014_scn", "isu2018_scn", "maigne1997_scn"])
def test_scn_tender_point_is_unknown_without_a_finding(status_of, case, set_id):
    assert status_of(case(), set_id, "left", "tender_point") == "unknown"


def test_scn_tender_point_ignores_the_mcn_finding(status_of):
    data = finding("mcn", "left", tender=True, distance_mm=70, reproduces_complaint=True)
    assert status_of(data, "kuniya2014_scn", "left", "tender_point") == "unknown"


def test_scn_tender_point_reads_its_own_side(status_of):
    data = finding("scn", "right", tender=True, distance_mm=70)
    assert status_of(data, "kuniya2014_scn", "right", "tender_point") == "satisfied"
    assert status_of(data, "kuniya2014_scn", "left", "tender_point") == "unknown"


# -- reproduces_complaint and radiation_on_pressure ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [(True, "satisfied"), (False, "unsatisfied"), (None, "unknown")]
)
def test_kuniya_reproduces_complaint_follows_the_finding(status_of, value, expected):
    data = finding("scn", "left", tender=True, distance_mm=70, reproduces_complaint=value)
    assert status_of(data, "kuniya2014_scn", "left", "reproduces_complaint") == expected


@pytest.mark.parametrize(("set_id", "nerve"), [("isu2018_scn", "scn"), ("isu2018_mcn", "mcn")])
@pytest.mark.parametrize(
    ("value", "expected"), [(True, "satisfied"), (False, "unsatisfied"), (None, "unknown")]
)
def test_radiation_on_pressure_follows_the_finding_of_the_sets_nerve(
    status_of, set_id, nerve, value, expected
):
    data = finding(nerve, "right", tender=True, radiation_on_pressure=value)
    assert status_of(data, set_id, "right", "radiation_on_pressure") == expected


def test_mcn_radiation_ignores_the_scn_finding(status_of):
    data = finding("scn", "left", tender=True, distance_mm=70, radiation_on_pressure=True)
    assert status_of(data, "isu2018_mcn", "left", "radiation_on_pressure") == "unknown"


# -- pain sites ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (["iliac_crest"], "satisfied"),
        (["buttock"], "satisfied"),
        (["low_back", "buttock", "calf"], "satisfied"),
        (["low_back"], "unsatisfied"),
        (["posterior_thigh", "groin"], "unsatisfied"),
        ([], "unsatisfied"),
    ],
)
def test_isu_scn_pain_item_needs_iliac_crest_or_buttock_on_this_side(status_of, left, expected):
    data = {"format": FORMAT, "history": {"pain_sites": {"left": left, "right": ["buttock"]}}}
    assert status_of(data, "isu2018_scn", "left", "pain_iliac_crest_or_buttock") == expected


@pytest.mark.parametrize(
    ("right", "expected"),
    [
        (["buttock"], "satisfied"),
        (["low_back", "buttock"], "satisfied"),
        (["iliac_crest"], "unsatisfied"),
        (["low_back", "posterior_thigh"], "unsatisfied"),
        ([], "unsatisfied"),
    ],
)
def test_isu_mcn_pain_item_needs_buttock_on_this_side(status_of, right, expected):
    data = {"format": FORMAT, "history": {"pain_sites": {"left": ["buttock"], "right": right}}}
    assert status_of(data, "isu2018_mcn", "right", "pain_buttock") == expected


@pytest.mark.parametrize(
    ("set_id", "item_id"),
    [
        ("isu2018_scn", "pain_iliac_crest_or_buttock"),
        ("isu2018_mcn", "pain_buttock"),
        ("maigne1997_scn", "unilateral_pain"),
    ],
)
@pytest.mark.parametrize(
    "history",
    [None, {}, {"pain_sites": None}, {"aggravated_by": ["walking"]}],
    ids=["no-history", "empty-history", "pain_sites-null", "pain_sites-absent"],
)
def test_pain_site_items_are_unknown_when_pain_sites_is_absent(status_of, set_id, item_id, history):
    data: dict[str, Any] = {"format": FORMAT}
    if history is not None:
        data["history"] = history
    assert status_of(data, set_id, "left", item_id) == "unknown"
    assert status_of(data, set_id, "right", item_id) == "unknown"


@pytest.mark.parametrize(
    ("set_id", "item_id"),
    [
        ("isu2018_scn", "pain_iliac_crest_or_buttock"),
        ("isu2018_mcn", "pain_buttock"),
        ("maigne1997_scn", "unilateral_pain"),
    ],
)
def test_a_side_missing_from_pain_sites_means_no_pain_there(status_of, set_id, item_id):
    data = {"format": FORMAT, "history": {"pain_sites": {"left": ["buttock", "iliac_crest"]}}}
    assert status_of(data, set_id, "right", item_id) == "unsatisfied"


@pytest.mark.parametrize(
    ("set_id", "item_id"),
    [
        ("isu2018_scn", "pain_iliac_crest_or_buttock"),
        ("isu2018_mcn", "pain_buttock"),
    ],
)
def test_empty_pain_sites_mean_no_pain_on_either_side(status_of, set_id, item_id):
    data = {"format": FORMAT, "history": {"pain_sites": {}}}
    assert status_of(data, set_id, "left", item_id) == "unsatisfied"
    assert status_of(data, set_id, "right", item_id) == "unsatisfied"


# -- maigne unilateral_pain ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "left_expected", "right_expected"),
    [
        (["low_back"], [], "satisfied", "unsatisfied"),
        (["iliac_crest"], [], "satisfied", "unsatisfied"),
        (["buttock"], [], "satisfied", "unsatisfied"),
        (["buttock"], ["iliac_crest"], "unsatisfied", "unsatisfied"),
        (["low_back"], ["low_back"], "unsatisfied", "unsatisfied"),
        (["iliac_crest", "calf"], ["calf", "foot", "groin"], "satisfied", "unsatisfied"),
        (["posterior_thigh"], [], "unsatisfied", "unsatisfied"),
        ([], ["buttock", "lateral_thigh"], "unsatisfied", "satisfied"),
        ([], [], "unsatisfied", "unsatisfied"),
    ],
)
def test_maigne_unilateral_pain_is_axial_pain_on_this_side_only(
    status_of, left, right, left_expected, right_expected
):
    data = {"format": FORMAT, "history": {"pain_sites": {"left": left, "right": right}}}
    assert status_of(data, "maigne1997_scn", "left", "unilateral_pain") == left_expected
    assert status_of(data, "maigne1997_scn", "right", "unilateral_pain") == right_expected


def test_maigne_unilateral_pain_with_the_other_side_missing(status_of):
    data = {"format": FORMAT, "history": {"pain_sites": {"right": ["low_back"]}}}
    assert status_of(data, "maigne1997_scn", "right", "unilateral_pain") == "satisfied"
    assert status_of(data, "maigne1997_scn", "left", "unilateral_pain") == "unsatisfied"


# -- aggravated_by -------------------------------------------------------------------------------


@pytest.mark.parametrize("set_id", ["isu2018_scn", "isu2018_mcn"])
@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (None, "unknown"),
        ({}, "unknown"),
        ({"aggravated_by": None}, "unknown"),
        ({"aggravated_by": []}, "unsatisfied"),
        ({"aggravated_by": ["walking"]}, "satisfied"),
        ({"aggravated_by": ["sitting", "rolling_over"]}, "satisfied"),
        ({"aggravated_by": ["lumbar_extension"]}, "satisfied"),
    ],
    ids=["no-history", "absent", "null", "empty", "walking", "two", "extension"],
)
def test_aggravated_item_is_unknown_absent_unsatisfied_empty_satisfied_non_empty(
    status_of, set_id, history, expected
):
    data: dict[str, Any] = {"format": FORMAT}
    if history is not None:
        data["history"] = history
    for side in ("left", "right"):
        assert status_of(data, set_id, side, "aggravated_by_movement_or_posture") == expected


# -- relief_with_block ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("set_id", "nerve"),
    [("isu2018_scn", "scn"), ("maigne1997_scn", "scn"), ("isu2018_mcn", "mcn")],
)
@pytest.mark.parametrize(
    ("reliefs", "expected"),
    [
        ([], "unknown"),
        ([(8, 4)], "satisfied"),
        ([(10, 6)], "unsatisfied"),
        ([(10, 6), (7, 4)], "unsatisfied"),
        ([(10, 6), (4, 2)], "satisfied"),
        ([(0, 0)], "unsatisfied"),
    ],
    ids=["none", "positive-50", "negative-40", "all-negative", "one-positive", "nrs-0"],
)
def test_block_item_follows_the_blocks_on_that_nerve_and_side(
    status_of, set_id, nerve, reliefs, expected
):
    blocks = [
        blk(nerve, "left", b, a, date=f"2026-10-0{i + 1}") for i, (b, a) in enumerate(reliefs)
    ]
    data = {"format": FORMAT, "blocks": blocks}
    assert status_of(data, set_id, "left", "relief_with_block") == expected


def test_block_item_ignores_blocks_on_the_other_side(status_of):
    data = {"format": FORMAT, "blocks": [blk("scn", "right", 8, 0)]}
    assert status_of(data, "isu2018_scn", "left", "relief_with_block") == "unknown"
    assert status_of(data, "isu2018_scn", "right", "relief_with_block") == "satisfied"


def test_block_item_ignores_blocks_on_the_other_nerve(status_of):
    data = {"format": FORMAT, "blocks": [blk("scn", "left", 8, 0), blk("mcn", "right", 8, 7)]}
    assert status_of(data, "isu2018_mcn", "left", "relief_with_block") == "unknown"
    assert status_of(data, "isu2018_mcn", "right", "relief_with_block") == "unsatisfied"
    assert status_of(data, "maigne1997_scn", "right", "relief_with_block") == "unknown"


# -- isu2018_mcn uses the MCN finding and window -------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"tender": True, "distance_mm": 35}, "satisfied"),
        ({"tender": True, "distance_mm": 0}, "satisfied"),
        ({"tender": True, "distance_mm": 40}, "satisfied"),
        ({"tender": True, "distance_mm": 40.5}, "unsatisfied"),
        ({"tender": True, "distance_mm": 70}, "unsatisfied"),
        ({"tender": False, "distance_mm": 35}, "unsatisfied"),
        ({"tender": True}, "unknown"),
    ],
)
def test_mcn_tender_point_uses_the_mcn_window(status_of, fields, expected):
    data = finding("mcn", "left", **fields)
    assert status_of(data, "isu2018_mcn", "left", "tender_point") == expected


def test_mcn_tender_point_ignores_the_scn_finding(status_of):
    data = finding("scn", "left", tender=True, distance_mm=35)
    assert status_of(data, "isu2018_mcn", "left", "tender_point") == "unknown"


def test_mcn_tender_point_at_70_mm_is_outside_while_scn_at_70_is_inside(status_of):
    data = {
        "format": FORMAT,
        "exam": {
            "left": {
                "scn": {"tender": True, "distance_mm": 70},
                "mcn": {"tender": True, "distance_mm": 70},
            }
        },
    }
    assert status_of(data, "isu2018_mcn", "left", "tender_point") == "unsatisfied"
    assert status_of(data, "kuniya2014_scn", "left", "tender_point") == "satisfied"


# -- set status ----------------------------------------------------------------------------------


def full_scn(side: str = "left") -> dict[str, Any]:
    """Everything each SCN set asks for, on ``side`` only."""
    other = "right" if side == "left" else "left"
    return {
        "format": FORMAT,
        "history": {
            "pain_sites": {side: ["low_back", "iliac_crest", "buttock"], other: []},
            "aggravated_by": ["lumbar_flexion"],
        },
        "exam": {
            side: {
                "scn": {
                    "tender": True,
                    "distance_mm": 70,
                    "reproduces_complaint": True,
                    "radiation_on_pressure": True,
                },
                "mcn": {
                    "tender": True,
                    "distance_mm": 30,
                    "reproduces_complaint": True,
                    "radiation_on_pressure": True,
                },
            }
        },
        "blocks": [blk("scn", side, 8, 2), blk("mcn", side, 6, 3)],
    }


@pytest.mark.parametrize("set_id", list(SETS))
@pytest.mark.parametrize("side", ["left", "right"])
def test_a_set_is_met_when_all_items_are_satisfied(status_of, set_id, side):
    assert status_of(full_scn(side), set_id, side) == "met"


@pytest.mark.parametrize(
    ("set_id", "change"),
    [
        ("kuniya2014_scn", lambda d: d["exam"]["left"]["scn"].update(reproduces_complaint=False)),
        ("kuniya2014_scn", lambda d: d["exam"]["left"]["scn"].update(distance_mm=95)),
        ("isu2018_scn", lambda d: d["history"].update(aggravated_by=[])),
        ("isu2018_scn", lambda d: d["history"]["pain_sites"].update(left=["low_back"])),
        ("isu2018_scn", lambda d: d["exam"]["left"]["scn"].update(radiation_on_pressure=False)),
        ("isu2018_scn", lambda d: d["blocks"][0].update(nrs_after=6)),
        ("maigne1997_scn", lambda d: d["history"]["pain_sites"].update(right=["buttock"])),
        ("maigne1997_scn", lambda d: d["exam"]["left"]["scn"].update(tender=False)),
        ("maigne1997_scn", lambda d: d["blocks"][0].update(nrs_before=0)),
        ("isu2018_mcn", lambda d: d["history"]["pain_sites"].update(left=["iliac_crest"])),
        ("isu2018_mcn", lambda d: d["exam"]["left"]["mcn"].update(distance_mm=41)),
        ("isu2018_mcn", lambda d: d["exam"]["left"]["mcn"].update(radiation_on_pressure=False)),
        ("isu2018_mcn", lambda d: d["blocks"][1].update(nrs_after=4)),
    ],
)
def test_a_set_is_not_met_when_one_item_is_unsatisfied(status_of, set_id, change):
    data = full_scn("left")
    change(data)
    assert status_of(data, set_id, "left") == "not_met"


@pytest.mark.parametrize(
    ("set_id", "change"),
    [
        ("kuniya2014_scn", lambda d: d["exam"]["left"]["scn"].update(reproduces_complaint=None)),
        ("isu2018_scn", lambda d: d["history"].pop("aggravated_by")),
        ("isu2018_scn", lambda d: d.pop("blocks")),
        ("maigne1997_scn", lambda d: d["history"].pop("pain_sites")),
        ("isu2018_mcn", lambda d: d["exam"]["left"]["mcn"].update(distance_mm=None)),
        ("isu2018_mcn", lambda d: d["exam"]["left"].pop("mcn")),
    ],
)
def test_a_set_is_incomplete_when_an_item_is_unknown_and_none_unsatisfied(
    status_of, set_id, change
):
    data = full_scn("left")
    change(data)
    assert status_of(data, set_id, "left") == "incomplete"


def test_unsatisfied_wins_over_unknown_in_a_set(status_of):
    data = finding("scn", "left", tender=False)  # tender_point unsatisfied, reproduces unknown
    assert status_of(data, "kuniya2014_scn", "left") == "not_met"


def test_criteria_of_the_example_case(run, criteria, item, example):
    a = run(example)
    kuniya = criteria(a, "kuniya2014_scn", "left")
    assert kuniya["status"] == "met"
    assert item(kuniya, "tender_point") == "satisfied"
    assert item(kuniya, "reproduces_complaint") == "satisfied"
    assert "S1" in kuniya["sources"]
    assert criteria(a, "kuniya2014_scn", "right")["status"] == "not_met"
    assert criteria(a, "isu2018_scn", "left")["status"] == "met"
    assert criteria(a, "isu2018_scn", "right")["status"] == "not_met"
    assert criteria(a, "maigne1997_scn", "left")["status"] == "met"
    assert criteria(a, "maigne1997_scn", "right")["status"] == "not_met"
    assert criteria(a, "isu2018_mcn", "left")["status"] == "not_met"
    assert item(criteria(a, "isu2018_mcn", "left"), "tender_point") == "unsatisfied"
    assert item(criteria(a, "isu2018_mcn", "left"), "pain_buttock") == "satisfied"
    assert criteria(a, "isu2018_mcn", "right")["status"] == "not_met"
