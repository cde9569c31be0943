"""The assessment (``cluneal-assessment/1``): what the engine returns, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ASSESSMENT_FORMAT = "cluneal-assessment/1"


@dataclass(frozen=True)
class Cited:
    """A statement for the clinician with its source ids; ``id`` names warnings and flags."""

    text: str
    sources: tuple[str, ...]
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id} if self.id is not None else {}
        out.update(text=self.text, sources=list(self.sources))
        return out


@dataclass(frozen=True)
class BlockSummary:
    count: int
    positive: int
    best_relief_percent: float | None
    longest_relief_days: float | None


@dataclass(frozen=True)
class NerveAssessment:
    nerve: str
    side: str
    status: str
    stage: str
    favourable_for_release: bool | None
    blocks: BlockSummary
    next_steps: tuple[Cited, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "nerve": self.nerve,
            "side": self.side,
            "status": self.status,
            "stage": self.stage,
            "favourable_for_release": self.favourable_for_release,
            "blocks": vars(self.blocks).copy(),
            "next_steps": [s.to_json() for s in self.next_steps],
        }


@dataclass(frozen=True)
class ItemResult:
    id: str
    status: str
    text: str


@dataclass(frozen=True)
class CriteriaResult:
    id: str
    nerve: str
    side: str
    status: str
    items: tuple[ItemResult, ...]
    sources: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "nerve": self.nerve,
            "side": self.side,
            "status": self.status,
            "items": [vars(i).copy() for i in self.items],
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class KnowledgeUsed:
    pack: str
    version: str
    block_definition: str
    block_positive: str
    scn_window_mm: tuple[float, float]
    mcn_window_mm: tuple[float, float]

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "version": self.version,
            "block_definition": self.block_definition,
            "block_positive": self.block_positive,
            "scn_window_mm": list(self.scn_window_mm),
            "mcn_window_mm": list(self.mcn_window_mm),
        }


@dataclass(frozen=True)
class Assessment:
    case_id: str | None
    knowledge: KnowledgeUsed
    red_flags: tuple[Cited, ...]
    nerves: tuple[NerveAssessment, ...]
    criteria: tuple[CriteriaResult, ...]
    warnings: tuple[Cited, ...]
    differentials: tuple[Cited, ...]
    scores: dict[str, dict[str, Any]]

    def nerve(self, nerve: str, side: str) -> NerveAssessment:
        return next(n for n in self.nerves if n.nerve == nerve and n.side == side)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": ASSESSMENT_FORMAT,
            "case_id": self.case_id,
            "knowledge": self.knowledge.to_json(),
            "red_flags": [f.to_json() for f in self.red_flags],
            "nerves": [n.to_json() for n in self.nerves],
            "criteria": [c.to_json() for c in self.criteria],
            "warnings": [w.to_json() for w in self.warnings],
            "differentials": [d.to_json() for d in self.differentials],
            "scores": self.scores,
        }
