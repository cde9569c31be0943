"""Claim E6: the 2 x 2 table, Fisher's exact test (against scipy and by hand), the odds ratio
with Woolf's interval and Haldane's correction, and the 'too small' rule."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from scipy.stats import fisher_exact

from cluneal.knowledge.loader import default_pack
from cluneal.registry.cohort import BlockRecord, Cohort, PatientRecord, TreatmentRecord
from cluneal.registry.comparison import (
    TwoByTwo,
    compare,
    comparison_table,
    fisher_p,
    odds_ratio,
)

PACK = default_pack()
D0 = dt.date(2024, 1, 1)


def hypergeometric_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher p by hand: the probability of every table with the same margins that
    is no more likely than the one observed."""
    r1, c1, n = a + b, a + c, a + b + c + d

    def prob(x: int) -> float:
        return math.comb(r1, x) * math.comb(n - r1, c1 - x) / math.comb(n, c1)

    observed = prob(a)
    lo, hi = max(0, c1 - (n - r1)), min(r1, c1)
    return sum(prob(x) for x in range(lo, hi + 1) if prob(x) <= observed * (1 + 1e-7))


@pytest.mark.parametrize(
    "cells", [(3, 1, 1, 3), (8, 2, 1, 5), (12, 5, 4, 10), (20, 3, 7, 14), (0, 5, 6, 2)]
)
def test_fisher_p_matches_scipy_and_the_hypergeometric_sum(cells):
    table = TwoByTwo(*cells)
    expected = fisher_exact([[cells[0], cells[1]], [cells[2], cells[3]]])[1]
    assert fisher_p(table) == pytest.approx(expected, rel=1e-9)
    assert fisher_p(table) == pytest.approx(hypergeometric_p(*cells), rel=1e-9)


def test_the_tea_tasting_table_has_its_textbook_p_value():
    assert fisher_p(TwoByTwo(3, 1, 1, 3)) == pytest.approx(0.4857, abs=1e-4)


def test_the_odds_ratio_and_woolf_interval_are_computed_as_by_hand():
    r = odds_ratio(TwoByTwo(8, 2, 1, 5))
    se = math.sqrt(1 / 8 + 1 / 2 + 1 / 1 + 1 / 5)
    assert r.estimate == pytest.approx(20.0)
    assert r.lower == pytest.approx(math.exp(math.log(20) - 1.959964 * se), rel=1e-6)
    assert r.upper == pytest.approx(math.exp(math.log(20) + 1.959964 * se), rel=1e-6)
    assert r.haldane is False
    assert r.estimate == pytest.approx(fisher_exact([[8, 2], [1, 5]])[0])


def test_a_zero_cell_gets_haldanes_half_in_every_cell():
    r = odds_ratio(TwoByTwo(0, 5, 6, 2))
    assert r.haldane is True
    assert r.estimate == pytest.approx((0.5 * 2.5) / (5.5 * 6.5))
    se = math.sqrt(1 / 0.5 + 1 / 5.5 + 1 / 6.5 + 1 / 2.5)
    assert r.upper == pytest.approx(r.estimate * math.exp(1.959964 * se), rel=1e-6)


def test_an_empty_row_is_not_estimable():
    assert odds_ratio(TwoByTwo(3, 2, 0, 0)) is None
    assert odds_ratio(TwoByTwo(0, 0, 0, 0)) is None
    assert fisher_p(TwoByTwo(0, 0, 0, 0)) is None


def operated(
    key: str,
    relief_days: float | None,
    outcome: str | None,
    ongoing: bool = False,
    nerve: str = "scn",
) -> PatientRecord:
    block = BlockRecord(D0, nerve, "left", 8, 2, 30.0, relief_days, ongoing)
    surgery = TreatmentRecord(
        D0 + dt.timedelta(days=60), "surgical_release", nerve, "left", outcome
    )
    return PatientRecord(key, "A", blocks=(block,), treatments=(surgery,))


def test_the_table_counts_nerve_sides_by_relief_and_outcome():
    patients = [
        operated("a", 5, "pain_free"),
        operated("b", 4, "improved"),
        operated("c", 10, "recurred"),
        operated("d", 3, "improved"),  # exactly 3 days is "<= 3"
        operated("e", 1, "worse"),
        operated("f", 2, "unchanged"),
        operated("g", 3.5, None),  # outcome not recorded
        operated("h", None, "improved"),  # relief not recorded
        operated("i", 2, "improved", ongoing=True),  # still relieved at 2 days: unknown
        operated("j", 6, "improved", ongoing=True),  # already over 3 days: long
    ]
    result = compare(Cohort(tuple(patients)), PACK)
    assert result.table == TwoByTwo(a=3, b=1, c=1, d=2)
    assert result.excluded == (("block relief duration unknown", 2), ("outcome not recorded", 1))
    assert result.too_small is True
    assert result.verdict.startswith("Numbers too small for a conclusion: 7 nerve-sides")


def test_blocks_after_the_surgery_do_not_count():
    p = operated("a", 1, "improved")
    late = BlockRecord(D0 + dt.timedelta(days=90), "scn", "left", 8, 1, 30.0, 20.0)
    result = compare(
        Cohort((PatientRecord("a", "A", blocks=(*p.blocks, late), treatments=p.treatments),)), PACK
    )
    assert result.table == TwoByTwo(0, 0, 1, 0)


def test_a_large_enough_table_gives_an_odds_ratio_verdict():
    patients = [operated(f"l{i}", 6, "improved" if i < 12 else "worse") for i in range(16)]
    patients += [operated(f"s{i}", 1, "improved" if i < 5 else "worse") for i in range(15)]
    result = compare(Cohort(tuple(patients)), PACK)
    assert result.table == TwoByTwo(12, 4, 5, 10)
    assert min(result.table.expected()) >= 5 and result.too_small is False
    assert result.verdict.startswith("Odds ratio 6.00 (95 % CI")
    notes = comparison_table(result).notes
    assert f"p = {fisher_exact([[12, 4], [5, 10]])[1]:.3g}" in " ".join(notes)


def test_an_empty_cohort_is_not_estimable_without_error():
    result = compare(Cohort(()), PACK)
    assert (result.table.n, result.p_value, result.odds_ratio) == (0, None, None)
    assert result.verdict.startswith("Not estimable")
    assert comparison_table(result).rows[0][1:4] == (0, 0, 0)
