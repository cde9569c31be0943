"""How long a block's relief lasted, read from the patient's pain diary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction

from cluneal.core.numbers import relief_fraction
from cluneal.knowledge.model import BlockDefinition

DIARY_DAYS = 14


def relief_days(
    block_date: dt.date,
    nrs_before: int,
    entries: Iterable[tuple[dt.date, int]],
    definition: BlockDefinition,
) -> int | None:
    """Days after the block on which the diary still showed relief meeting the active block
    definition, counted from the day after the block until the first day without it (or the
    first day missing from the diary). None when the diary has no entry for the day after."""
    by_date = dict(entries)
    threshold = Fraction(str(definition.min_relief_percent))
    days = 0
    for k in range(1, DIARY_DAYS + 1):
        nrs = by_date.get(block_date + dt.timedelta(days=k))
        if nrs is None:
            return days if k > 1 else None
        relief = relief_fraction(nrs_before, nrs)
        if relief is None or not (
            relief >= threshold if definition.inclusive else relief > threshold
        ):
            return days
        days += 1
    return days
