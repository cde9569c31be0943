"""The analytics on the seeded synthetic registry reproduce what the generator wrote down as
it decided each patient's path, and the curves come close to the known distributions."""

from __future__ import annotations

import math

import pytest

from cluneal.knowledge.loader import default_pack
from cluneal.registry import synth
from cluneal.registry.blocks import block_response, kuniya_table
from cluneal.registry.comparison import TwoByTwo, compare
from cluneal.registry.flow import STEP_IDS, cohort_flow
from cluneal.registry.questionnaires import changes
from cluneal.registry.survival import curves

PACK = default_pack()
N = 10_000


@pytest.fixture(scope="module")
def registry() -> synth.Synthetic:
    return synth.generate(N, seed=2026)


def test_the_same_seed_gives_the_same_cohort_and_another_seed_another():
    assert synth.generate(60, 5) == synth.generate(60, 5)
    assert synth.generate(60, 5).cohort != synth.generate(60, 6).cohort


def test_the_flow_matches_the_generators_paths(registry):
    flow = cohort_flow(registry.cohort, PACK)
    assert flow.patients == N
    for group in ("scn", "mcn", "any"):
        found = {step: flow.n(group, step) for step in STEP_IDS}
        assert found == {step: registry.truth.n(group, step) for step in STEP_IDS}, group
        assert flow.n(group, "treated_unconfirmed") == registry.truth.unconfirmed_treated.get(
            group, 0
        )
    assert flow.n("scn", "operated") > 100  # the check is not vacuous


def test_the_surgical_outcome_table_matches_the_generators_decisions(registry):
    result = compare(registry.cohort, PACK)
    assert result.table == TwoByTwo(*registry.truth.e6)
    assert result.table.n > 100 and result.too_small is False


def test_kuniya_measures_match_the_generated_block_series(registry):
    table = kuniya_table(block_response(registry.cohort, PACK))
    for nerve, label in (("scn", "SCN"), ("mcn", "MCN")):
        series = [(b, a) for n, b, a in registry.truth.series if n == nerve]
        assert table.cell(label, "series") == len(series)
        assert table.cell(label, "over_20mm") == sum(b - a > 2 for b, a in series)
        assert table.cell(label, "over_50pct") == sum((b - a) * 2 > b for b, a in series)


def test_questionnaire_pairs_and_mic_counts_match(registry):
    for change in changes(registry.cohort, PACK):
        pairs = registry.truth.pairs[change.instrument]
        mic = PACK.instruments[change.instrument].parameters["mic_points"]
        assert change.n == len(pairs) > 1000
        assert change.reached_points() == sum(b - a >= mic for b, a in pairs)


@pytest.mark.parametrize(
    ("kind", "mean", "times"),
    [
        ("block", synth.RELIEF_MEAN_DAYS, (1, 3, 5, 10)),
        ("surgery", synth.SURGERY_MEAN_MONTHS, (6, 12, 24)),
        ("radiofrequency", synth.RF_MEAN_MONTHS, (3, 6, 12)),
    ],
)
def test_kaplan_meier_recovers_the_known_exponential_curve(registry, kind, mean, times):
    curve = curves(registry.cohort, PACK)[kind]
    assert curve.n > 200
    for t in times:
        estimate, lower, upper = curve.at(t)
        truth = math.exp(-t / mean)
        # within three standard errors (the 95 % half-width is 1.96 of them)
        assert abs(estimate - truth) < 3 * (upper - lower) / (2 * 1.96), (kind, t)
    assert curve.median == pytest.approx(mean * math.log(2), rel=0.2)


def test_selecting_a_site_keeps_only_its_patients(registry):
    north = registry.cohort.select(sites=[synth.SITES[0]])
    south = registry.cohort.select(sites=[synth.SITES[1]])
    assert len(north.patients) + len(south.patients) == N
    assert {p.site for p in north.patients} == {synth.SITES[0]}


def test_selecting_a_period_keeps_the_patients_who_entered_in_it(registry):
    import datetime as dt

    start, end = dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    chosen = registry.cohort.select(start=start, end=end)
    expected = sum(1 for p in registry.cohort.patients if start <= p.entry <= end)
    assert len(chosen.patients) == expected > 0
    assert (chosen.start, chosen.end) == (start, end)
