"""Status of each nerve and side (case-format.md, "Rules": landmark windows, tender-point finding,
block positive, and the status rules 1-6 where the first match wins).

Default windows: SCN 50-90 mm from the midline, MCN 0-40 mm caudal to the PSIS, bounds inclusive.
Block positive: nrs_before > 0 and (before - after) / before >= 50 %.
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
