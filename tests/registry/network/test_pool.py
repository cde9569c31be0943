"""Pooling two synthetic installations (different seeds): counts are the sums of theirs, the
pooled Kaplan-Meier curve is lifelines' on the union of their records, the Mantel-Haenszel odds
ratio is statsmodels' on the same strata, questionnaire change is that of all patients
together, and withheld counts become ranges."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times
from statsmodels.stats.contingency_tables import StratifiedTable

from cluneal.registry import blocks, comparison, flow, questionnaires, survival
from cluneal.registry.cohort import Cohort
from cluneal.registry.network import pool
from cluneal.registry.network.report import build

SEEDS = (11, 12)


@pytest.fixture
def two(net):
    cohorts = [net.installation(seed).cohort for seed in SEEDS]
    shares = [net.shared(seed) for seed in SEEDS]
    union = Cohort(tuple(p for c in cohorts for p in c.patients))
    return cohorts, shares, union, pool.pool(shares, net.pack)


def test_two_installations_pool_to_the_sums_of_their_counts(two, net):
    cohorts, _, union, p = two
    flows = [flow.cohort_flow(c, net.pack) for c in cohorts]
    assert p.flow["low"] == p.flow["high"]
    assert p.flow["low"].patients == sum(f.patients for f in flows) == 3000
    for g in flow.GROUPS:
        for step in (*flow.STEP_IDS, flow.UNCONFIRMED_TREATED):
            assert p.flow["low"].n(g, step) == sum(f.n(g, step) for f in flows), (g, step)
    each = [blocks.counts_of(blocks.block_response(c, net.pack)) for c in cohorts]
    pooled = p.blocks["low"]
    for n in ("scn", "mcn"):
        assert pooled.relief[n] == tuple(map(sum, zip(*(c.relief[n] for c in each), strict=True)))
        assert pooled.durations[n] == tuple(
            map(sum, zip(*(c.durations[n] for c in each), strict=True))
        )
        assert pooled.kuniya[n] == tuple(map(sum, zip(*(c.kuniya[n] for c in each), strict=True)))
    # ... and they equal the union's own analysis
    assert pooled == blocks.counts_of(blocks.block_response(union, net.pack))
    tables = [comparison.compare(c, net.pack).table for c in cohorts]
    crude = build(two[1], net.pack).table("surgery_by_relief").rows[-1]
    assert crude[1:5] == tuple(sum(getattr(t, k) for t in tables) for k in "abcd")


def test_the_pooled_km_is_lifelines_on_the_union_of_the_records(two, net):
    _, _, union, p = two
    for kind, curve in survival.curves(union, net.pack).items():
        pooled = p.curves[kind]["low"]
        kmf = KaplanMeierFitter(alpha=0.05).fit(
            [e.duration for e in curve.episodes], [e.event for e in curve.episodes]
        )
        assert pooled.n == len(curve.episodes) > 20, kind
        assert pooled.events == sum(e.event for e in curve.episodes)
        np.testing.assert_allclose(pooled.times, kmf.survival_function_.index, rtol=0, atol=0)
        np.testing.assert_allclose(pooled.survival, kmf.survival_function_.iloc[:, 0], rtol=1e-12)
        ci = kmf.confidence_interval_.fillna(0.0)
        np.testing.assert_allclose(pooled.lower, ci.iloc[:, 0], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(pooled.upper, ci.iloc[:, 1], rtol=1e-9, atol=1e-12)
        assert pooled.median == kmf.median_survival_time_
        bounds = median_survival_times(kmf.confidence_interval_)
        assert pooled.median_ci == (float(bounds.iloc[0, 0]), float(bounds.iloc[0, 1]))
        assert pooled.excluded == curve.excluded


def test_the_mantel_haenszel_odds_ratio_is_statsmodels_on_the_same_strata(two, net):
    cohorts, _, _, p = two
    strata = [comparison.compare(c, net.pack).table for c in cohorts]
    array = np.array([[[t.a, t.b], [t.c, t.d]] for t in strata], dtype=float).transpose(1, 2, 0)
    expected = StratifiedTable(array)
    mh = p.mantel_haenszel
    assert mh is not None
    assert mh.odds_ratio == pytest.approx(expected.oddsratio_pooled, rel=1e-12)
    low, high = expected.oddsratio_pooled_confint()
    assert (mh.lower, mh.upper) == pytest.approx((low, high), rel=1e-12)
    assert mh.cmh_p == pytest.approx(expected.test_null_odds(correction=True).pvalue)
    assert mh.breslow_day_p == pytest.approx(expected.test_equal_odds().pvalue)


def test_pooled_questionnaire_change_is_that_of_all_patients_together(two, net):
    _, _, union, p = two
    for pooled, own in zip(
        p.questionnaires["low"], questionnaires.changes(union, net.pack), strict=True
    ):
        change = [-pair.improvement for pair in own.pairs]
        assert pooled.n == len(change) > 100
        assert pooled.change_mean == pytest.approx(statistics.fmean(change), rel=1e-12)
        assert pooled.change_sd == pytest.approx(statistics.stdev(change), rel=1e-9)
        assert pooled.baseline_mean == pytest.approx(own.summary().baseline_mean, rel=1e-12)
        assert pooled.reached_points == own.reached_points()
        assert pooled.mean_change() == pytest.approx(own.mean_change(), rel=1e-9)


def test_the_meta_analysis_weighs_each_installation(two):
    _, shares, _, p = two
    meta = p.meta["scn", "over_50pct"]
    assert [s.label for s in meta.studies] == [s.label for s in shares]
    assert sum(s.weight for s in meta.studies) == pytest.approx(1.0)
    assert meta.pooled is not None and meta.i2 is not None and 0 <= meta.i2 <= 1
    low, estimate, high = meta.pooled[1], meta.pooled[0], meta.pooled[2]
    assert 0 < low < estimate < high < 1
    k, n = p.crude["scn", "over_50pct"]
    assert n == sum(s.data["blocks"]["kuniya"]["scn"]["blocked"] for s in shares)
    assert k == sum(s.data["blocks"]["kuniya"]["scn"]["over_50pct"] for s in shares)


def test_withheld_counts_pool_to_the_range_they_can_lie_in(net):
    shares = [net.shared(21, n=1000), net.shared(22, n=80, min_cell=5)]
    report = build(shares, net.pack)
    p = report.pooled
    assert p.flow["low"] != p.flow["high"]
    rows = [r for r in report.table("flow").rows if isinstance(r[2], str) and " to " in r[2]]
    assert rows, "some SCN count of the small installation was withheld"
    low, high = (int(x) for x in rows[0][2].split(" to "))
    assert high - low == 3 * sum(
        1 for s in shares[1:] if s.data["flow"]["scn"][_step(rows[0][0])] is None
    )
    assert rows[0][3] is None  # its percentage rests on it
    assert any("a to b" in n for n in report.table("flow").notes)
    assert p.withholding() and p.withholding()[0][0] == "Synthetic 22"


def _step(label: str) -> str:
    return next(s.id for s in flow.STEPS if s.label == label)


def test_empty_and_single_installations_pool_without_error(net, tmp_path):
    from cluneal.registry.network import report

    for shares in ([net.shared(31, n=0), net.shared(32, n=0)], [net.shared(33, n=200)]):
        built = build(shares, net.pack)
        files = report.files(built, formats=("svg",))
        assert {"forest_scn.svg", "km_surgery_installations.svg", "summary.txt"} <= set(files)
        assert built.table("km_summary").rows
    empty = build([net.shared(31, n=0), net.shared(32, n=0)], net.pack)
    assert empty.pooled.mantel_haenszel is None
    assert "not estimable" in empty.table("surgery_by_relief").notes[0]
