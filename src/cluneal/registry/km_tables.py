"""Tables of the Kaplan-Meier curves: a summary, each curve's life table and its numbers at
risk (the rows printed under the figure)."""

from __future__ import annotations

import math

from cluneal.core.numbers import plain
from cluneal.registry.survival import KINDS, Curve
from cluneal.registry.tables import Cell, Column, Table, small_count, withheld


def _time(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) else value


def summary_table(curves: dict[str, Curve]) -> Table:
    columns = (
        Column("curve", "Curve"),
        Column("nerve_sides", "Nerves and sides", "count"),
        Column("events", "Recurrences", "count"),
        Column("censored", "Censored", "count"),
        Column("excluded", "Excluded", "count"),
        Column("unit", "Unit"),
        Column("median", "Median time (empty: not reached)", "number", of="nerve_sides"),
        Column("median_lower", "95 % CI, lower", "number", of="nerve_sides"),
        Column("median_upper", "95 % CI, upper (empty: not reached)", "number", of="nerve_sides"),
    )
    rows: list[tuple[Cell, ...]] = []
    for kind in KINDS:
        c = curves[kind]
        ci = c.median_ci or (None, None)
        rows.append(
            (
                c.title,
                c.n,
                c.events,
                c.n - c.events,
                sum(n for _, n in c.excluded),
                c.unit,
                _time(c.median),
                _time(ci[0]),
                _time(ci[1]),
            )
        )
    return Table(
        "km_summary",
        "Time to recurrence: summary",
        columns,
        tuple(rows),
        (
            "Unit: one nerve and side (its first positive block, first surgery or first "
            "radiofrequency). Censoring and exclusions are defined in docs/registry.md.",
            "Intervals: pointwise 95 %, exponential Greenwood (log-log) as computed by lifelines.",
        ),
    )


def life_table(c: Curve, min_cell: int = 0) -> Table:
    columns = (
        Column("time", f"Time ({c.unit})", "number"),
        Column("at_risk", "At risk", "count"),
        Column("events", "Recurrences", "count"),
        Column("censored", "Censored", "count"),
        Column("survival", "Free of recurrence", "number", of="at_risk"),
        Column("lower", "95 % CI, lower", "number", of="at_risk"),
        Column("upper", "95 % CI, upper", "number", of="at_risk"),
    )
    rows: list[tuple[Cell, ...]] = []
    for time, at_risk, events, censored in c.life_table:
        s = c.at(time)
        rows.append((time, at_risk, events, censored, *(s if s else (None, None, None))))
    notes = [f"Excluded: {small_count(n, min_cell)} ({reason})." for reason, n in c.excluded]
    for t in () if withheld(c.n, min_cell) else c.landmarks():
        s = c.at(t)
        if s is not None:
            notes.append(
                f"At {plain(t)} {c.unit}: {s[0] * 100:.1f} % free of recurrence "
                f"(95 % CI {s[1] * 100:.1f} to {s[2] * 100:.1f} %)."
            )
    return Table(f"km_{c.kind}", c.title + ": life table", columns, tuple(rows), tuple(notes))


def at_risk_table(c: Curve) -> Table:
    columns = (Column("time", f"Time ({c.unit})", "number"), Column("at_risk", "At risk", "count"))
    rows = tuple((t, c.at_risk(t)) for t in c.ticks()) if c.n else ()
    return Table(f"km_{c.kind}_at_risk", c.title + ": numbers at risk", columns, rows)
