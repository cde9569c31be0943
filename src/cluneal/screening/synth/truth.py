"""What a correct screener should say about a synthetic patient.

The expected tier comes from the knowledge pack's own screening rules (``screening.json``: the
weight of each feature, the tier thresholds, the months that make back pain chronic), applied to
the facts a record carries in its structured resources (Condition, Procedure, ServiceRequest,
Observation). The generator knows those facts because it wrote them; for the copied Synthea
patients it finds them with the same code lists and keywords (:func:`facts_of`).

* ``red_flag``: the record shows a red flag that still counts on the screening date (a Condition
  by the pack's ``red_flag_rules``, or, for the kinds that say so, a note), whatever else it
  shows;
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
from functools import partial
from typing import Any

from cluneal.core.dates import day_of, months_before
from cluneal.core.red_flags import earliest_counted
from cluneal.interop import fhir_case, fhir_codes
from cluneal.knowledge.model import KnowledgePack, Matcher

TIERS = ("high", "medium", "low", "known", "red_flag", "none")
STRUCTURED = ("Condition", "Procedure", "ServiceRequest", "Observation")
#: ServiceRequest statuses that mean the surgery is still to come.
PENDING = ("draft", "active", "on-hold")


@dataclass(frozen=True)
class Facts:
    """The screening facts of one record; dates are proleptic Gregorian ordinals."""

    back_pain: tuple[tuple[int, int | None], ...] = ()  # (onset, abatement or None) per Condition
    features: frozenset[str] = frozenset()
    known: bool = False
    #: (red flag, day recorded or None, day abated or None) per Condition or note showing one.
    red_flags: tuple[tuple[str, int | None, int | None], ...] = ()

    def shifted(self, days: int) -> Facts:
        def move(day: int | None) -> int | None:
            return None if day is None else day + days

        spans = tuple((o + days, move(a)) for o, a in self.back_pain)
        flags = tuple((f, move(r), move(a)) for f, r, a in self.red_flags)
        return Facts(spans, self.features, self.known, flags)

    def merged(self, other: Facts, known_in_note: bool = False) -> Facts:
        return Facts(
            self.back_pain + other.back_pain,
            self.features | other.features,
            self.known or other.known or known_in_note,
            self.red_flags + other.red_flags,
        )


def _ordinal(value: object) -> int | None:
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10]).toordinal()
        except ValueError:
            return None
    return None


def facts_of(resources: Iterable[Mapping[str, Any]], pack: KnowledgePack) -> Facts:
    """Find the screening facts in a patient's structured resources."""
    spans: list[tuple[int, int | None]] = []
    flags: list[tuple[str, int | None, int | None]] = []
    found: set[str] = set()
    excluded: set[str] = set()
    known = False
    ehr, index = pack.ehr, fhir_codes.CodeIndex.of(pack)
    for r in resources:
        rtype = r.get("resourceType")
        if rtype not in STRUCTURED:
            continue
        facts = fhir_codes.facts_of(r)
        matches = partial(_shows, index, facts)
        known = known or matches(ehr.evaluation)
        if rtype == "Condition" and (flag := _red_flag(r, facts, pack)):
            flags.append(flag)
        if rtype == "Condition" and matches(ehr.back_pain):
            onset = _ordinal(r.get("onsetDateTime")) or _ordinal(r.get("recordedDate"))
            if onset is not None:
                spans.append((onset, _ordinal(r.get("abatementDateTime"))))
        for f in ehr.features:
            if matches(f.match):
                found.add(f.id)
            if f.excluded_by is not None and matches(f.excluded_by):
                excluded.add(f.id)
        for sf in pack.screening.features:
            if rtype in sf.resource_types and matches(sf.match):
                found.add(sf.id)
        pending = rtype == "ServiceRequest" and r.get("status") in PENDING
        if pending and any(matches(o.match) for o in ehr.surgery_orders):
            found.add("planned_fusion")
    return Facts(tuple(spans), frozenset(found - excluded), known, tuple(flags))


def _shows(index: fhir_codes.CodeIndex, facts: fhir_codes.Facts, m: Matcher) -> bool:
    return index.matches(m, facts) is not None


def _red_flag(
    r: Mapping[str, Any], facts: fhir_codes.Facts, pack: KnowledgePack
) -> tuple[str, int | None, int | None] | None:
    """A Condition's red flag, with the days it was recorded and abated, or None."""
    found = fhir_case.red_flag_match(r, facts, pack)
    if found is None:
        return None
    recorded, abated = fhir_case.recorded_day(r), day_of(r.get("abatementDateTime"))
    return (
        found[0].flag,
        None if recorded is None else recorded.toordinal(),
        None if abated is None else abated.toordinal(),
    )


def red_flag_counts(facts: Facts, as_of: dt.date, pack: KnowledgePack) -> bool:
    """Whether a red flag of the record still counts on ``as_of``."""
    day = as_of.toordinal()
    for flag, recorded, abated in facts.red_flags:
        if abated is not None and abated <= day:
            continue
        first = earliest_counted(pack.red_flags[flag], as_of)
        if recorded is None or first is None or recorded >= first.toordinal():
            return True
    return False


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
    if facts.back_pain and red_flag_counts(facts, as_of, pack):
        return "red_flag"
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
