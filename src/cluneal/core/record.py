"""A patient's clinical record as plain data, and the engine's case of it as of a date.

:class:`Record` is field for field the database's patient, visits, blocks, treatments and
patient links (with their diary entries or questionnaire answer). ``cluneal.web.records.mapping``
is the one place the database becomes a record; the FHIR exchange
(:mod:`cluneal.interop.fhir_record`), the research export (``cluneal.registry.deid``), the
registry (:mod:`cluneal.registry.records`) and the engine (:func:`case_of`) all read it.

Visits, blocks and treatments are held in the order they happened (by date, then as created);
links in the order they were issued.

The case of a record "as of" a date merges what the visits up to that date say: for each history
field, the latest visit that recorded it; for each nerve and side, the latest finding; every block
and treatment up to that date; pain today from the latest visit or diary entry; each
questionnaire from the latest visit or patient link that gave it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cluneal.core.case import CASE_FORMAT
from cluneal.knowledge import vocabulary as v

#: The pain drawing's views, in the order their regions are read.
BODY_VIEWS = ("back", "front")


@dataclass(frozen=True, slots=True)
class PatientData:
    #: The record's random key (a UUID): never shown to a researcher.
    id: str
    site_id: str
    record_number: str
    birth_year: int | None = None
    sex: str = "unknown"
    name: str = ""
    contact: str = ""


@dataclass(frozen=True, slots=True)
class VisitData:
    id: str
    date: dt.date
    history: dict[str, Any] = field(default_factory=dict)
    body_map: dict[str, Any] = field(default_factory=dict)
    exam: dict[str, Any] = field(default_factory=dict)
    questionnaires: dict[str, Any] = field(default_factory=dict)
    current_nrs: int | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class BlockData:
    id: str
    date: dt.date
    nerve: str
    side: str
    nrs_before: int
    nrs_after: int
    agent: str = ""
    volume_ml: Decimal | None = None
    guidance: str = ""
    minutes_after: int | None = None
    relief_days: Decimal | None = None
    relief_days_from_diary: bool = False


@dataclass(frozen=True, slots=True)
class TreatmentData:
    """A treatment; ``recurrence_date`` (the pain came back) and ``last_follow_up`` (the last
    date the patient was known to be followed up) give the registry its time to recurrence."""

    id: str
    date: dt.date
    kind: str
    nerve: str
    side: str
    outcome: str = ""
    recurrence_date: dt.date | None = None
    last_follow_up: dt.date | None = None


@dataclass(frozen=True, slots=True)
class DiaryDay:
    """One day's pain from a diary link. ``recorded_at`` (when the patient last saved it)
    orders two links' entries of the same day; it is not exchanged, and not compared."""

    date: dt.date
    nrs: int
    recorded_at: dt.datetime | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class AnswerData:
    """A questionnaire filled in through a link: item values in the case format."""

    values: list[Any]
    date: dt.date


@dataclass(frozen=True, slots=True)
class LinkData:
    """A patient link that holds something: its diary entries or its questionnaire answer.

    ``kind`` is ``diary`` or the instrument answered; ``block_id`` is the link's block."""

    id: str
    kind: str
    block_id: str | None = None
    entries: tuple[DiaryDay, ...] = ()
    answer: AnswerData | None = None


@dataclass(frozen=True, slots=True)
class Record:
    patient: PatientData
    visits: tuple[VisitData, ...] = ()
    blocks: tuple[BlockData, ...] = ()
    treatments: tuple[TreatmentData, ...] = ()
    links: tuple[LinkData, ...] = ()


# -- the engine's case ------------------------------------------------------------------------


def pain_sites(body_map: dict[str, Any]) -> dict[str, list[str]] | None:
    """Case-format pain sites drawn on either view; None when nothing was drawn."""
    if not body_map:
        return None
    sites: dict[str, list[str]] = {"left": [], "right": []}
    for view in BODY_VIEWS:
        for side in ("left", "right"):
            for region in (body_map.get(view) or {}).get(side) or []:
                if region in v.PAIN_SITES and region not in sites[side]:
                    sites[side].append(region)
    return sites


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    f = float(value)
    return int(f) if f.is_integer() else f


def _until(as_of: dt.date | None, day: dt.date) -> bool:
    return as_of is None or day <= as_of


def _diary_order(day: DiaryDay) -> tuple[dt.date, float]:
    return day.date, day.recorded_at.timestamp() if day.recorded_at is not None else 0.0


def case_of(record: Record, as_of: dt.date | None = None) -> dict[str, Any]:
    """The record as case-format JSON (validate it with :func:`~cluneal.core.parse_case`)."""
    history: dict[str, Any] = {}
    exam: dict[str, dict[str, Any]] = {}
    questionnaires: dict[str, tuple[dt.date, Any]] = {}
    nrs: tuple[dt.date, int] | None = None
    for visit in sorted(record.visits, key=lambda x: x.date):
        if not _until(as_of, visit.date):
            continue
        for key, value in (visit.history or {}).items():
            if value is not None:
                history[key] = value
        sites = pain_sites(visit.body_map or {})
        if sites is not None:
            history["pain_sites"] = sites
        for side, nerves in (visit.exam or {}).items():
            for nerve, finding in (nerves or {}).items():
                if finding:
                    exam.setdefault(side, {})[nerve] = finding
        for name, values in (visit.questionnaires or {}).items():
            questionnaires[name] = (visit.date, values)
        if visit.current_nrs is not None:
            nrs = (visit.date, visit.current_nrs)
    for link in record.links:
        answer = link.answer
        if answer is not None and _until(as_of, answer.date):
            held = questionnaires.get(link.kind)
            if held is None or held[0] <= answer.date:
                questionnaires[link.kind] = (answer.date, answer.values)
    entries = sorted((e for link in record.links for e in link.entries), key=_diary_order)
    for entry in entries:
        if _until(as_of, entry.date) and (nrs is None or entry.date >= nrs[0]):
            nrs = (entry.date, entry.nrs)
    p = record.patient
    reference = as_of or dt.date.today()
    patient: dict[str, Any] = {"sex": p.sex}
    if p.birth_year:
        patient["age"] = max(0, min(120, reference.year - p.birth_year))
    case: dict[str, Any] = {
        "format": CASE_FORMAT,
        "id": p.record_number,
        "patient": patient,
        "history": history,
        "exam": exam,
        "blocks": [
            {
                "date": b.date.isoformat(),
                "nerve": b.nerve,
                "side": b.side,
                "nrs_before": b.nrs_before,
                "nrs_after": b.nrs_after,
                "minutes_after": b.minutes_after,
                "relief_days": _number(b.relief_days),
            }
            for b in sorted(record.blocks, key=lambda x: x.date)
            if _until(as_of, b.date)
        ],
        "treatments": [
            {
                "date": t.date.isoformat(),
                "kind": t.kind,
                "nerve": t.nerve,
                "side": t.side,
                "outcome": t.outcome or None,
            }
            for t in sorted(record.treatments, key=lambda x: x.date)
            if _until(as_of, t.date)
        ],
        "questionnaires": {name: values for name, (_, values) in questionnaires.items()},
    }
    if nrs is not None:
        case["current_nrs"] = nrs[1]
    return case
