"""When a recorded red flag still counts, and which red flag a note's words name.

A red flag stops every cluneal suggestion (policy P1). In EHR data and notes it counts from the
day it was recorded for its red flag's ``within_years`` (the pack's default: malignancy and
infection 5 years, cauda equina symptoms, deficit and fracture 1 year); a red flag with no
window, or recorded on no known day, always counts.
"""

from __future__ import annotations

import datetime as dt

from cluneal.core.dates import months_before
from cluneal.knowledge.model import KnowledgePack, RedFlag


def earliest_counted(flag: RedFlag, as_of: dt.date) -> dt.date | None:
    """The first recording day that still counts on ``as_of`` (None: every day counts)."""
    if flag.within_years is None:
        return None
    return months_before(as_of, round(flag.within_years * 12))


def still_counts(flag: RedFlag, recorded: dt.date | None, as_of: dt.date) -> bool:
    """Whether a red flag recorded on ``recorded`` counts on ``as_of``."""
    first = earliest_counted(flag, as_of)
    return recorded is None or first is None or recorded >= first


def window(flag: RedFlag) -> str:
    """How long the red flag counts, for the output (the pack's setting is named)."""
    if flag.within_years is None:
        return "counts however long ago it was recorded"
    years = flag.within_years
    amount = f"{years:g} year" + ("" if years == 1 else "s")
    return f"counts for {amount} after it was recorded, a knowledge pack setting"


def note_flag(pack: KnowledgePack, text: str) -> str:
    """The red flag a notes finding's words name (the pack's default flag when none)."""
    lowered = text.lower()
    for flag in pack.red_flags.values():
        if any(word in lowered for word in flag.note_words):
            return flag.id
    return pack.red_flag_rules.note_default_flag
