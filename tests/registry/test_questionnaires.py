"""Questionnaire change from baseline against the pack's minimal important change."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from scipy import stats

from cluneal.knowledge.loader import default_pack
from cluneal.registry.cohort import Cohort, PatientRecord, Score
from cluneal.registry.questionnaires import change_table, changes

PACK = default_pack()
D0 = dt.date(2024, 1, 1)


def scored(key: str, instrument: str, *values: float) -> PatientRecord:
    return PatientRecord(
        key,
        "A",
        scores=tuple(
            Score(D0 + dt.timedelta(days=30 * i), instrument, v) for i, v in enumerate(values)
        ),
    )


def test_baseline_is_the_first_score_and_follow_up_the_last():
    c = changes(Cohort((scored("a", "nrs", 8, 2, 5),)), PACK)[0]
    assert c.instrument == "nrs"
    assert [(p.baseline, p.follow_up, p.days) for p in c.pairs] == [(8, 5, 60)]


def test_one_score_or_two_on_the_same_day_make_no_pair():
    same_day = PatientRecord("b", "A", scores=(Score(D0, "nrs", 8), Score(D0, "nrs", 3)))
    assert changes(Cohort((scored("a", "nrs", 7), same_day)), PACK)[0].n == 0


def test_mic_is_reached_by_points_or_by_percent_from_the_pack():
    # NRS MIC 2 points or 30 % [S108]: 8 -> 6 reaches points (25 %); 3 -> 2 reaches percent
    # (33 %); 5 -> 4 reaches neither; 4 -> 7 worsens by 3.
    cohort = Cohort(
        tuple(
            scored(k, "nrs", a, b)
            for k, a, b in [("a", 8, 6), ("b", 3, 2), ("c", 5, 4), ("d", 4, 7)]
        )
    )
    c = changes(cohort, PACK)[0]
    assert (c.mic_points, c.mic_percent) == (2, 30)
    assert (c.reached_points(), c.reached_percent(), c.reached_either(), c.worsened()) == (
        1,
        1,
        2,
        1,
    )


def test_the_mean_change_interval_is_the_t_interval():
    values = [(8, 6), (7, 2), (9, 9), (6, 5), (10, 3)]
    cohort = Cohort(tuple(scored(str(i), "rmdq", a, b) for i, (a, b) in enumerate(values)))
    rmdq = changes(cohort, PACK)[1]
    diffs = [b - a for a, b in values]
    lo, hi = stats.t.interval(
        0.95, len(diffs) - 1, loc=statistics.fmean(diffs), scale=stats.sem(diffs)
    )
    assert rmdq.mean_change() == (pytest.approx(-3.0), pytest.approx(lo), pytest.approx(hi))
    assert rmdq.mic_points == 5
    row = change_table(changes(cohort, PACK)).rows[1]
    assert row[:2] == ("RMDQ (0-24)", 5)


def test_a_single_pair_has_a_mean_but_no_interval():
    table = change_table(changes(Cohort((scored("a", "odi", 40, 20),)), PACK))
    assert table.cell("ODI (%)", "change_mean") == -20
    assert table.cell("ODI (%)", "change_lower") is None
    assert table.cell("ODI (%)", "reached_mic_points") == 1
    assert table.cell("Pain NRS (0-10)", "patients") == 0
    assert table.cell("Pain NRS (0-10)", "change_mean") is None
