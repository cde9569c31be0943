"""The assessment (``cluneal-assessment/1``): what the engine returns, and its JSON form.

Each field's annotation is its JSON form (:mod:`cluneal.knowledge.jsonformat`): ``to_json`` and
the JSON Schema of ``cluneal.interop.jsonschema`` both come from these classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.jsonformat import Format, Record, record_of
from cluneal.knowledge.jsonspec import (
    AnyObject,
    Boolean,
    Integer,
    ListOf,
    Nullable,
    Number,
    OneOf,
    Text,
)

ASSESSMENT_FORMAT = "cluneal-assessment/1"

NERVE = OneOf(v.NERVES)
SIDE = OneOf(v.SIDES)
SOURCES = ListOf(Text())


@dataclass(frozen=True)
class Cited:
    """A statement for the clinician with its source ids; ``id`` names warnings and flags."""

    text: Annotated[str, Text()]
    sources: Annotated[tuple[str, ...], ListOf(Text(), min_len=1)]
    id: Annotated[str | None, Text()] = None

    def to_json(self) -> dict[str, Any]:
        return NAMED.dump(self)


#: Red flags, warnings and differentials, named by their id (written first).
NAMED = Record(Cited, fields=("id", "text", "sources"), required=("id",))
#: Next steps, which have no id.
STEP = Record(Cited, fields=("text", "sources"))


@dataclass(frozen=True)
class BlockSummary:
    count: Annotated[int, Integer(0)]
    positive: Annotated[int, Integer(0)]
    best_relief_percent: Annotated[float | None, Nullable(Number())]
    longest_relief_days: Annotated[float | None, Nullable(Number())]


@dataclass(frozen=True)
class NerveAssessment:
    nerve: Annotated[str, NERVE]
    side: Annotated[str, SIDE]
    status: Annotated[str, OneOf(v.STATUSES)]
    stage: Annotated[str, OneOf(v.STAGES)]
    favourable_for_release: Annotated[bool | None, Nullable(Boolean())]
    blocks: Annotated[BlockSummary, Record(BlockSummary)]
    next_steps: Annotated[tuple[Cited, ...], ListOf(STEP)]

    def to_json(self) -> dict[str, Any]:
        return record_of(NerveAssessment).dump(self)


@dataclass(frozen=True)
class ItemResult:
    id: Annotated[str, Text()]
    status: Annotated[str, OneOf(v.ITEM_STATUSES)]
    text: Annotated[str, Text()]


@dataclass(frozen=True)
class CriteriaResult:
    id: Annotated[str, Text()]
    nerve: Annotated[str, NERVE]
    side: Annotated[str, SIDE]
    status: Annotated[str, OneOf(v.SET_STATUSES)]
    items: Annotated[tuple[ItemResult, ...], ListOf(Record(ItemResult))]
    sources: Annotated[tuple[str, ...], ListOf(Text())]

    def to_json(self) -> dict[str, Any]:
        return record_of(CriteriaResult).dump(self)


@dataclass(frozen=True)
class KnowledgeUsed:
    pack: Annotated[str, Text()]
    version: Annotated[str, Text()]
    block_definition: Annotated[str, Text()]
    block_positive: Annotated[str, Text()]
    scn_window_mm: Annotated[tuple[float, float], ListOf(Number(), min_len=2, max_len=2)]
    mcn_window_mm: Annotated[tuple[float, float], ListOf(Number(), min_len=2, max_len=2)]

    def to_json(self) -> dict[str, Any]:
        return record_of(KnowledgeUsed).dump(self)


@dataclass(frozen=True)
class Assessment:
    case_id: Annotated[str | None, Nullable(Text())]
    # Always written; optional in the schema since the first version of the format.
    knowledge: Annotated[KnowledgeUsed, Record(KnowledgeUsed, optional=("block_definition",))]
    red_flags: Annotated[tuple[Cited, ...], ListOf(NAMED)]
    #: scn and mcn, left and right.
    nerves: Annotated[
        tuple[NerveAssessment, ...], ListOf(Record(NerveAssessment), min_len=4, max_len=4)
    ]
    criteria: Annotated[tuple[CriteriaResult, ...], ListOf(Record(CriteriaResult))]
    warnings: Annotated[tuple[Cited, ...], ListOf(NAMED)]
    differentials: Annotated[tuple[Cited, ...], ListOf(NAMED)]
    #: Only the questionnaires given (``cluneal.core.scores``).
    scores: Annotated[dict[str, dict[str, Any]], AnyObject()]

    def nerve(self, nerve: str, side: str) -> NerveAssessment:
        return next(n for n in self.nerves if n.nerve == nerve and n.side == side)

    def to_json(self) -> dict[str, Any]:
        return ASSESSMENT.dump(self)


ASSESSMENT = Format(ASSESSMENT_FORMAT, Assessment, what="assessment")
