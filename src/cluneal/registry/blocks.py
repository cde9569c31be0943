"""Block response: the relief distribution, Kuniya 2014's outcome measures and how long the
relief lasted.

Relief is ``(before - after) / before x 100`` (product convention), computed exactly with
:func:`cluneal.core.numbers.relief_fraction` so that a block on a bin edge is never misplaced.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from cluneal.core.numbers import plain, relief_fraction
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.registry.cohort import BlockRecord, Cohort
from cluneal.registry.flow import ANY, GROUP_LABELS, GROUPS, positive
from cluneal.registry.tables import Cell, Column, Table, percent, withheld

#: Relief bins: (label, lower bound inclusive, upper bound exclusive); None = open.
RELIEF_BINS: tuple[tuple[str, Fraction | None, Fraction | None], ...] = (
    ("worse than before (< 0 %)", None, Fraction(0)),
    ("0 to < 25 %", Fraction(0), Fraction(25)),
    ("25 to < 50 %", Fraction(25), Fraction(50)),
    ("50 to < 75 %", Fraction(50), Fraction(75)),
    ("75 to < 100 %", Fraction(75), Fraction(100)),
    ("100 % (no pain after)", Fraction(100), None),
)
UNDEFINED = "no pain before the block (relief undefined)"
#: Kuniya 2014 measured VAS in mm; on the 0-10 NRS one point is taken as 10 mm, so "> 20 mm"
#: is read as a decrease of more than 2 points. An approximation: the scales differ.
KUNIYA_POINTS = 2
KUNIYA_PERCENT = 50
KUNIYA_MAX_BLOCKS = 3
#: Kuniya 2014 abstract [S1]: 96 and 77 of the 113 patients given blocks.
KUNIYA_REFERENCE = (113, 96, 77)


@dataclass(frozen=True)
class Series:
    """The first blocks on one nerve and side: Kuniya's unit of response."""

    nerve: str
    baseline: int
    best_after: int

    @property
    def decrease(self) -> int:
        return self.baseline - self.best_after

    @property
    def over_points(self) -> bool:
        return self.decrease > KUNIYA_POINTS

    @property
    def over_percent(self) -> bool:
        return self.baseline > 0 and Fraction(self.decrease, self.baseline) * 100 > KUNIYA_PERCENT


@dataclass(frozen=True)
class BlockResponse:
    #: Relief percent (exact) of every block with pain before it, per nerve.
    relief: dict[str, tuple[Fraction, ...]]
    undefined: dict[str, int]
    series: tuple[Series, ...]
    #: Relief durations (days) of positive blocks, per nerve, with the "still relieved" flag.
    durations: dict[str, tuple[tuple[float, bool], ...]]
    duration_missing: dict[str, int]
    threshold_days: float


def block_response(cohort: Cohort, pack: KnowledgePack) -> BlockResponse:
    relief: dict[str, list[Fraction]] = {n: [] for n in v.NERVES}
    undefined = dict.fromkeys(v.NERVES, 0)
    durations: dict[str, list[tuple[float, bool]]] = {n: [] for n in v.NERVES}
    missing = dict.fromkeys(v.NERVES, 0)
    series: list[Series] = []
    definition = pack.block_definition
    for p in cohort.patients:
        for b in p.blocks:
            r = relief_fraction(b.nrs_before, b.nrs_after)
            if r is None:
                undefined[b.nerve] += 1
            else:
                relief[b.nerve].append(r)
            if positive(b, definition):
                if b.relief_days is None:
                    missing[b.nerve] += 1
                else:
                    durations[b.nerve].append((b.relief_days, b.relief_ongoing))
        for nerve in v.NERVES:
            for side in v.SIDES:
                s = _series(p.blocks_on(nerve, side), nerve)
                if s is not None:
                    series.append(s)
    return BlockResponse(
        relief={n: tuple(x) for n, x in relief.items()},
        undefined=undefined,
        series=tuple(series),
        durations={n: tuple(x) for n, x in durations.items()},
        duration_missing=missing,
        threshold_days=pack.settings.favourable_relief_days,
    )


def _series(blocks: Sequence[BlockRecord], nerve: str) -> Series | None:
    first = list(blocks)[:KUNIYA_MAX_BLOCKS]
    if not first:
        return None
    return Series(nerve, first[0].nrs_before, min(b.nrs_after for b in first))


def relief_bin(value: Fraction) -> str:
    for label, low, high in RELIEF_BINS:
        if (low is None or value >= low) and (high is None or value < high):
            return label
    raise ValueError(f"relief {value} outside every bin")  # pragma: no cover - bins cover all


