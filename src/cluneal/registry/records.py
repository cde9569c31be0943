"""Plain records (:class:`cluneal.core.record.Record`) as a registry cohort.

Examinations and questionnaires are parsed by the core's own case parser and scored by its own
scoring, so the registry and the record never disagree. Stored data the parser rejects is
skipped and counted (never identified: researchers see the result).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Set
from decimal import Decimal
from typing import Any

from cluneal.core import parse_case
from cluneal.core.case import CASE_FORMAT, Case
from cluneal.core.record import BlockData, Record, VisitData
from cluneal.core.scores import score_all
from cluneal.knowledge.model import KnowledgePack
from cluneal.registry.cohort import (
    BlockRecord,
    Cohort,
    Exam,
    PatientRecord,
    Score,
    TreatmentRecord,
)
from cluneal.validation import Invalid


def _float(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


_NO_DAYS: frozenset[dt.date] = frozenset()


def _ongoing(block: BlockData, diary: Set[dt.date]) -> bool:
    """Whether a diary-derived duration is a lower bound: the diary counts relief days until
    the first day without relief (an entry: the pain is back) or the first day missing from
    the diary (no entry: still relieved when the reports stopped); see records/diary.py."""
    if not block.relief_days_from_diary or block.relief_days is None:
        return False
    return block.date + dt.timedelta(days=int(block.relief_days) + 1) not in diary


class Parsed:
    """Case sections parsed once per distinct content: a cohort's visits repeat the same
    examinations and answers many times over, and parsing costs several times writing the
    content as a key. Holds the parsed case, or None for content the parser rejects."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], Case | None] = {}

    def __call__(self, section: str, value: Any) -> Case | None:
        try:
            key = (section, json.dumps(value, sort_keys=True))
        except (TypeError, ValueError):  # no JSON value: parsed (and refused) every time
            return _parse(section, value)
        if key not in self.known:
            self.known[key] = _parse(section, value)
        return self.known[key]


def _parse(section: str, value: Any) -> Case | None:
    try:
        return parse_case({"format": CASE_FORMAT, section: value})
    except Invalid:
        return None


class _Reading:
    """One record's registry values; what could not be read goes to ``unreadable``."""

    def __init__(self, pack: KnowledgePack, unreadable: list[str], parsed: Parsed) -> None:
        self.pack = pack
        self.unreadable = unreadable
        self.parsed = parsed
        self.exams: list[Exam] = []
        self.scores: list[Score] = []

    def visit(self, visit: VisitData) -> None:
        if visit.current_nrs is not None:
            self.scores.append(Score(visit.date, "nrs", float(visit.current_nrs)))
        if visit.exam:
            case = self.parsed("exam", visit.exam)
            if case is None:
                self.unreadable.append("a visit's examination")
            else:
                for side, nerves in case.exam.items():
                    for nerve, finding in nerves.items():
                        self.exams.append(Exam(visit.date, nerve, side, finding))
        if visit.questionnaires:
            self.questionnaires(visit.date, visit.questionnaires, "a visit's questionnaires")

    def questionnaires(self, date: dt.date, values: Any, what: str) -> None:
        case = self.parsed("questionnaires", values)
        if case is None:
            self.unreadable.append(what)
            return
        scores = score_all(case.questionnaires, self.pack)
        if "rmdq" in scores:
            self.scores.append(Score(date, "rmdq", float(scores["rmdq"]["score"])))
        if "odi" in scores and scores["odi"]["percent"] is not None:
            self.scores.append(Score(date, "odi", float(scores["odi"]["percent"])))


def patient_of(
    record: Record,
    site: str,
    pack: KnowledgePack,
    unreadable: list[str],
    parsed: Parsed | None = None,
) -> PatientRecord:
    """One record as the registry's values, ``site`` being its site's name; ``parsed``: the
    sections parsed so far (shared by a cohort's records)."""
    reading = _Reading(pack, unreadable, parsed or Parsed())
    for visit in record.visits:
        reading.visit(visit)
    contacts: list[dt.date] = []
    diaries: dict[str, set[dt.date]] = {}
    for link in record.links:
        days = {e.date for e in link.entries}
        contacts += [e.date for e in link.entries]
        if link.block_id is not None:
            diaries.setdefault(link.block_id, set()).update(days)
    for link in record.links:
        if link.answer is not None:
            contacts.append(link.answer.date)
            reading.questionnaires(
                link.answer.date,
                {link.kind: link.answer.values},
                "a questionnaire answered by link",
            )
    return PatientRecord(
        key=record.patient.id,
        site=site,
        visits=tuple(x.date for x in record.visits),
        exams=tuple(reading.exams),
        blocks=tuple(
            BlockRecord(
                b.date,
                b.nerve,
                b.side,
                b.nrs_before,
                b.nrs_after,
                _float(b.minutes_after),
                _float(b.relief_days),
                _ongoing(b, diaries.get(b.id, _NO_DAYS)),
            )
            for b in record.blocks
        ),
        treatments=tuple(
            TreatmentRecord(
                t.date,
                t.kind,
                t.nerve,
                t.side,
                t.outcome or None,
                t.recurrence_date,
                t.last_follow_up,
            )
            for t in record.treatments
        ),
        scores=tuple(reading.scores),
        contacts=tuple(contacts),
    )


def cohort_of(records: Iterable[Record], sites: Mapping[str, str], pack: KnowledgePack) -> Cohort:
    """The records as a cohort (select a period with :meth:`Cohort.select`); ``sites`` maps
    each record's ``site_id`` to its site's name, in the order the cohort lists them."""
    unreadable: list[str] = []
    parsed = Parsed()
    patients = tuple(
        patient_of(r, sites[r.patient.site_id], pack, unreadable, parsed) for r in records
    )
    return Cohort(patients=patients, sites=tuple(sites.values()), unreadable=tuple(unreadable))
