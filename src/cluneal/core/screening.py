"""Scoring a patient's screening features with the pack's transparent weighted rules.

The engines (DuckDB, Spark) find which features each patient's data shows and the resources
that show them; this module turns those into a score, a tier and readable reasons, identically
for both engines. Patients already diagnosed or given a cluneal block are tier ``known``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cluneal.knowledge.model import KnowledgePack

KNOWN = "known"


@dataclass(frozen=True)
class Hit:
    """A feature shown by one resource (``quote`` is the matched text of a note, if any)."""

    feature: str
    resource_id: str
    quote: str | None = None


@dataclass(frozen=True)
class Candidate:
    patient_id: str
    score: int
    tier: str
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]

    def row(self) -> dict[str, object]:
        return {
            "patient_id": self.patient_id,
            "score": self.score,
            "tier": self.tier,
            "reasons": "; ".join(self.reasons),
            "evidence": " ".join(self.evidence),
        }


def _label(pack: KnowledgePack, feature: str) -> str:
    s = pack.screening
    return next(
        (r.reason for r in s.rules if r.feature == feature),
        feature.replace("_", " "),
    ).format(chronic_months=s.chronic_months)


def score_patient(
    patient_id: str, hits: Iterable[Hit], known: bool, pack: KnowledgePack
) -> Candidate:
    by_feature: dict[str, list[Hit]] = {}
    for hit in hits:
        by_feature.setdefault(hit.feature, []).append(hit)
    score = 0
    reasons: list[str] = []
    for rule in pack.screening.rules:  # in the pack's order, so reasons read the same everywhere
        found = by_feature.get(rule.feature)
        if not found:
            continue
        score += rule.weight
        quotes = sorted({h.quote for h in found if h.quote})
        quoted = f" (\u201c{quotes[0]}\u201d)" if quotes else ""
        sign = f"+{rule.weight}" if rule.weight >= 0 else str(rule.weight)
        reason = _label(pack, rule.feature) + quoted
        reasons.append(f"{reason} {sign} [{', '.join(rule.sources)}]")
    evidence = tuple(sorted({h.resource_id for group in by_feature.values() for h in group}))
    if known:
        return Candidate(
            patient_id,
            score,
            KNOWN,
            ("Cluneal entrapment or block already on record", *reasons),
            evidence,
        )
    tier = next(name for name, minimum in pack.screening.tiers if score >= minimum)
    return Candidate(patient_id, score, tier, tuple(reasons), evidence)


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Highest score first; ties by patient id, so every engine writes the same file."""
    return sorted(candidates, key=lambda c: (-c.score, c.patient_id))


def tier_counts(candidates: Iterable[Candidate], pack: KnowledgePack) -> Mapping[str, int]:
    counts = {name: 0 for name, _ in pack.screening.tiers} | {KNOWN: 0}
    for c in candidates:
        counts[c.tier] += 1
    return counts
