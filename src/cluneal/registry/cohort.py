"""The registry's input: a cohort of patients as plain, immutable values.

The analytics never see a database row. The plain clinical records
(:class:`cluneal.core.record.Record`, turned into these values by :mod:`cluneal.registry.records`)
and the synthetic generator (:mod:`cluneal.registry.synth`) both give these values, so one set of
analytics serves the pages, ``cluneal report`` and the tests. They are what the analyses count:
examinations parsed, questionnaires scored, and whether a block's relief was still ongoing.

Nothing here identifies a patient: ``key`` is an opaque label used only to keep patients apart
and is never written to a table or a figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from cluneal.core.case import Finding

#: Instruments whose change from baseline the registry reports (clinical-evidence section 7).
INSTRUMENTS = ("nrs", "rmdq", "odi")


@dataclass(frozen=True)
class Exam:
    """The tender-point finding for one nerve on one side at one visit."""

    date: dt.date
    nerve: str
    side: str
    finding: Finding


@dataclass(frozen=True)
class BlockRecord:
    date: dt.date
    nerve: str
    side: str
    nrs_before: int
    nrs_after: int
    minutes_after: float | None = None
    #: How long the relief lasted, in days; ``None`` when not recorded.
    relief_days: float | None = None
    #: True when the relief was still present at the last report (a pain diary that ended or
    #: stopped while the patient was relieved): ``relief_days`` is then a lower bound.
    relief_ongoing: bool = False


@dataclass(frozen=True)
class TreatmentRecord:
    date: dt.date
    kind: str
    nerve: str
    side: str
    outcome: str | None = None
    #: The date the pain came back after this treatment, when it did and the date is known.
    recurrence_date: dt.date | None = None
    #: The last date on which the patient was known to be followed up for this treatment.
    last_follow_up: dt.date | None = None


@dataclass(frozen=True)
class Score:
    """One questionnaire score: NRS 0-10, RMDQ 0-24 or ODI percent, on a date."""

    date: dt.date
    instrument: str
    value: float


@dataclass(frozen=True)
class PatientRecord:
    key: str
    site: str
    visits: tuple[dt.date, ...] = ()
    exams: tuple[Exam, ...] = ()
    blocks: tuple[BlockRecord, ...] = ()
    treatments: tuple[TreatmentRecord, ...] = ()
    scores: tuple[Score, ...] = ()
    #: Other dates the patient was in contact (pain diary entries, questionnaires by link).
    contacts: tuple[dt.date, ...] = ()

    @property
    def entry(self) -> dt.date | None:
        """Entry into the registry: the first visit, block or treatment."""
        dates = [*self.visits, *(b.date for b in self.blocks), *(t.date for t in self.treatments)]
        return min(dates) if dates else None

    @property
    def last_contact(self) -> dt.date | None:
        """The last date the record shows the patient: any visit, block, treatment, score,
        diary entry or recorded follow-up."""
        dates = [
            *self.visits,
            *self.contacts,
            *(b.date for b in self.blocks),
            *(t.date for t in self.treatments),
            *(t.last_follow_up for t in self.treatments if t.last_follow_up is not None),
            *(s.date for s in self.scores),
        ]
        return max(dates) if dates else None

    def blocks_on(self, nerve: str, side: str) -> list[BlockRecord]:
        return sorted(
            (b for b in self.blocks if b.nerve == nerve and b.side == side), key=lambda b: b.date
        )

    def treatments_on(self, nerve: str, side: str) -> list[TreatmentRecord]:
        return sorted(
            (t for t in self.treatments if t.nerve == nerve and t.side == side),
            key=lambda t: t.date,
        )


@dataclass(frozen=True)
class Cohort:
    """Patients of one or more sites whose entry falls in ``[start, end]`` (open when None)."""

    patients: tuple[PatientRecord, ...]
    sites: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    #: Records (or parts of records) that could not be read, with the reason; shown on the
    #: page so that missing data is visible rather than silently dropped.
    unreadable: tuple[str, ...] = field(default=())

    def select(
        self,
        sites: Iterable[str] | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Cohort:
        """The patients of ``sites`` whose entry date lies in ``[start, end]``.

        A patient with no dated event at all has no entry date and is kept only when no
        date limit is given.
        """
        chosen = tuple(sites) if sites is not None else self.sites
        wanted = set(chosen) if sites is not None else None
        kept = []
        for p in self.patients:
            if wanted is not None and p.site not in wanted:
                continue
            entry = p.entry
            if (start is not None or end is not None) and entry is None:
                continue
            if start is not None and entry is not None and entry < start:
                continue
            if end is not None and entry is not None and entry > end:
                continue
            kept.append(p)
        return replace(self, patients=tuple(kept), sites=chosen, start=start, end=end)
