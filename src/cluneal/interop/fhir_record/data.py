"""The record as plain data: what :func:`~.writer.to_bundle` writes and
:func:`~.reader.from_bundle` gives back, field for field the database's patient, visits, blocks,
treatments and patient links (kept free of Django so the exchange stays a pure layer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cluneal.core.assessment import Assessment


@dataclass(frozen=True)
class PatientData:
    id: str
    site_id: str
    record_number: str
    birth_year: int | None = None
    sex: str = "unknown"
    name: str = ""
    contact: str = ""


@dataclass(frozen=True)
class VisitData:
    id: str
    date: dt.date
    history: dict[str, Any] = field(default_factory=dict)
    body_map: dict[str, Any] = field(default_factory=dict)
    exam: dict[str, Any] = field(default_factory=dict)
    questionnaires: dict[str, Any] = field(default_factory=dict)
    current_nrs: int | None = None
    notes: str = ""


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class DiaryDay:
    date: dt.date
    nrs: int


@dataclass(frozen=True)
class AnswerData:
    """A questionnaire filled in through a link: item values in the case format."""

    values: list[Any]
    date: dt.date


@dataclass(frozen=True)
class LinkData:
    """A patient link that holds something: its diary entries or its questionnaire answer.

    ``kind`` is ``diary`` or the instrument answered; ``block_id`` is the link's block."""

    id: str
    kind: str
    block_id: str | None = None
    entries: tuple[DiaryDay, ...] = ()
    answer: AnswerData | None = None


@dataclass(frozen=True)
class Record:
    patient: PatientData
    visits: tuple[VisitData, ...] = ()
    blocks: tuple[BlockData, ...] = ()
    treatments: tuple[TreatmentData, ...] = ()
    links: tuple[LinkData, ...] = ()


#: Positive blocks on one nerve and side before an exported entrapment Condition says
#: ``confirmed``: the positive-block threshold is disputed (clinical-evidence.md section 1), so
#: one block alone makes it ``provisional`` (Cluneal policy).
CONFIRMED_MIN_POSITIVE_BLOCKS = 2


@dataclass(frozen=True)
class NerveStatus:
    """The engine's status of one nerve on one side (derived; exported as a Condition)."""

    nerve: str
    side: str
    status: str
    positive_blocks: int = 0
    red_flag: bool = False

    @classmethod
    def of(cls, assessment: Assessment) -> list[NerveStatus]:
        flagged = bool(assessment.red_flags)
        return [
            cls(n.nerve, n.side, n.status, n.blocks.positive, flagged) for n in assessment.nerves
        ]

    @property
    def verification(self) -> str:
        """The Condition's FHIR verification status: ``differential`` while a red flag stands
        (its work-up comes first), ``confirmed`` only after enough positive blocks, else
        ``provisional``."""
        if self.red_flag:
            return "differential"
        if self.status == "confirmed" and self.positive_blocks >= CONFIRMED_MIN_POSITIVE_BLOCKS:
            return "confirmed"
        return "provisional"
