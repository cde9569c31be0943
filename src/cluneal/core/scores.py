"""Questionnaire scoring (clinical-evidence section 7), parameters from the knowledge pack."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from cluneal.core.assessment import Cited
from cluneal.core.case import Questionnaires
from cluneal.core.numbers import one_decimal
from cluneal.knowledge.model import KnowledgePack

PSYCHOSOCIAL_ITEMS = slice(4, 9)  # items 5-9 [S97]
BOTHERSOMENESS = 8  # item 9, answered 1-5 [S100]


def startback(answers: tuple[int, ...], pack: KnowledgePack) -> dict[str, Any]:
    p = pack.instruments["startback"].parameters
    counts_from = p.get("item9_counts_from", 4)
    points = [
        (1 if a >= counts_from else 0) if i == BOTHERSOMENESS else a for i, a in enumerate(answers)
    ]
    total, psychosocial = sum(points), sum(points[PSYCHOSOCIAL_ITEMS])
    if total <= p.get("low_max_total", 3):
        risk = "low"
    elif psychosocial >= p.get("high_min_psychosocial", 4):
        risk = "high"
    else:
        risk = "medium"
    return {"total": total, "psychosocial": psychosocial, "risk": risk}


def odi(sections: tuple[int | None, ...]) -> dict[str, Any]:
    answered = [s for s in sections if s is not None]
    if not answered:
        return {"percent": None, "answered": 0}
    percent = Fraction(sum(answered), 5 * len(answered)) * 100
    return {"percent": one_decimal(percent), "answered": len(answered)}


def odi_caution(score: Mapping[str, Any], pack: KnowledgePack) -> Cited | None:
    """A caution to show beside an ODI score with few sections answered, or None.

    Fairbank [S103]: "In theory, only a single response in a single section is required to give
    an ODI score. In practice ... rarely ... fewer than eight sections." A minimum number of
    sections for a valid score is UNCONFIRMED (clinical-evidence 7.2), so this is a caution, never
    a verdict, and it is not part of the assessment JSON (whose ``odi`` holds ``percent`` and
    ``answered`` only): pages and the text summary show it. The pack's ODI parameter
    ``caution_below_sections`` sets the number; without it there is no caution.
    """
    instrument = pack.instruments.get("odi")
    below = instrument.parameters.get("caution_below_sections") if instrument else None
    answered = score.get("answered") or 0
    if instrument is None or below is None or score.get("percent") is None or answered >= below:
        return None
    return Cited(
        f"Only {answered} of {instrument.items} sections answered (fewer than {below:g}): "
        "interpret with caution. Fairbank: in theory a single answered section gives an ODI "
        "score; in practice, rarely fewer than eight sections. No minimum number of sections "
        "for a valid score is established.",
        ("S103",),
        "odi_few_sections",
    )


def rmdq(items: tuple[bool | None, ...]) -> dict[str, Any]:
    return {"score": sum(1 for ticked in items if ticked is True)}


def score_all(q: Questionnaires, pack: KnowledgePack) -> dict[str, dict[str, Any]]:
    """Scores of the questionnaires given, and only those."""
    out: dict[str, dict[str, Any]] = {}
    if q.startback is not None:
        out["startback"] = startback(q.startback, pack)
    if q.odi is not None:
        out["odi"] = odi(q.odi)
    if q.rmdq is not None:
        out["rmdq"] = rmdq(q.rmdq)
    return out
