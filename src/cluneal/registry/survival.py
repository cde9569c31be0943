"""Time to recurrence after a block, after surgery and after radiofrequency (Kaplan-Meier).

Unit: one nerve and side. Each contributes one episode, so that the curve's independence
assumption is not broken by counting a patient's repeated blocks many times:

* **after a block**: the first block on that nerve and side that met the active block
  definition. Time = the recorded relief duration (days); event = the pain came back. A
  duration reported while the patient was still relieved (a pain diary that ended) is censored
  there. A positive block whose duration was not recorded is excluded (equivalently, censored
  at day 0: it adds no time at risk) and counted.
* **after surgery / radiofrequency**: the first surgical release or neurectomy (respectively
  radiofrequency treatment) on that nerve and side. Event = the recorded recurrence date.
  Otherwise the episode is censored at the last follow-up: the later of the treatment's
  ``last_follow_up`` and the patient's last contact, but no later than the next treatment of
  the same nerve and side (a new treatment ends the episode). Excluded and counted: an outcome
  of unchanged or worse (there was no relief to lose), "recurred" without a date, and no
  follow-up after the treatment.

Curves and confidence intervals come from lifelines (pointwise 95 % intervals by the
exponential Greenwood formula, i.e. on the log(-log) scale). A curve is determined by its life
table (time, at risk, events, censored) alone, so :func:`from_life_table` rebuilds it exactly
from the table of a share, or from the tables of many shares merged (the registry network).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lifelines import KaplanMeierFitter  # type: ignore[import-untyped]
from lifelines.utils import median_survival_times  # type: ignore[import-untyped]
from matplotlib.ticker import MaxNLocator

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.registry.cohort import Cohort, PatientRecord, TreatmentRecord
from cluneal.registry.flow import positive

DAYS_PER_MONTH = 365.25 / 12
ALPHA = 0.05
KINDS = ("block", "surgery", "radiofrequency")
TITLES = {
    "block": "Time to pain recurrence after a positive block",
    "surgery": "Time to pain recurrence after surgery (release or neurectomy)",
    "radiofrequency": "Time to pain recurrence after radiofrequency",
}
UNITS = {"block": "days", "surgery": "months", "radiofrequency": "months"}
NOT_RECORDED = "relief duration not recorded"
BEFORE = "recurrence date before the treatment"
NO_RELIEF = "no relief after the treatment (outcome unchanged or worse)"
NO_DATE = "recurred, date not recorded"
NO_FOLLOW_UP = "no follow-up after the treatment"
#: Every reason an episode can be excluded for, per curve.
EXCLUSIONS = {
    "block": (NOT_RECORDED,),
    "surgery": (BEFORE, NO_RELIEF, NO_DATE, NO_FOLLOW_UP),
    "radiofrequency": (BEFORE, NO_RELIEF, NO_DATE, NO_FOLLOW_UP),
}


@dataclass(frozen=True)
class Episode:
    nerve: str
    duration: float
    event: bool


@dataclass(frozen=True)
class Curve:
    kind: str
    unit: str
    #: The episodes the curve was fitted on; empty for a curve rebuilt from a life table.
    episodes: tuple[Episode, ...]
    excluded: tuple[tuple[str, int], ...]
    #: Step function: S(t) holds from ``times[i]`` until the next time.
    times: tuple[float, ...] = ()
    survival: tuple[float, ...] = ()
    lower: tuple[float, ...] = ()
    upper: tuple[float, ...] = ()
    #: (time, at risk, events, censored) at each distinct observed time.
    life_table: tuple[tuple[float, int, int, int], ...] = ()
    #: Median time, and its 95 % interval; ``math.inf`` when not reached.
    median: float | None = None
    median_ci: tuple[float, float] | None = None

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    @property
    def n(self) -> int:
        return self.life_table[0][1] if self.life_table else 0

    @property
    def events(self) -> int:
        return sum(row[2] for row in self.life_table)

    @property
    def longest(self) -> float:
        """The longest observed time (the last row of the life table)."""
        return self.life_table[-1][0] if self.life_table else 0.0

    def at(self, t: float) -> tuple[float, float, float] | None:
        """S(t) with its interval; None before any data or beyond the longest follow-up."""
        if not self.times or t < 0 or t > self.longest:
            return None
        i = bisect.bisect_right(self.times, t) - 1
        return self.survival[i], self.lower[i], self.upper[i]

    def at_risk(self, t: float) -> int:
        """Episodes still under observation at ``t`` (duration >= t), as lifelines counts."""
        gone = sum(events + censored for time, _, events, censored in self.life_table if time < t)
        return self.n - gone

    def censored_times(self) -> list[float]:
        """The times at which at least one episode was censored (marked on the figure)."""
        return [time for time, _, _, censored in self.life_table if censored]

    def ticks(self) -> list[float]:
        """Time points for the numbers-at-risk table (and the figure's x axis)."""
        longest = self.longest
        if longest <= 0:
            return [0.0]
        locator = MaxNLocator(nbins=6, integer=True, min_n_ticks=3)
        return [float(t) for t in locator.tick_values(0, longest) if 0 <= t <= longest]

    def landmarks(self) -> tuple[float, ...]:
        return (1, 3, 7, 14, 30) if self.kind == "block" else (6, 12, 24)


def fit(kind: str, episodes: list[Episode], excluded: Counter[str]) -> Curve:
    reasons = tuple(sorted(excluded.items()))
    if not episodes:
        return Curve(kind, UNITS[kind], (), reasons)
    kmf = KaplanMeierFitter(alpha=ALPHA)
    kmf.fit([e.duration for e in episodes], [e.event for e in episodes])
    return _curve(kind, kmf, tuple(episodes), reasons)


def from_life_table(
    kind: str,
    rows: Sequence[tuple[float, int, int]],
    excluded: Mapping[str, int] | None = None,
) -> Curve:
    """The curve of a life table given as (time, events, censored) rows, exactly as if it had
    been fitted on the episodes themselves: each row stands for ``events`` episodes ending in
    an event and ``censored`` episodes censored at ``time`` (lifelines' case weights), so the
    product-limit estimate, its Greenwood intervals and the median are those of the episodes.
    Rows of several tables may be given together: that is the curve of their union."""
    reasons = tuple(sorted((excluded or {}).items()))
    durations: list[float] = []
    observed: list[bool] = []
    weights: list[int] = []
    for time, events, censored in rows:
        for flag, count in ((True, events), (False, censored)):
            if count:
                durations.append(float(time))
                observed.append(flag)
                weights.append(int(count))
    if not durations:
        return Curve(kind, UNITS[kind], (), reasons)
    kmf = KaplanMeierFitter(alpha=ALPHA)
    kmf.fit(durations, observed, weights=weights)
    return _curve(kind, kmf, (), reasons)


def _curve(
    kind: str,
    kmf: KaplanMeierFitter,
    episodes: tuple[Episode, ...],
    reasons: tuple[tuple[str, int], ...],
) -> Curve:
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    table = kmf.event_table
    counts = table[["at_risk", "observed", "censored"]].to_numpy().round().astype(int).tolist()
    life = tuple(
        (float(t), at_risk, observed, censored)
        for t, (at_risk, observed, censored) in zip(table.index.tolist(), counts, strict=True)
        if observed + censored > 0
    )
    median = float(kmf.median_survival_time_)
    bounds = median_survival_times(kmf.confidence_interval_)
    return Curve(
        kind=kind,
        unit=UNITS[kind],
        episodes=episodes,
        excluded=reasons,
        times=tuple(float(t) for t in sf.index),
        survival=tuple(float(x) for x in sf.to_numpy()),
        lower=tuple(_finite(x) for x in ci.iloc[:, 0].to_numpy()),
        upper=tuple(_finite(x) for x in ci.iloc[:, 1].to_numpy()),
        life_table=life,
        median=median,
        median_ci=(float(bounds.iloc[0, 0]), float(bounds.iloc[0, 1])),
    )


def _finite(x: float) -> float:
    return 0.0 if math.isnan(x) else float(x)


def block_curve(cohort: Cohort, pack: KnowledgePack) -> Curve:
    episodes: list[Episode] = []
    excluded: Counter[str] = Counter()
    for p in cohort.patients:
        for nerve in v.NERVES:
            for side in v.SIDES:
                first = next(
                    (b for b in p.blocks_on(nerve, side) if positive(b, pack.block_definition)),
                    None,
                )
                if first is None:
                    continue
                if first.relief_days is None:
                    excluded[NOT_RECORDED] += 1
                    continue
                episodes.append(Episode(nerve, float(first.relief_days), not first.relief_ongoing))
    return fit("block", episodes, excluded)


def treatment_curve(cohort: Cohort, kind: str) -> Curve:
    kinds = v.SURGICAL_KINDS if kind == "surgery" else ("radiofrequency",)
    episodes: list[Episode] = []
    excluded: Counter[str] = Counter()
    for p in cohort.patients:
        for nerve in v.NERVES:
            for side in v.SIDES:
                treatments = p.treatments_on(nerve, side)
                first = next((t for t in treatments if t.kind in kinds), None)
                if first is None:
                    continue
                later = [t.date for t in treatments if t.date > first.date]
                episode, reason = treatment_episode(p, first, min(later, default=None))
                if episode is None:
                    excluded[reason] += 1
                else:
                    episodes.append(episode)
    return fit(kind, episodes, excluded)


def treatment_episode(
    p: PatientRecord, t: TreatmentRecord, next_treatment: dt.date | None
) -> tuple[Episode | None, str]:
    """One treatment as an episode, or None with the reason it cannot be one."""
    if t.recurrence_date is not None:
        if t.recurrence_date < t.date:
            return None, BEFORE
        if next_treatment is not None and t.recurrence_date > next_treatment:
            return _episode(t, next_treatment, False), ""
        return _episode(t, t.recurrence_date, True), ""
    if t.outcome in ("unchanged", "worse"):
        return None, NO_RELIEF
    if t.outcome == "recurred":
        return None, NO_DATE
    candidates = [d for d in (t.last_follow_up, p.last_contact) if d is not None]
    end = max(candidates, default=t.date)
    if next_treatment is not None:
        end = min(end, next_treatment)
    if end <= t.date:
        return None, NO_FOLLOW_UP
    return _episode(t, end, False), ""


def _episode(t: TreatmentRecord, end: dt.date, event: bool) -> Episode:
    return Episode(t.nerve, (end - t.date).days / DAYS_PER_MONTH, event)


def curves(cohort: Cohort, pack: KnowledgePack) -> dict[str, Curve]:
    return {
        "block": block_curve(cohort, pack),
        "surgery": treatment_curve(cohort, "surgery"),
        "radiofrequency": treatment_curve(cohort, "radiofrequency"),
    }
