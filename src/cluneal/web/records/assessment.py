"""The engine's assessment of a patient's record, as of a date: the record is read through
:mod:`cluneal.web.records.mapping` and turned into a case by :func:`cluneal.core.record.case_of`.
"""

from __future__ import annotations

import datetime as dt

from cluneal.core import Case, assess, parse_case
from cluneal.core.assessment import Assessment
from cluneal.core.record import Record, case_of
from cluneal.knowledge.loader import active_pack
from cluneal.validation import Invalid
from cluneal.web.records.mapping import record_of
from cluneal.web.records.models import Patient


def assessed(
    record: Record, as_of: dt.date | None = None
) -> tuple[Case | None, Assessment | None, list[str]]:
    """The record's validated case and its assessment, or the problems that stored data which
    the engine cannot read gives (then neither)."""
    try:
        case = parse_case(case_of(record, as_of))
        return case, assess(case, active_pack()), []
    except Invalid as exc:
        return None, None, [str(p) for p in exc.problems]


def record_assessment(
    patient: Patient, as_of: dt.date | None = None
) -> tuple[Assessment | None, list[str]]:
    _, assessment, problems = assessed(record_of(patient), as_of)
    return assessment, problems
