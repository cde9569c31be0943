"""Block response: relief bins (exact on their edges), Kuniya 2014's measures, and the relief
duration bins around the E6 threshold."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from cluneal.knowledge.loader import default_pack, with_settings
from cluneal.registry.blocks import (
    block_response,
    duration_bins,
    duration_table,
    kuniya_table,
    relief_bin,
    relief_table,
)
from cluneal.registry.cohort import BlockRecord, Cohort, PatientRecord

PACK = default_pack()
D0 = dt.date(2024, 1, 1)


def blk(
    before: int,
    after: int,
    days: float | None = None,
    side: str = "left",
    nerve: str = "scn",
    week: int = 0,
    ongoing: bool = False,
) -> BlockRecord:
    return BlockRecord(
        D0 + dt.timedelta(weeks=week), nerve, side, before, after, 30.0, days, ongoing
    )


@pytest.mark.parametrize(
    ("before", "after", "label"),
    [
        (8, 9, "worse than before (< 0 %)"),
        (8, 8, "0 to < 25 %"),
        (8, 6, "25 to < 50 %"),  # exactly 25 %
        (6, 3, "50 to < 75 %"),  # exactly 50 %
        (3, 2, "25 to < 50 %"),  # 33.3 %
        (4, 1, "75 to < 100 %"),  # exactly 75 %
        (7, 0, "100 % (no pain after)"),
    ],
)
def test_relief_falls_in_the_right_bin(before, after, label):
    assert relief_bin(Fraction(before - after, before) * 100) == label


def test_the_relief_table_counts_blocks_per_nerve():
    p = PatientRecord("p", "A", blocks=(blk(8, 4), blk(6, 3, nerve="mcn"), blk(0, 0), blk(4, 0)))
    table = relief_table(block_response(Cohort((p,)), PACK))
    assert table.cell("50 to < 75 %", "scn_blocks") == 1
    assert table.cell("50 to < 75 %", "mcn_blocks") == 1
    assert table.cell("50 to < 75 %", "any_blocks") == 2
    assert table.cell("50 to < 75 %", "any_pct") == pytest.approx(200 / 3)
    assert table.cell("100 % (no pain after)", "scn_pct") == 50.0
    assert table.cell("no pain before the block (relief undefined)", "any_blocks") == 1


def test_kuniya_measures_use_the_first_three_blocks_of_each_nerve_and_side():
    left = (blk(8, 7), blk(8, 6, week=1), blk(8, 4, week=2), blk(8, 0, week=3))  # best of 3: 4
    right = (blk(6, 3, side="right"),)  # decrease 3 points = 50 % exactly: > 2 points only
    mcn = (blk(9, 4, nerve="mcn"),)  # 5 points, 55.6 %
    p = PatientRecord("p", "A", blocks=(*left, *right, *mcn))
    table = kuniya_table(block_response(Cohort((p,)), PACK))
    assert table.cell("SCN", "series") == 2
    assert table.cell("SCN", "over_20mm") == 2  # decreases 4 and 3
    assert table.cell("SCN", "over_50pct") == 0  # 50 % and 50 %: not more than 50 %
    assert table.cell("MCN", "over_50pct") == 1
    assert table.cell("either nerve", "over_20mm_pct") == 100.0
    assert table.cell("Kuniya 2014, SCN, VAS (reference) [S1]", "over_20mm") == 96


def test_duration_bins_are_built_around_the_packs_threshold():
    assert [label for label, _, _ in duration_bins(3)] == [
        "0 to 1 days",
        "> 1 to 3 days",
        "> 3 to 7 days",
        "> 7 to 30 days",
        "> 30 days",
    ]
    assert [label for label, _, _ in duration_bins(10)] == [
        "0 to 1 days",
        "> 1 to 7 days",
        "> 7 to 10 days",
        "> 10 to 30 days",
        "> 30 days",
    ]


def test_durations_of_positive_blocks_are_binned_with_the_threshold_on_the_short_side():
    p = PatientRecord(
        "p",
        "A",
        blocks=(
            blk(8, 2, 3),
            blk(8, 2, 3.1),
            blk(8, 2, 0.5),
            blk(8, 2, 40, ongoing=True),
            blk(8, 2, None),
            blk(8, 7, 9),
        ),  # the last is not positive
    )
    table = duration_table(block_response(Cohort((p,)), PACK))
    assert table.cell("> 1 to 3 days", "any_blocks") == 1
    assert table.cell("> 3 to 7 days", "any_blocks") == 1
    assert table.cell("0 to 1 days", "scn_blocks") == 1
    assert table.cell("> 30 days", "still_relieved") == 1
    assert table.cell("not recorded", "any_blocks") == 1
    assert "2 of 4 (50.0 %) lasted more than 3 days" in " ".join(table.notes)


def test_another_threshold_in_the_pack_moves_the_boundary():
    pack = with_settings(PACK, {"favourable_relief_days": 5})
    p = PatientRecord("p", "A", blocks=(blk(8, 2, 4),))
    table = duration_table(block_response(Cohort((p,)), pack))
    assert table.cell("> 1 to 5 days", "any_blocks") == 1
