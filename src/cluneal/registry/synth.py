"""A seeded synthetic registry whose answers are known, for tests, demos and ``cluneal report
--synthetic``.

Each patient follows a path drawn from fixed probabilities, and the generator writes down, as
it decides, what the analytics ought to find: how many patients reach each flow step, the 2 x 2
table of surgical outcome by block relief, the questionnaire pairs. Times to recurrence are
drawn from exponential distributions with known means, and censored independently, so a
Kaplan-Meier curve on a large synthetic cohort must come close to ``exp(-t / mean)``.

The patients are fictional and the numbers are not clinical findings.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from cluneal.core.case import Finding
from cluneal.knowledge import vocabulary as v
from cluneal.registry.cohort import (
    BlockRecord,
    Cohort,
    Exam,
    PatientRecord,
    Score,
    TreatmentRecord,
)

SITES = ("North Clinic (synthetic)", "South Clinic (synthetic)")
START = dt.date(2019, 1, 1)
ENTRY_DAYS = 5 * 365
CUTOFF = dt.date(2025, 6, 30)
DAYS_PER_MONTH = 365.25 / 12
#: Known means of the exponential times to recurrence.
RELIEF_MEAN_DAYS = 5.0
SURGERY_MEAN_MONTHS = 24.0
RF_MEAN_MONTHS = 12.0
#: Path probabilities (per patient, or per suspected nerve and side).
P_EXAMINED = 0.95
P_SUSPECTED = {"scn": 0.14, "mcn": 0.06}
P_BLOCKED = 0.9
P_RESPONDER = 0.8
P_DURATION_MISSING = 0.1
P_SURGERY = 0.5
P_GOOD = {"long": 0.8, "short": 0.35}
P_OUTCOME_MISSING = 0.05
P_RF_AFTER_RECURRENCE = 0.6
P_UNCONFIRMED_SURGERY = 0.02
FAVOURABLE_DAYS = 3.0  # the default pack's favourable_relief_days (E6)
WINDOWS = {"scn": 70.0, "mcn": 35.0}  # inside the default pack's landmark windows


@dataclass
class Truth:
    """What the analytics must find, written down by the generator as it decided."""

    steps: dict[str, dict[str, int]] = field(
        default_factory=lambda: {g: {} for g in (*v.NERVES, "any")}
    )
    unconfirmed_treated: dict[str, int] = field(default_factory=dict)
    #: Surgical outcome by relief: (long & good, long & poor, short & good, short & poor).
    e6: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    #: Series of blocks (nerve, first nrs_before, lowest nrs_after of the first three).
    series: list[tuple[str, int, int]] = field(default_factory=list)
    pairs: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: {"nrs": [], "rmdq": [], "odi": []}
    )

    def count(self, group: str, step: str) -> None:
        self.steps[group][step] = self.steps[group].get(step, 0) + 1

    def n(self, group: str, step: str) -> int:
        return self.steps[group].get(step, 0)


@dataclass(frozen=True)
class Synthetic:
    cohort: Cohort
    truth: Truth


class _Patient:
    """Mutable while it is being generated; frozen into a PatientRecord at the end."""

    def __init__(self, key: str, site: str, entry: dt.date, follow_end: dt.date) -> None:
        self.key, self.site, self.entry, self.follow_end = key, site, entry, follow_end
        self.visits: list[dt.date] = [entry]
        self.exams: list[Exam] = []
        self.blocks: list[BlockRecord] = []
        self.treatments: list[TreatmentRecord] = []
        self.scores: list[Score] = []

    def freeze(self) -> PatientRecord:
        return PatientRecord(
            key=self.key,
            site=self.site,
            visits=tuple(sorted(set(self.visits))),
            exams=tuple(self.exams),
            blocks=tuple(self.blocks),
            treatments=tuple(self.treatments),
            scores=tuple(self.scores),
        )


def generate(n: int, seed: int) -> Synthetic:
    """``n`` fictional patients; the same ``n`` and ``seed`` give the same cohort."""
    if n < 0:
        raise ValueError("the number of patients cannot be negative")
    rng = random.Random(seed)  # noqa: S311 - reproducible fiction, not secrecy
    truth = Truth()
    patients = [_patient(rng, i, truth) for i in range(n)]
    return Synthetic(Cohort(tuple(patients), sites=SITES), truth)


def _days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def _patient(rng: random.Random, i: int, truth: Truth) -> PatientRecord:
    entry = START + _days(rng, 0, ENTRY_DAYS - 1)
    follow_end = min(CUTOFF, entry + _days(rng, 180, 6 * 365))
    p = _Patient(f"synthetic-{i:06d}", rng.choice(SITES), entry, follow_end)
    reached: dict[str, set[str]] = {nerve: set() for nerve in v.NERVES}
    if rng.random() < P_EXAMINED:
        for nerve in v.NERVES:
            reached[nerve].add("assessed")
            suspected_side = rng.choice(v.SIDES) if rng.random() < P_SUSPECTED[nerve] else None
            for side in v.SIDES:
                finding = (
                    Finding(True, WINDOWS[nerve], True, rng.random() < 0.5)
                    if side == suspected_side
                    else Finding(False)
                )
                p.exams.append(Exam(entry, nerve, side, finding))
            if suspected_side is not None:
                reached[nerve].add("suspected")
                if rng.random() < P_BLOCKED:
                    reached[nerve] |= _blocks(rng, p, nerve, suspected_side, truth)
        if not reached["scn"] - {"assessed"} and rng.random() < P_UNCONFIRMED_SURGERY:
            # A surgery with no block behind it: the flow's data-quality row.
            _surgery(rng, p, "scn", "left", entry + _days(rng, 30, 90), None, truth)
            truth.unconfirmed_treated["scn"] = truth.unconfirmed_treated.get("scn", 0) + 1
            truth.unconfirmed_treated["any"] = truth.unconfirmed_treated.get("any", 0) + 1
    _questionnaires(rng, p, truth)
    for nerve in v.NERVES:
        for step in reached[nerve]:
            truth.count(nerve, step)
    for step in set().union(*reached.values()):
        truth.count("any", step)
    return p.freeze()


def _blocks(rng: random.Random, p: _Patient, nerve: str, side: str, truth: Truth) -> set[str]:
    """One to three weekly blocks on a suspected nerve and side, then perhaps surgery."""
    responder = rng.random() < P_RESPONDER
    count = rng.randint(1, 3)
    day = p.entry + _days(rng, 0, 14)
    made: list[BlockRecord] = []
    for _ in range(count):
        before = rng.randint(5, 9)
        # Responders: relief 50-100 %; others: 0-40 % (never on the 50 % edge).
        after = (
            rng.randint(0, before // 2) if responder else before - rng.randint(0, before * 2 // 5)
        )
        relief, ongoing = None, False
        if responder and rng.random() >= P_DURATION_MISSING:
            relief = round(rng.expovariate(1 / RELIEF_MEAN_DAYS), 1)
            diary_end = round(rng.uniform(0.5, 30.0), 1)
            if relief > diary_end:
                relief, ongoing = diary_end, True
        made.append(BlockRecord(day, nerve, side, before, after, 30.0, relief, ongoing))
        day += dt.timedelta(days=7)
    p.blocks.extend(made)
    p.visits.append(made[-1].date)
    truth.series.append((nerve, made[0].nrs_before, min(b.nrs_after for b in made)))
    if not responder:
        return set()
    reached = {"confirmed"} | ({"repeated_blocks"} if count >= 2 else set())
    if rng.random() < P_SURGERY:
        date = made[-1].date + _days(rng, 30, 90)
        if date < p.follow_end:
            reached.add("operated")
            if _surgery(rng, p, nerve, side, date, _relief_group(made), truth):
                reached.add("radiofrequency")
    return reached


def _relief_group(blocks: list[BlockRecord]) -> str | None:
    known = [b for b in blocks if b.relief_days is not None]
    if any(b.relief_days is not None and b.relief_days > FAVOURABLE_DAYS for b in known):
        return "long"
    if not known or any(b.relief_ongoing for b in known):
        return None
    return "short"


def _surgery(
    rng: random.Random,
    p: _Patient,
    nerve: str,
    side: str,
    date: dt.date,
    group: str | None,
    truth: Truth,
) -> bool:
    """A surgical release; returns whether radiofrequency followed."""
    good = rng.random() < P_GOOD[group or "short"]
    outcome: str | None = (
        rng.choice(("pain_free", "improved")) if good else rng.choice(("unchanged", "worse"))
    )
    recurrence = None
    if good:
        months = rng.expovariate(1 / SURGERY_MEAN_MONTHS)
        when = date + dt.timedelta(days=max(0, round(months * DAYS_PER_MONTH)))
        if when <= p.follow_end:
            recurrence, outcome = when, "recurred"
    if good and recurrence is None and rng.random() < P_OUTCOME_MISSING:
        # Only a relieved patient without recurrence loses the outcome, so that keeping the
        # episode as censored does not bias the known curve.
        outcome = None
    p.treatments.append(
        TreatmentRecord(date, "surgical_release", nerve, side, outcome, recurrence, p.follow_end)
    )
    p.visits.append(date)
    if group is not None and outcome is not None:
        poor = outcome not in ("pain_free", "improved")
        truth.e6[(0 if group == "long" else 2) + poor] += 1
    if recurrence is None or rng.random() >= P_RF_AFTER_RECURRENCE:
        return False
    rf_date = recurrence + _days(rng, 14, 60)
    if rf_date >= p.follow_end:
        return False
    months = rng.expovariate(1 / RF_MEAN_MONTHS)
    when = rf_date + dt.timedelta(days=max(0, round(months * DAYS_PER_MONTH)))
    rf_recurrence = when if when <= p.follow_end else None
    p.treatments.append(
        TreatmentRecord(
            rf_date,
            "radiofrequency",
            nerve,
            side,
            "recurred" if rf_recurrence else "improved",
            rf_recurrence,
            p.follow_end,
        )
    )
    p.visits.append(rf_date)
    return True


def _questionnaires(rng: random.Random, p: _Patient, truth: Truth) -> None:
    """Baseline scores at entry; a follow-up at the end of follow-up for most patients."""
    follow_up = rng.random() < 0.7 and p.follow_end > p.entry + dt.timedelta(days=30)
    # instrument: (lowest, highest baseline in steps, step, scale maximum)
    ranges = {"nrs": (3, 10, 1.0, 10.0), "rmdq": (4, 22, 1.0, 24.0), "odi": (5, 35, 2.0, 100.0)}
    for instrument, (low, high, step, top) in ranges.items():
        if instrument != "nrs" and rng.random() < 0.3:
            continue
        baseline = rng.randint(low, high) * step
        p.scores.append(Score(p.entry, instrument, baseline))
        if follow_up:
            change = rng.randint(-3, math.ceil(high * 0.6)) * step
            after = min(max(baseline - change, 0.0), top)
            p.scores.append(Score(p.follow_end, instrument, after))
            p.visits.append(p.follow_end)
            truth.pairs[instrument].append((baseline, after))