@dataclass(frozen=True)
class BlockCounts:
    """Block response as counts only: what the tables and figures show, what a registry share
    holds and what pooling adds up. Every mapping is per nerve (``scn``, ``mcn``)."""

    #: Blocks per relief bin, in the order of :data:`RELIEF_BINS`.
    relief: Mapping[str, tuple[int, ...]]
    undefined: Mapping[str, int]
    #: Kuniya's unit, one nerve and side: (blocked, decrease > 2 points, decrease > 50 %).
    kuniya: Mapping[str, tuple[int, int, int]]
    #: Positive blocks per bin of :func:`duration_bins`, and of those the ones still relieved.
    durations: Mapping[str, tuple[int, ...]]
    still_relieved: Mapping[str, tuple[int, ...]]
    duration_missing: Mapping[str, int]
    threshold_days: float

    def group(self, field: str, g: str) -> tuple[int, ...]:
        """A per-nerve count list for a nerve or, for ``any``, summed over both nerves."""
        per: Mapping[str, tuple[int, ...]] = getattr(self, field)
        if g != ANY:
            return tuple(per[g])
        return tuple(sum(values) for values in zip(*(per[n] for n in v.NERVES), strict=True))


def counts_of(r: BlockResponse) -> BlockCounts:
    bins = duration_bins(r.threshold_days)
    durations = {
        n: tuple(sum(in_bin(d, lo, hi) for d, _ in r.durations[n]) for _, lo, hi in bins)
        for n in v.NERVES
    }
    still = {
        n: tuple(sum(in_bin(d, lo, hi) for d, on in r.durations[n] if on) for _, lo, hi in bins)
        for n in v.NERVES
    }
    kuniya = {}
    for n in v.NERVES:
        chosen = [s for s in r.series if s.nerve == n]
        kuniya[n] = (
            len(chosen),
            sum(s.over_points for s in chosen),
            sum(s.over_percent for s in chosen),
        )
    labels = [label for label, _, _ in RELIEF_BINS]
    binned = {n: [relief_bin(x) for x in r.relief[n]] for n in v.NERVES}
    return BlockCounts(
        relief={n: tuple(binned[n].count(label) for label in labels) for n in v.NERVES},
        undefined=dict(r.undefined),
        kuniya=kuniya,
        durations=durations,
        still_relieved=still,
        duration_missing=dict(r.duration_missing),
        threshold_days=r.threshold_days,
    )


def _counts(r: BlockResponse | BlockCounts) -> BlockCounts:
    return r if isinstance(r, BlockCounts) else counts_of(r)


def relief_table(r: BlockResponse | BlockCounts, min_cell: int = 0) -> Table:
    c = _counts(r)
    columns = [Column("relief", "Relief")]
    for g in GROUPS:
        columns += [
            Column(f"{g}_blocks", f"{GROUP_LABELS[g]}: blocks", "count"),
            Column(f"{g}_pct", f"{GROUP_LABELS[g]}: %", "percent", of=f"{g}_blocks"),
        ]
    per = {g: c.group("relief", g) for g in GROUPS}
    rows: list[tuple[Cell, ...]] = []
    for i, (label, _, _) in enumerate(RELIEF_BINS):
        row: list[Cell] = [label]
        for g in GROUPS:
            row += [per[g][i], percent(per[g][i], sum(per[g]))]
        rows.append(tuple(row))
    undefined = {**c.undefined, ANY: sum(c.undefined[n] for n in v.NERVES)}
    rows.append((UNDEFINED, *[x for g in GROUPS for x in (undefined[g], None)]))
    notes = ["Unit: one block. Percentages are of blocks with pain before the block."]
    if isinstance(r, BlockResponse):
        every = [float(x) for n in v.NERVES for x in r.relief[n]]
        if every and not withheld(len(every), min_cell):
            q = _quartiles(every)
            notes.append(
                f"Median relief {q[1]:.1f} % (IQR {q[0]:.1f} to {q[2]:.1f} %), all blocks."
            )
    return Table(
        "block_relief", "Relief after each block", tuple(columns), tuple(rows), tuple(notes)
    )


