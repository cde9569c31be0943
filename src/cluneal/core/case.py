"""The case (``cluneal-case/1``): typed values, strict parsing and serialisation.

``None`` always means "not known / not examined", never ``False`` or an empty list. Each field's
annotation is its JSON form (:mod:`cluneal.knowledge.jsonformat`): the reader, the writer and the
JSON Schema of ``cluneal.interop.jsonschema`` all come from these classes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.jsonformat import Format, Record
from cluneal.knowledge.jsonspec import (
    Boolean,
    Date,
    Integer,
    Keyed,
    ListOf,
    Nullable,
    Number,
    OneOf,
    Text,
)

CASE_FORMAT = "cluneal-case/1"
RMDQ_ITEMS = 24

NRS = Integer(0, 10)
NERVE = OneOf(v.NERVES)
SIDE = OneOf(v.SIDES)
AT_LEAST_0 = Number(0)
PROCEDURES = ListOf(OneOf(v.PROCEDURES))


@dataclass(frozen=True)
class Patient:
    age: Annotated[int | None, Integer(0, 120)] = None
    sex: Annotated[str | None, OneOf(v.SEXES)] = None


@dataclass(frozen=True)
class History:
    duration_months: Annotated[float | None, AT_LEAST_0] = None
    #: ``None`` when not recorded; otherwise both sides, a missing side meaning no pain there.
    pain_sites: Annotated[
        Mapping[str, tuple[str, ...]] | None,
        Keyed(v.SIDES, ListOf(OneOf(v.PAIN_SITES)), absent=()),
    ] = None
    aggravated_by: Annotated[tuple[str, ...] | None, ListOf(OneOf(v.AGGRAVATING))] = None
    leg_numbness_or_tingling: Annotated[bool | None, Boolean()] = None
    prior_procedures: Annotated[tuple[str, ...] | None, PROCEDURES] = None
    planned_procedures: Annotated[tuple[str, ...] | None, PROCEDURES] = None
    conditions: Annotated[tuple[str, ...] | None, ListOf(OneOf(v.CONDITIONS))] = None
    red_flags: Annotated[tuple[str, ...] | None, ListOf(OneOf(v.RED_FLAGS))] = None


@dataclass(frozen=True)
class Finding:
    """A tender-point finding for one nerve on one side."""

    tender: Annotated[bool | None, Boolean()] = None
    distance_mm: Annotated[float | None, AT_LEAST_0] = None
    reproduces_complaint: Annotated[bool | None, Boolean()] = None
    radiation_on_pressure: Annotated[bool | None, Boolean()] = None


@dataclass(frozen=True)
class Block:
    date: Annotated[dt.date, Date()]
    nerve: Annotated[str, NERVE]
    side: Annotated[str, SIDE]
    nrs_before: Annotated[int, NRS]
    nrs_after: Annotated[int, NRS]
    minutes_after: Annotated[float | None, AT_LEAST_0] = None
    relief_days: Annotated[float | None, AT_LEAST_0] = None

    @property
    def relief_percent(self) -> float | None:
        """``(before - after) / before * 100``; ``None`` when there was no pain before."""
        if self.nrs_before <= 0:
            return None
        return (self.nrs_before - self.nrs_after) / self.nrs_before * 100


@dataclass(frozen=True)
class Treatment:
    date: Annotated[dt.date, Date()]
    kind: Annotated[str, OneOf(v.TREATMENT_KINDS)]
    nerve: Annotated[str, NERVE]
    side: Annotated[str, SIDE]
    outcome: Annotated[str | None, OneOf(v.OUTCOMES)] = None


@dataclass(frozen=True)
class Questionnaires:
    #: Items 1-8 are 0 (disagree) or 1 (agree); item 9 is 1 to 5.
    startback: Annotated[
        tuple[int, ...] | None,
        ListOf(
            Integer(0, 1),
            min_len=9,
            max_len=9,
            prefix=(Integer(0, 1),) * 8 + (Integer(1, 5),),
            null_item="must be answered (0 or 1; item 9: 1 to 5)",
        ),
    ] = None
    #: ``None`` for a section not answered.
    odi: Annotated[
        tuple[int | None, ...] | None, ListOf(Nullable(Integer(0, 5)), min_len=10, max_len=10)
    ] = None
    #: ``None`` (or a missing item) for an item not ticked.
    rmdq: Annotated[
        tuple[bool | None, ...] | None, ListOf(Nullable(Boolean()), max_len=RMDQ_ITEMS)
    ] = None


@dataclass(frozen=True)
class Case:
    id: Annotated[str | None, Text()] = None
    patient: Annotated[Patient, Record(Patient)] = field(default_factory=Patient)
    history: Annotated[History, Record(History)] = field(default_factory=History)
    #: ``exam[side][nerve]``; a missing entry means not examined.
    exam: Annotated[
        Mapping[str, Mapping[str, Finding]], Keyed(v.SIDES, Keyed(v.NERVES, Record(Finding)))
    ] = field(default_factory=dict)
    blocks: Annotated[tuple[Block, ...], ListOf(Record(Block))] = ()
    treatments: Annotated[tuple[Treatment, ...], ListOf(Record(Treatment))] = ()
    current_nrs: Annotated[int | None, NRS] = None
    questionnaires: Annotated[Questionnaires, Record(Questionnaires)] = field(
        default_factory=Questionnaires
    )

    def finding(self, nerve: str, side: str) -> Finding | None:
        return self.exam.get(side, {}).get(nerve)

    def blocks_on(self, nerve: str, side: str) -> list[Block]:
        return [b for b in self.blocks if b.nerve == nerve and b.side == side]

    def pain_on(self, side: str) -> tuple[str, ...] | None:
        sites = self.history.pain_sites
        return None if sites is None else sites.get(side, ())

    def to_json(self) -> dict[str, Any]:
        return case_to_json(self)


CASE = Format(CASE_FORMAT, Case, what="case")


def parse_case(data: Any) -> Case:
    """Read a case, or raise :class:`Invalid` listing every problem by its JSON path."""
    return CASE.parse(data)


def case_to_json(case: Case) -> dict[str, Any]:
    """The case as ``cluneal-case/1`` JSON; ``parse_case(case_to_json(c)) == c``."""
    return CASE.dump(case)
