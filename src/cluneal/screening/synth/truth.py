"""What a correct screener should say about a synthetic patient.

The expected tier comes from the knowledge pack's own screening rules (``screening.json``: the
weight of each feature, the tier thresholds, the months that make back pain chronic), applied to
the facts a record carries in its structured resources (Condition, Procedure, ServiceRequest,
Observation). The generator knows those facts because it wrote them; for the copied Synthea
patients it finds them with the same code lists and keywords (:func:`facts_of`).

* ``known``: the record already names the cluneal nerves (a condition, procedure, order or
  observation, or, for the kind that says so, only a note);
* ``none``: no back pain coded;
* otherwise the tier whose ``min_score`` the weighted features reach (``high``, ``medium``,
  ``low``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack, Matcher

TIERS = ("high", "medium", "low", "known", "none")
STRUCTURED = ("Condition", "Procedure", "ServiceRequest", "Observation")
#: ServiceRequest statuses that mean the surgery is still to come.
PENDING = ("draft", "active", "on-hold")
_KEYS = {url: key for key, url in v.CODE_SYSTEMS.items()}


@dataclass(frozen=True)
class Facts:
    """The screening facts of one record; dates are proleptic Gregorian ordinals."""

    back_pain: tuple[tuple[int, int | None], ...] = ()  # (onset, abatement or None) per Condition
    features: frozenset[str] = frozenset()
    known: bool = False

    def shifted(self, days: int) -> Facts:
        spans = tuple((o + days, None if a is None else a + days) for o, a in self.back_pain)
        return Facts(spans, self.features, self.known)


def _ordinal(value: object) -> int | None:
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10]).toordinal()
        except ValueError:
            return None
    return None


def _concept(resource: Mapping[str, Any]) -> tuple[str, set[tuple[str, str]]]:
    """The resource's code as lower-case words (text and displays) and (system, code) pairs."""
    code = resource.get("code")
    if not isinstance(code, dict):
        return "", set()
    words = [str(code.get("text", ""))]
    pairs: set[tuple[str, str]] = set()
    for coding in code.get("coding") or []:
        if isinstance(coding, dict):
            words.append(str(coding.get("display", "")))
            key = _KEYS.get(str(coding.get("system", "")))
            if key:
                pairs.add((key, str(coding.get("code", ""))))
    return " ".join(words).lower(), pairs


def _matches(m: Matcher, pack: KnowledgePack, words: str, pairs: set[tuple[str, str]]) -> bool:
    if any(k in words for k in m.keywords):
        return True
    for list_id in m.code_lists:
        codes = pack.code_lists[list_id].codes
        if any((c.system, c.code) in pairs for c in codes):
            return True
    return False


def facts_of(resources: Iterable[Mapping[str, Any]], pack: KnowledgePack) -> Facts:
    """Find the screening facts in a patient's structured resources."""
    spans: list[tuple[int, int | None]] = []
    found: set[str] = set()
    excluded: set[str] = set()
    known = False
    ehr = pack.ehr
    for r in resources:
        rtype = r.get("resourceType")
        if rtype not in STRUCTURED:
            continue
        words, pairs = _concept(r)
        known = known or _matches(ehr.evaluation, pack, words, pairs)
        if rtype == "Condition" and _matches(ehr.back_pain, pack, words, pairs):
            onset = _ordinal(r.get("onsetDateTime")) or _ordinal(r.get("recordedDate"))
            if onset is not None:
                spans.append((onset, _ordinal(r.get("abatementDateTime"))))
        for f in ehr.features:
            if _matches(f.match, pack, words, pairs):
                found.add(f.id)
            if f.excluded_by is not None and _matches(f.excluded_by, pack, words, pairs):
                excluded.add(f.id)
        for sf in pack.screening.features:
            if rtype in sf.resource_types and _matches(sf.match, pack, words, pairs):
                found.add(sf.id)
        pending = rtype == "ServiceRequest" and r.get("status") in PENDING
        if pending and any(_matches(o.match, pack, words, pairs) for o in ehr.surgery_orders):
            found.add("planned_fusion")
    return Facts(tuple(spans), frozenset(found - excluded), known)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` earlier (the last day when that month is short)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for d in range(day.day, 27, -1):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    return dt.date(year, month + 1, min(day.day, 28))


def is_chronic(facts: Facts, as_of: dt.date, months: int) -> bool:
    """Back pain coded at least ``months`` before ``as_of`` and not resolved within them."""
    cutoff = months_before(as_of, months).toordinal()
    length = as_of.toordinal() - cutoff
    return any(
        onset <= cutoff and (abated is None or abated - onset >= length)
        for onset, abated in facts.back_pain
    )


def features_at(facts: Facts, as_of: dt.date, pack: KnowledgePack) -> frozenset[str]:
    """The record's features on ``as_of``, with the built-in ``chronic_back_pain``."""
    if is_chronic(facts, as_of, pack.screening.chronic_months):
        return facts.features | {"chronic_back_pain"}
    return facts.features


def expected_tier(facts: Facts, as_of: dt.date, pack: KnowledgePack) -> str:
    if facts.known:
        return "known"
    if not facts.back_pain:
        return "none"
    present = features_at(facts, as_of, pack)
    score = sum(r.weight for r in pack.screening.rules if r.feature in present)
    for tier, minimum in pack.screening.tiers:
        if score >= minimum:
            return tier
    return "low"
