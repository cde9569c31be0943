"""Questionnaire change from baseline (pain NRS, RMDQ, ODI) against the minimal important
change (MIC) of the active knowledge pack.

Unit: one patient with at least two scores of an instrument on different dates. Baseline = the
earliest score; follow-up = the latest. Improvement = baseline - follow-up (lower is better on
all three). A patient reaches the MIC when the improvement is at least ``mic_points``, or at
least ``mic_percent`` of the baseline; both are reported, as Ostelo 2008 states them [S108].
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import t as student_t  # type: ignore[import-untyped]

from cluneal.core.numbers import plain
from cluneal.knowledge.model import KnowledgePack
from cluneal.registry.cohort import INSTRUMENTS, Cohort
from cluneal.registry.tables import Cell, Column, Table, percent

LABELS = {"nrs": "Pain NRS (0-10)", "rmdq": "RMDQ (0-24)", "odi": "ODI (%)"}


@dataclass(frozen=True)
class Pair:
    baseline: float
    follow_up: float
    days: int

    @property
    def improvement(self) -> float:
        return self.baseline - self.follow_up


@dataclass(frozen=True)
class Change:
    instrument: str
    pairs: tuple[Pair, ...]
    mic_points: float
    mic_percent: float
    sources: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.pairs)

    def reached_points(self) -> int:
        return sum(p.improvement >= self.mic_points for p in self.pairs)

    def reached_percent(self) -> int:
        return sum(
            p.baseline > 0 and p.improvement / p.baseline * 100 >= self.mic_percent
            for p in self.pairs
        )

    def reached_either(self) -> int:
        return sum(
            p.improvement >= self.mic_points
            or (p.baseline > 0 and p.improvement / p.baseline * 100 >= self.mic_percent)
            for p in self.pairs
        )

    def worsened(self) -> int:
        return sum(-p.improvement >= self.mic_points for p in self.pairs)

    def mean_change(self) -> tuple[float, float, float] | None:
        """Mean change (follow-up - baseline) with its t-based 95 % interval."""
        return self.summary().mean_change()

    def summary(self) -> ChangeSummary:
        changes = [-p.improvement for p in self.pairs]
        return ChangeSummary(
            instrument=self.instrument,
            n=self.n,
            baseline_mean=_mean([p.baseline for p in self.pairs]),
            follow_up_mean=_mean([p.follow_up for p in self.pairs]),
            change_mean=_mean(changes),
            change_sd=statistics.stdev(changes) if len(changes) >= 2 else None,
            reached_points=self.reached_points(),
            reached_percent=self.reached_percent(),
            worsened=self.worsened(),
            mic_points=self.mic_points,
            mic_percent=self.mic_percent,
            sources=self.sources,
            follow_up_days_median=(
                float(statistics.median(p.days for p in self.pairs)) if self.pairs else None
            ),
        )


@dataclass(frozen=True)
class ChangeSummary:
    """One instrument's change as summary statistics only: what the table shows, what a
    registry share holds, and what pooling combines (exactly: see ``network.pool``)."""

    instrument: str
    n: int
    baseline_mean: float | None
    follow_up_mean: float | None
    change_mean: float | None
    #: Sample standard deviation of the change; None below two patients.
    change_sd: float | None
    reached_points: int
    reached_percent: int
    worsened: int
    mic_points: float
    mic_percent: float
    sources: tuple[str, ...]
    #: Median days from baseline to follow-up; None when unknown (e.g. pooled).
    follow_up_days_median: float | None = None

    def mean_change(self) -> tuple[float, float, float] | None:
        """Mean change (follow-up - baseline) with its t-based 95 % interval."""
        if self.change_mean is None or self.n == 0:
            return None
        if self.change_sd is None or self.n < 2:
            return self.change_mean, math.nan, math.nan
        half = float(student_t.ppf(0.975, self.n - 1)) * self.change_sd / math.sqrt(self.n)
        return self.change_mean, self.change_mean - half, self.change_mean + half


def changes(cohort: Cohort, pack: KnowledgePack) -> tuple[Change, ...]:
    out = []
    for instrument in INSTRUMENTS:
        pairs = []
        for p in cohort.patients:
            scores = sorted(
                (s for s in p.scores if s.instrument == instrument), key=lambda s: s.date
            )
            if len(scores) >= 2 and scores[-1].date > scores[0].date:
                first, last = scores[0], scores[-1]
                pairs.append(Pair(first.value, last.value, (last.date - first.date).days))
        params = pack.instruments[instrument].parameters
        out.append(
            Change(
                instrument=instrument,
                pairs=tuple(pairs),
                mic_points=float(params["mic_points"]),
                mic_percent=float(params["mic_percent"]),
                sources=pack.instruments[instrument].sources,
            )
        )
    return tuple(out)


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def change_table(items: Sequence[Change | ChangeSummary]) -> Table:
    columns = (
        Column("instrument", "Instrument"),
        Column("patients", "Patients", "count"),
        Column("baseline_mean", "Baseline, mean", "number", of="patients"),
        Column("follow_up_mean", "Follow-up, mean", "number", of="patients"),
        Column("change_mean", "Change, mean", "number", of="patients"),
        Column("change_lower", "95 % CI, lower", "number", of="patients"),
        Column("change_upper", "95 % CI, upper", "number", of="patients"),
        Column("follow_up_months_median", "Follow-up, median months", "number", of="patients"),
        Column("mic_points", "MIC (points)", "number"),
        Column("reached_mic_points", "Improved >= MIC points", "count"),
        Column("reached_mic_points_pct", "%", "percent", of="reached_mic_points"),
        Column("mic_percent", "MIC (%)", "number"),
        Column("reached_mic_percent", "Improved >= MIC %", "count"),
        Column("reached_mic_percent_pct", "%", "percent", of="reached_mic_percent"),
        Column("worsened_mic_points", "Worse by >= MIC points", "count"),
    )
    rows: list[tuple[Cell, ...]] = []
    summaries = [c.summary() if isinstance(c, Change) else c for c in items]
    for c in summaries:
        mean = c.mean_change()
        lo, hi = (mean[1], mean[2]) if mean else (None, None)
        days = c.follow_up_days_median
        rows.append(
            (
                LABELS[c.instrument],
                c.n,
                c.baseline_mean,
                c.follow_up_mean,
                mean[0] if mean else None,
                None if lo is None or math.isnan(lo) else lo,
                None if hi is None or math.isnan(hi) else hi,
                None if days is None else days / (365.25 / 12),
                c.mic_points,
                c.reached_points,
                percent(c.reached_points, c.n),
                c.mic_percent,
                c.reached_percent,
                percent(c.reached_percent, c.n),
                c.worsened,
            )
        )
    sources = tuple(dict.fromkeys(s for c in summaries for s in c.sources))
    return Table(
        "questionnaires",
        "Questionnaire change from baseline against the minimal important change",
        columns,
        tuple(rows),
        (
            "Unit: one patient with two or more scores of the instrument on different dates; "
            "baseline = earliest, follow-up = latest. Negative change = improvement.",
            "MIC from the active knowledge pack: "
            + "; ".join(
                f"{LABELS[c.instrument]} {plain(c.mic_points)} points or {plain(c.mic_percent)} %"
                for c in summaries
            )
            + " (defaults from the Ostelo 2008 consensus) [S108].",
        ),
        sources,
    )
