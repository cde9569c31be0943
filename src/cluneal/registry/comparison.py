"""Surgical outcome by block relief > T days versus <= T days: the seed's claim E6.

E6 (expert opinion, Aota interview): patients with more than three days of relief after
blocks had better surgical outcomes. No retrieved paper confirms it (clinical-evidence section
8, item 4), which is exactly why the registry tests it on its own data.

* Unit: one nerve and side, at its first surgery (surgical release or neurectomy) with a
  recorded outcome. Good outcome = pain free or improved; poor = unchanged, worse or recurred.
* Exposure: the longest relief of the positive blocks on that nerve and side up to the day of
  surgery, against the pack's ``favourable_relief_days`` (default 3, source E6). A relief still
  ongoing at the last report counts as "> T" only if it already exceeded T; otherwise it is
  unknown and the nerve-side is excluded, as is one with no relief duration recorded.
* Statistics: Fisher's exact test, two-sided (scipy). Odds ratio (odds of a good outcome with
  relief > T over the odds with relief <= T) = ad / bc, with Woolf's 95 % interval
  exp(ln OR +- 1.96 sqrt(1/a + 1/b + 1/c + 1/d)). When any cell is 0, 0.5 is added to every
  cell (Haldane-Anscombe) for the odds ratio and its interval, and the result says so.
* "Too small": fewer than ``MIN_TOTAL`` nerve-sides, or any expected cell count below
  ``MIN_EXPECTED`` (Cochran's rule of thumb). Fisher's test is exact at any size, but with such
  numbers it has little power, so the page states that no conclusion can be drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import fisher_exact  # type: ignore[import-untyped]

from cluneal.core.numbers import plain
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.registry.cohort import Cohort, PatientRecord, TreatmentRecord
from cluneal.registry.flow import positive
from cluneal.registry.tables import Column, Table, percent, small_count

GOOD = ("pain_free", "improved")
POOR = ("unchanged", "worse", "recurred")
NO_OUTCOME = "outcome not recorded"
NO_RELIEF_DURATION = "block relief duration unknown"
#: Every reason an operated nerve-side can be excluded for.
EXCLUSIONS = (NO_OUTCOME, NO_RELIEF_DURATION)
MIN_EXPECTED = 5.0
MIN_TOTAL = 20
Z95 = 1.959963984540054


@dataclass(frozen=True)
class TwoByTwo:
    """Rows: relief > T, relief <= T. Columns: good outcome, poor outcome."""

    a: int  # relief > T, good
    b: int  # relief > T, poor
    c: int  # relief <= T, good
    d: int  # relief <= T, poor

    @property
    def n(self) -> int:
        return self.a + self.b + self.c + self.d

    def expected(self) -> tuple[float, float, float, float]:
        n = self.n
        if n == 0:
            return (0.0, 0.0, 0.0, 0.0)
        r1, r2 = self.a + self.b, self.c + self.d
        c1, c2 = self.a + self.c, self.b + self.d
        return (r1 * c1 / n, r1 * c2 / n, r2 * c1 / n, r2 * c2 / n)


@dataclass(frozen=True)
class OddsRatio:
    estimate: float
    lower: float
    upper: float
    haldane: bool


@dataclass(frozen=True)
class Comparison:
    table: TwoByTwo
    threshold_days: float
    excluded: tuple[tuple[str, int], ...]
    p_value: float | None
    odds_ratio: OddsRatio | None
    too_small: bool
    verdict: str


def odds_ratio(t: TwoByTwo) -> OddsRatio | None:
    """ad / bc with Woolf's interval; Haldane's 0.5 added to every cell if one is 0. None when
    a whole row or column is empty (nothing to compare)."""
    if min(t.a + t.b, t.c + t.d, t.a + t.c, t.b + t.d) == 0:
        return None
    cells = [t.a, t.b, t.c, t.d]
    haldane = 0 in cells
    a, b, c, d = (x + 0.5 for x in cells) if haldane else (float(x) for x in cells)
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return OddsRatio(
        math.exp(log_or), math.exp(log_or - Z95 * se), math.exp(log_or + Z95 * se), haldane
    )


def fisher_p(t: TwoByTwo) -> float | None:
    if t.n == 0:
        return None
    _, p = fisher_exact([[t.a, t.b], [t.c, t.d]], alternative="two-sided")
    return float(p)


def relief_group(p: PatientRecord, surgery: TreatmentRecord, pack: KnowledgePack) -> str | None:
    """``"long"`` (> T days), ``"short"`` (<= T) or None when unknown."""
    threshold = pack.settings.favourable_relief_days
    known = [
        b
        for b in p.blocks_on(surgery.nerve, surgery.side)
        if b.date <= surgery.date
        and b.relief_days is not None
        and positive(b, pack.block_definition)
    ]
    if not known:
        return None
    if any(b.relief_days is not None and b.relief_days > threshold for b in known):
        return "long"
    if any(b.relief_ongoing for b in known):
        return None
    return "short"


def compare(cohort: Cohort, pack: KnowledgePack, min_cell: int = 0) -> Comparison:
    cells = {"long": [0, 0], "short": [0, 0]}
    excluded: dict[str, int] = {}
    for p in cohort.patients:
        for nerve in v.NERVES:
            for side in v.SIDES:
                surgery = next(
                    (t for t in p.treatments_on(nerve, side) if t.kind in v.SURGICAL_KINDS),
                    None,
                )
                if surgery is None:
                    continue
                reason = None
                group = relief_group(p, surgery, pack)
                if surgery.outcome not in (*GOOD, *POOR):
                    reason = NO_OUTCOME
                elif group is None:
                    reason = NO_RELIEF_DURATION
                if reason is not None:
                    excluded[reason] = excluded.get(reason, 0) + 1
                    continue
                assert group is not None
                cells[group][0 if surgery.outcome in GOOD else 1] += 1
    table = TwoByTwo(cells["long"][0], cells["long"][1], cells["short"][0], cells["short"][1])
    ratio = odds_ratio(table)
    too_small = table.n < MIN_TOTAL or min(table.expected()) < MIN_EXPECTED
    threshold = pack.settings.favourable_relief_days
    return Comparison(
        table=table,
        threshold_days=threshold,
        excluded=tuple(sorted(excluded.items())),
        p_value=fisher_p(table),
        odds_ratio=ratio,
        too_small=too_small,
        verdict=_verdict(table, ratio, too_small, threshold, min_cell),
    )


def _verdict(
    t: TwoByTwo, ratio: OddsRatio | None, too_small: bool, threshold: float, min_cell: int
) -> str:
    n = small_count(t.n, min_cell)
    if ratio is None:
        return (
            f"Not estimable: {n} operated nerve-sides with known outcome and relief; each "
            "relief group and each outcome needs at least one."
        )
    if too_small:
        expected = min(t.expected())
        return (
            f"Numbers too small for a conclusion: {n} nerve-sides (at least {MIN_TOTAL} "
            f"needed), smallest expected cell count {expected:.1f} (at least "
            f"{MIN_EXPECTED:g} needed)."
        )
    return (
        f"Odds ratio {ratio.estimate:.2f} (95 % CI {ratio.lower:.2f} to {ratio.upper:.2f}) "
        f"for a good surgical outcome with block relief > {plain(threshold)} days."
    )


def comparison_table(c: Comparison, min_cell: int = 0) -> Table:
    t, threshold = c.table, plain(c.threshold_days)
    columns = (
        Column("block_relief", "Block relief"),
        Column("good", "Good outcome (pain free or improved)", "count"),
        Column("poor", "Poor outcome (unchanged, worse or recurred)", "count"),
        Column("total", "Total", "count"),
        Column("good_pct", "% good", "percent", of="good"),
    )
    rows = (
        (f"> {threshold} days", t.a, t.b, t.a + t.b, percent(t.a, t.a + t.b)),
        (f"<= {threshold} days", t.c, t.d, t.c + t.d, percent(t.c, t.c + t.d)),
    )
    notes = [c.verdict]
    if c.p_value is not None and c.odds_ratio is not None:
        notes.append(f"Fisher's exact test, two-sided: p = {c.p_value:.3g}.")
    if c.odds_ratio is not None:
        r = c.odds_ratio
        notes.append(
            f"Odds ratio {r.estimate:.2f}, 95 % CI {r.lower:.2f} to {r.upper:.2f} (Woolf)"
            + (", with 0.5 added to every cell because one is 0 (Haldane)." if r.haldane else ".")
        )
    for reason, n in c.excluded:
        notes.append(f"Excluded: {small_count(n, min_cell)} ({reason}).")
    notes.append(
        f"Claim tested: 'more than three days of relief after blocks had better outcomes than "
        f"less than three days' (expert opinion, not confirmed by any retrieved paper) [E6]. "
        f"Threshold {threshold} days from the knowledge pack."
    )
    return Table(
        "surgery_by_relief",
        f"Surgical outcome by block relief > {threshold} days (claim E6)",
        columns,
        rows,
        tuple(notes),
        ("E6",),
    )