def kuniya_table(r: BlockResponse | BlockCounts) -> Table:
    c = _counts(r)
    columns = (
        Column("group", "Nerve"),
        Column("series", "Nerves and sides blocked", "count"),
        Column("over_20mm", "Decrease > 2 points (≈ 20 mm)", "count"),
        Column("over_20mm_pct", "%", "percent", of="over_20mm"),
        Column("over_50pct", "Decrease > 50 %", "count"),
        Column("over_50pct_pct", "%", "percent", of="over_50pct"),
    )
    rows: list[tuple[Cell, ...]] = []
    for g in GROUPS:
        n, a, b = c.group("kuniya", g)
        rows.append((GROUP_LABELS[g], n, a, percent(a, n), b, percent(b, n)))
    n, a, b = KUNIYA_REFERENCE
    rows.append(("Kuniya 2014, SCN, VAS (reference) [S1]", n, a, percent(a, n), b, percent(b, n)))
    return Table(
        "block_kuniya",
        "Response after up to three blocks (Kuniya 2014 outcome measures)",
        columns,
        tuple(rows),
        (
            "Unit: one nerve and side with at least one block. Decrease = pain before the "
            "first block minus the lowest pain after any of the first three blocks on that "
            "nerve and side.",
            "Kuniya 2014 reported '> 20 mm decrease of the VAS score following three "
            "injections' and '> 50 % decrease' [S1]. The record holds NRS 0-10, so 20 mm is "
            "read as 2 NRS points (1 point = 10 mm): an approximation, and Kuniya measured at "
            "one week while the record's 'pain after' is usually minutes to hours after the "
            "block.",
        ),
        ("S1",),
    )


def duration_bins(threshold: float) -> list[tuple[str, float, float | None]]:
    """Right-closed day bins around the active favourable-relief threshold (E6)."""
    edges = sorted({1.0, float(threshold), 7.0, 30.0})
    bins: list[tuple[str, float, float | None]] = []
    low = 0.0
    for i, high in enumerate(edges):
        label = (
            f"{plain(low)} to {plain(high)} days"
            if i == 0
            else (f"> {plain(low)} to {plain(high)} days")
        )
        bins.append((label, low, high))
        low = high
    bins.append((f"> {plain(low)} days", low, None))
    return bins


def in_bin(days: float, low: float, high: float | None) -> bool:
    """Whether a duration falls in a bin of :func:`duration_bins` (the first includes 0)."""
    return (days >= low if low == 0 else days > low) and (high is None or days <= high)


def duration_table(r: BlockResponse | BlockCounts, min_cell: int = 0) -> Table:
    c = _counts(r)
    bins = duration_bins(c.threshold_days)
    columns = [Column("relief_duration", "Relief lasted")]
    for g in GROUPS:
        columns.append(Column(f"{g}_blocks", f"{GROUP_LABELS[g]}: blocks", "count"))
    columns += [
        Column("any_pct", "All: %", "percent", of="any_blocks"),
        Column("still_relieved", "Of which still relieved at last report", "count"),
    ]
    per = {g: c.group("durations", g) for g in GROUPS}
    still = c.group("still_relieved", ANY)
    total = sum(per[ANY])
    rows: list[tuple[Cell, ...]] = []
    for i, (label, _, _) in enumerate(bins):
        counts = [per[g][i] for g in GROUPS]
        rows.append((label, *counts, percent(counts[-1], total), still[i]))
    missing = [*(c.duration_missing[n] for n in v.NERVES)]
    rows.append(("not recorded", *missing, sum(missing), None, None))
    threshold = plain(c.threshold_days)
    notes = [
        "Unit: one block meeting the active block definition. A duration reported while the "
        "patient was still relieved (a pain diary that ended) is a lower bound.",
    ]
    # Bins after the first hold durations > their lower edge, and T is one of the edges.
    over = sum(per[ANY][i] for i, (_, low, _) in enumerate(bins) if i and low >= c.threshold_days)
    if total and not (withheld(total, min_cell) or withheld(over, min_cell)):
        median = ""
        if isinstance(r, BlockResponse):
            q = _quartiles([d for n in v.NERVES for d, _ in r.durations[n]])
            median = (
                f"Median {plain(round(q[1], 1))} days (IQR {plain(round(q[0], 1))} to "
                f"{plain(round(q[2], 1))}); "
            )
        notes.append(
            f"{median}{over} of {total} ({over / total * 100:.1f} %) lasted more than "
            f"{threshold} days."
        )
    notes.append(
        f"The {threshold}-day boundary is the seed's favourable-relief threshold: 'more than "
        "three days of relief after blocks had better outcomes' (expert opinion, "
        "UNCONFIRMED in any paper) [E6]."
    )
    return Table(
        "relief_duration",
        "How long the relief of a positive block lasted",
        tuple(columns),
        tuple(rows),
        tuple(notes),
        ("E6",),
    )


def _quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], statistics.median(values), q[2]
