"""Kaplan-Meier curves against values computed by hand, and the episode rules (censoring and
exclusions) of docs/registry.md."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from cluneal.knowledge.loader import default_pack
from cluneal.registry.cohort import BlockRecord, Cohort, PatientRecord, TreatmentRecord
from cluneal.registry.survival import DAYS_PER_MONTH, block_curve, treatment_curve

D0 = dt.date(2024, 1, 1)
PACK = default_pack()


def positive_block(days: float | None, ongoing: bool = False, side: str = "left") -> BlockRecord:
    return BlockRecord(D0, "scn", side, 8, 2, 30.0, days, ongoing)


def cohort_of(*patients: PatientRecord) -> Cohort:
    return Cohort(tuple(patients), sites=("A",))


def tiny_block_cohort() -> Cohort:
    """Relief durations 1, 2, 2 (still relieved), 3, 5 (still relieved) days."""
    specs = [(1, False), (2, False), (2, True), (3, False), (5, True)]
    return cohort_of(
        *(
            PatientRecord(f"p{i}", "A", blocks=(positive_block(d, ongoing),))
            for i, (d, ongoing) in enumerate(specs)
        )
    )


def test_it_matches_the_product_limit_estimate_computed_by_hand():
    curve = block_curve(tiny_block_cohort(), PACK)
    # S(1) = 4/5; S(2) = 4/5 * 3/4 (one event among 4 at risk; the censored 2 leaves after);
    # S(3) = 0.6 * 1/2 (2 at risk); nothing changes at the censored 5.
    assert curve.at(0) == (1.0, 1.0, 1.0)
    assert curve.at(1)[0] == pytest.approx(0.8)
    assert curve.at(1.5)[0] == pytest.approx(0.8)
    assert curve.at(2)[0] == pytest.approx(0.6)
    assert curve.at(3)[0] == pytest.approx(0.3)
    assert curve.at(5)[0] == pytest.approx(0.3)
    assert curve.at(5.1) is None
    assert (curve.n, curve.events) == (5, 3)
    assert curve.median == 3


def test_its_interval_is_the_exponential_greenwood_interval_computed_by_hand():
    curve = block_curve(tiny_block_cohort(), PACK)
    for t, s, greenwood in [
        (1, 0.8, 1 / (5 * 4)),
        (2, 0.6, 1 / (5 * 4) + 1 / (4 * 3)),
        (3, 0.3, 1 / (5 * 4) + 1 / (4 * 3) + 1 / (2 * 1)),
    ]:
        se = math.sqrt(greenwood) / abs(math.log(s))
        lower = s ** math.exp(1.959964 * se)
        upper = s ** math.exp(-1.959964 * se)
        _, lo, hi = curve.at(t)
        assert (lo, hi) == (pytest.approx(lower, rel=1e-5), pytest.approx(upper, rel=1e-5))


def test_numbers_at_risk_count_those_still_observed():
    curve = block_curve(tiny_block_cohort(), PACK)
    assert [curve.at_risk(t) for t in (0, 1, 2, 2.5, 3, 4, 5)] == [5, 5, 4, 2, 2, 1, 1]
    assert curve.life_table == (
        (1.0, 5, 1, 0),
        (2.0, 4, 1, 1),
        (3.0, 2, 1, 0),
        (5.0, 1, 0, 1),
    )
    assert curve.ticks()[0] == 0 and curve.ticks()[-1] <= 5


def test_only_the_first_positive_block_of_a_nerve_and_side_counts():
    negative = BlockRecord(D0, "scn", "left", 8, 7, 30.0, 9.0)
    later = BlockRecord(D0 + dt.timedelta(days=7), "scn", "left", 8, 2, 30.0, 4.0)
    latest = BlockRecord(D0 + dt.timedelta(days=14), "scn", "left", 8, 1, 30.0, 10.0)
    other_side = BlockRecord(D0, "scn", "right", 8, 2, 30.0, None)
    curve = block_curve(
        cohort_of(PatientRecord("p", "A", blocks=(latest, negative, later, other_side))), PACK
    )
    assert [(e.duration, e.event) for e in curve.episodes] == [(4.0, True)]
    assert curve.excluded == (("relief duration not recorded", 1),)


def surgery(**kw) -> TreatmentRecord:
    return TreatmentRecord(
        **{
            "date": D0,
            "kind": "surgical_release",
            "nerve": "scn",
            "side": "left",
            "outcome": "improved",
            **kw,
        }
    )


def months(days: int) -> float:
    return days / DAYS_PER_MONTH


@pytest.mark.parametrize(
    ("treatment", "visits", "expected"),
    [
        # a recurrence date is the event
        (
            surgery(outcome="recurred", recurrence_date=D0 + dt.timedelta(days=100)),
            (),
            (months(100), True),
        ),
        # no recurrence: censored at the recorded follow-up...
        (surgery(last_follow_up=D0 + dt.timedelta(days=200)), (), (months(200), False)),
        # ...or at a later visit, whichever is later
        (
            surgery(last_follow_up=D0 + dt.timedelta(days=200)),
            (D0 + dt.timedelta(days=300),),
            (months(300), False),
        ),
        (surgery(outcome=""), (D0 + dt.timedelta(days=61),), (months(61), False)),
    ],
)
def test_a_treatment_becomes_one_episode(treatment, visits, expected):
    curve = treatment_curve(
        cohort_of(PatientRecord("p", "A", visits=visits, treatments=(treatment,))), "surgery"
    )
    assert [(e.duration, e.event) for e in curve.episodes] == [
        (pytest.approx(expected[0]), expected[1])
    ]


@pytest.mark.parametrize(
    ("treatment", "reason"),
    [
        (
            surgery(outcome="unchanged", last_follow_up=D0 + dt.timedelta(days=90)),
            "no relief after the treatment (outcome unchanged or worse)",
        ),
        (surgery(outcome="worse"), "no relief after the treatment (outcome unchanged or worse)"),
        (surgery(outcome="recurred"), "recurred, date not recorded"),
        (surgery(), "no follow-up after the treatment"),
        (
            surgery(recurrence_date=D0 - dt.timedelta(days=1)),
            "recurrence date before the treatment",
        ),
    ],
)
def test_a_treatment_that_cannot_be_an_episode_is_excluded_and_counted(treatment, reason):
    curve = treatment_curve(cohort_of(PatientRecord("p", "A", treatments=(treatment,))), "surgery")
    assert curve.episodes == ()
    assert curve.excluded == ((reason, 1),)


def test_a_later_treatment_of_the_same_nerve_and_side_ends_the_episode():
    first = surgery(last_follow_up=D0 + dt.timedelta(days=400))
    rf = TreatmentRecord(
        D0 + dt.timedelta(days=150),
        "radiofrequency",
        "scn",
        "left",
        "improved",
        None,
        D0 + dt.timedelta(days=400),
    )
    patient = PatientRecord("p", "A", treatments=(rf, first))
    assert [
        (e.duration, e.event) for e in treatment_curve(cohort_of(patient), "surgery").episodes
    ] == [(pytest.approx(months(150)), False)]
    rf_curve = treatment_curve(cohort_of(patient), "radiofrequency")
    assert [(e.duration, e.event) for e in rf_curve.episodes] == [
        (pytest.approx(months(250)), False)
    ]


def test_neurectomy_counts_as_surgery_and_radiofrequency_does_not():
    neurectomy = surgery(
        kind="neurectomy", recurrence_date=D0 + dt.timedelta(days=30), outcome="recurred"
    )
    patient = PatientRecord("p", "A", treatments=(neurectomy,))
    assert treatment_curve(cohort_of(patient), "surgery").n == 1
    assert treatment_curve(cohort_of(patient), "radiofrequency").n == 0


def test_an_empty_cohort_gives_an_empty_curve():
    curve = block_curve(cohort_of(), PACK)
    assert (curve.n, curve.times, curve.median, curve.at(0)) == (0, (), None, None)
    assert curve.ticks() == [0.0]
