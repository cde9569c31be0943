"""The network's statistics against independent answers: the exact conditional test against
scipy's Fisher test (one stratum) and a full enumeration (several), the meta-analysis against
the logit interval written out, and the cases with nothing to estimate."""

from __future__ import annotations

import itertools
import math

import pytest
from scipy.stats import fisher_exact, hypergeom

from cluneal.registry.comparison import TwoByTwo
from cluneal.registry.network import stats


@pytest.mark.parametrize(
    "t", [TwoByTwo(3, 1, 1, 3), TwoByTwo(7, 2, 3, 9), TwoByTwo(0, 5, 4, 2), TwoByTwo(1, 0, 0, 0)]
)
def test_with_one_stratum_the_exact_test_is_fishers(t):
    _, p = fisher_exact([[t.a, t.b], [t.c, t.d]])
    assert stats.exact_p([t]) == pytest.approx(p, rel=1e-9)


def test_with_several_strata_the_exact_test_adds_every_sum_no_more_likely():
    strata = [TwoByTwo(3, 1, 1, 3), TwoByTwo(5, 2, 2, 6), TwoByTwo(0, 2, 1, 4)]
    supports = []
    for t in strata:
        rows, cols = t.a + t.b, t.a + t.c
        values = range(max(0, rows + cols - t.n), min(rows, cols) + 1)
        supports.append([(x, hypergeom.pmf(x, t.n, rows, cols)) for x in values])
    by_sum: dict[int, float] = {}
    for combo in itertools.product(*supports):
        s = sum(x for x, _ in combo)
        by_sum[s] = by_sum.get(s, 0.0) + math.prod(q for _, q in combo)
    observed = by_sum[sum(t.a for t in strata)]
    expected = sum(q for q in by_sum.values() if q <= observed * (1 + 1e-7))
    assert stats.exact_p(strata) == pytest.approx(expected, rel=1e-9)


def test_mantel_haenszel_is_not_estimable_without_discordant_pairs():
    assert stats.mantel_haenszel([TwoByTwo(3, 0, 0, 3), TwoByTwo(2, 0, 1, 0)]) is None
    assert stats.mantel_haenszel([TwoByTwo(0, 0, 0, 0)]) is None
    assert stats.mantel_haenszel([]) is None


def test_small_strata_point_to_the_exact_test():
    mh = stats.mantel_haenszel([TwoByTwo(3, 1, 1, 3), TwoByTwo(5, 2, 2, 6)])
    assert mh is not None and mh.small


def test_each_installation_gets_the_logit_interval_with_half_added_at_the_edges():
    meta = stats.meta_proportions([("a", 30, 40), ("b", 0, 10), ("c", 0, 0)])
    a, b = meta.studies
    se = math.sqrt(1 / 30 + 1 / 10)
    expit = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    assert a.estimate == pytest.approx(0.75)
    assert (a.lower, a.upper) == pytest.approx(
        (expit(math.log(3) - 1.959963984540054 * se), expit(math.log(3) + 1.959963984540054 * se))
    )
    assert b.estimate == pytest.approx(0.5 / 11) and b.events == 0
    assert meta.pooled is not None and meta.tau2 is not None and meta.tau2 > 0


def test_identical_installations_show_no_heterogeneity():
    meta = stats.meta_proportions([("a", 20, 40), ("b", 20, 40), ("c", 20, 40)])
    assert meta.i2 == pytest.approx(0.0) and meta.tau2 == pytest.approx(0.0)
    assert meta.pooled is not None and meta.pooled[0] == pytest.approx(0.5)


def test_one_installation_is_shown_without_pooling():
    meta = stats.meta_means([("a", 10, -1.5, 2.0), ("b", 1, -3.0, 0.0)])
    assert [s.label for s in meta.studies] == ["a"]
    assert meta.pooled is None and meta.i2 is None


def test_the_log_rank_test_from_life_tables_is_lifelines_on_the_nerve_sides():
    from lifelines.statistics import multivariate_logrank_test

    a = [(1.0, 1, 0), (2.0, 1, 1), (4.0, 0, 1), (6.0, 2, 0)]
    b = [(1.0, 0, 1), (3.0, 2, 0), (5.0, 1, 1)]
    c = [(0.5, 1, 0), (2.0, 0, 2)]
    durations, groups, events = [], [], []
    for label, rows in (("a", a), ("b", b), ("c", c)):
        for time, died, lost in rows:
            durations += [time] * (died + lost)
            groups += [label] * (died + lost)
            events += [1] * died + [0] * lost
    expected = multivariate_logrank_test(durations, groups, events).p_value
    assert stats.logrank_p([("a", a), ("b", b), ("c", c)]) == pytest.approx(expected, rel=1e-9)
    assert stats.logrank_p([("a", a)]) is None
