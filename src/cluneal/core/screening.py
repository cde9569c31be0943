"""Scoring a patient's screening features with the pack's transparent weighted rules.

The engines (DuckDB, Spark) find which features each patient's data shows and the resources
that show them; this module turns those into a score, a tier and readable reasons, identically
for both engines. Patients already diagnosed or given a cluneal block are tier ``known``.

Red flags first (policy P1): a patient whose record shows a red flag that still counts (a coded
Condition by the pack's ``red_flag_rules``, or a current red-flag finding in a note) is tier
``red_flag`` whatever the score, with reasons that name the red flag and what shows it and no
cluneal reason at all; the score is 0, and such patients are listed after the candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cluneal.core.red_flags import window
from cluneal.knowledge.model import KnowledgePack

KNOWN = "known"
RED_FLAG_TIER = "red_flag"
#: Every tier a screened patient can have, in the order they are listed.
TIERS = ("high", "medium", "low", KNOWN, RED_FLAG_TIER)
#: The feature of a red flag shown by a coded resource (the rest is the rule's id), and of one
#: read in a note (the rest is the red flag's id).
RED_FLAG = "red_flag:"
RED_FLAG_NOTE = "red_flag_note:"


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


def is_red_flag(feature: str) -> bool:
    return feature.startswith((RED_FLAG, RED_FLAG_NOTE))


def red_flag_reasons(pack: KnowledgePack, hits: Iterable[Hit]) -> list[str]:
    """One reason per resource or note that shows a red flag (the first rule that matches it,
    in the pack's order), naming the red flag, what shows it and how long it counts."""
    rules = {r.id: i for i, r in enumerate(pack.red_flag_rules.rules)}
    first: dict[str, tuple[int, Hit]] = {}
    for hit in hits:
        if hit.feature.startswith(RED_FLAG):
            rank = rules.get(hit.feature.removeprefix(RED_FLAG), len(rules))
        elif hit.feature.startswith(RED_FLAG_NOTE):
            rank = len(rules)
        else:
            continue
        held = first.get(hit.resource_id)
        if held is None or (rank, hit.feature) < (held[0], held[1].feature):
            first[hit.resource_id] = (rank, hit)
    reasons = []
    for resource, (_, hit) in sorted(first.items()):
        if hit.feature.startswith(RED_FLAG):
            rule = next(
                r for r in pack.red_flag_rules.rules if r.id == hit.feature[len(RED_FLAG) :]
            )
            flag, label, sources = pack.red_flags[rule.flag], rule.label, rule.sources
        else:
            flag = pack.red_flags[hit.feature.removeprefix(RED_FLAG_NOTE)]
            label, sources = flag.title, flag.sources
        quoted = f" \u201c{hit.quote}\u201d" if hit.quote else ""
        reasons.append(
            f"Red flag: {label}, shown by {resource}{quoted} ({window(flag)}): {flag.text} "
            f"[{', '.join(dict.fromkeys((*sources, *flag.sources)))}]"
        )
    return reasons


def score_patient(
    patient_id: str, hits: Iterable[Hit], known: bool, pack: KnowledgePack
) -> Candidate:
    hits = list(hits)
    flagged = [h for h in hits if is_red_flag(h.feature)]
    if flagged:
        evidence = tuple(sorted({h.resource_id for h in flagged}))
        return Candidate(
            patient_id, 0, RED_FLAG_TIER, tuple(red_flag_reasons(pack, flagged)), evidence
        )
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
    """Highest score first, red flags after every candidate; ties by patient id, so every
    engine writes the same file."""
    return sorted(candidates, key=lambda c: (c.tier == RED_FLAG_TIER, -c.score, c.patient_id))


def tier_counts(candidates: Iterable[Candidate], pack: KnowledgePack) -> Mapping[str, int]:
    counts = {name: 0 for name, _ in pack.screening.tiers} | {KNOWN: 0, RED_FLAG_TIER: 0}
    for c in candidates:
        counts[c.tier] += 1
    return counts
