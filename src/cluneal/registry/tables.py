"""Result tables: one shape for the page, the CSV download and ``cluneal report``.

Small-cell suppression lives here because it must apply identically everywhere a table is
shown: counts from 1 to ``min_cell - 1`` become ``"<min_cell"``, and every statistic that
rests on a suppressed count (its percentage, a mean of that many patients) is withheld.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

Cell = str | int | float | None
Kind = Literal["text", "count", "percent", "number"]


@dataclass(frozen=True)
class Column:
    #: The CSV header: stable, snake_case.
    name: str
    #: The header on the page.
    label: str
    kind: Kind = "text"
    #: For a percentage or statistic: the count column of the same row it rests on. When that
    #: count is suppressed, so is this cell.
    of: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    #: The smallest count shown, when suppression was applied (0: none).
    min_cell: int = 0

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.name}: a row has {len(row)} cells, not {len(self.columns)}"
                )

    def column(self, name: str) -> list[Cell]:
        i = [c.name for c in self.columns].index(name)
        return [row[i] for row in self.rows]

    def cell(self, row_label: str, column: str) -> Cell:
        """The cell of ``column`` in the row whose first cell is ``row_label``."""
        i = [c.name for c in self.columns].index(column)
        for row in self.rows:
            if row[0] == row_label:
                return row[i]
        raise KeyError(f"table {self.name} has no row {row_label!r}")

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.name for c in self.columns])
        for row in self.rows:
            writer.writerow([_csv_value(v) for v in row])
        return out.getvalue()

    def display_rows(self) -> list[list[str]]:
        """The cells as a person reads them: counts whole, percentages to one decimal."""
        return [
            [_display(v, c) for v, c in zip(row, self.columns, strict=True)] for row in self.rows
        ]

    def suppressed(self, min_cell: int) -> Table:
        """This table with counts below ``min_cell`` (but above zero) withheld."""
        if min_cell <= 1:
            return self
        names = [c.name for c in self.columns]
        rows = []
        for row in self.rows:
            hidden = {
                c.name
                for c, v in zip(self.columns, row, strict=True)
                if c.kind == "count" and _small(v, min_cell)
            }
            cells: list[Cell] = []
            for c, v in zip(self.columns, row, strict=True):
                if c.name in hidden:
                    cells.append(f"<{min_cell}")
                elif c.of is not None and c.of in hidden and c.of in names:
                    cells.append(None)
                else:
                    cells.append(v)
            rows.append(tuple(cells))
        return replace(self, rows=tuple(rows), min_cell=min_cell)


def _small(value: Cell, min_cell: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < min_cell


def withheld(value: int, min_cell: int) -> bool:
    """Whether suppression hides this count (also used to leave out notes resting on it)."""
    return min_cell > 1 and 0 < value < min_cell


def small_count(value: int, min_cell: int) -> str:
    """A count as shown under suppression (used for figure annotations)."""
    return f"<{min_cell}" if min_cell > 1 and 0 < value < min_cell else str(value)


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isinf(value):
            return "inf"
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _display(value: Cell, column: Column) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞"
        if column.kind == "percent":
            return f"{value:.1f}"
        if value.is_integer():
            return str(int(value))
        return f"{value:.3g}" if abs(value) < 0.01 and value != 0 else f"{value:.2f}"
    return str(value)


def percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``; None when there is no whole."""
    return None if whole == 0 else part / whole * 100


def as_rows(rows: Sequence[Sequence[Cell]]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(r) for r in rows)


def named(tables: Sequence[Table], name: str) -> Table:
    """The table of that name (KeyError if none)."""
    for t in tables:
        if t.name == name:
            return t
    raise KeyError(name)
