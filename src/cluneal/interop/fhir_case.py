"""What an EHR's FHIR R4 data says about cluneal entrapment, and the case it makes.

The pack's ``ehr`` rules recognise back pain, the features of entrapment (buttock or iliac-crest
pain, sacroiliac diagnoses, a previous lumbar fusion or iliac-crest graft, leg symptoms without a
radiculopathy diagnosis), a cluneal evaluation already on record, and planned spine or
sacroiliac surgery, by code list and by words in the codings' text; its ``red_flag_rules``
recognise red flags in Conditions (cauda equina syndrome, spinal infection, malignancy, fracture,
cord compression) that are still present and recent enough to count. The findings become a
``cluneal-case/1`` case for the engine, which makes the decisions; nothing here decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cluneal.core.dates import day_of
from cluneal.core.red_flags import note_flag, still_counts
from cluneal.interop.fhir_codes import CodeIndex, Facts
from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack, RedFlagRule

#: Statuses meaning the resource does not say what it seems to.
VOID = {"entered-in-error", "refuted", "not-done", "revoked"}
#: Order priorities (FHIR request-priority) that mean the surgery cannot wait for a cluneal
#: work-up: such an order is never interrupted by a card (policy P1).
URGENT = ("urgent", "asap", "stat")
FEATURE_TYPES = ("Condition", "Procedure", "Observation", "ServiceRequest")
NOTE_TYPE = "DocumentReference"
#: Characters of a note's words a card quotes.
QUOTE_CHARS = 80
#: Note features that are not EHR features: back pain, a cluneal evaluation on record.
NOTE_BACK_PAIN, NOTE_KNOWN = "back_pain", "known"


@dataclass(frozen=True)
class Evidence:
    """One resource that supports a finding: its reference and the words that matched; for a
    note, also the day it was written."""

    reference: str
    text: str
    written: dt.date | None = None

    def to_json(self) -> dict[str, str]:
        return {"reference": self.reference, "text": self.text}

    def cited(self) -> str:
        """The evidence as a card shows it: a resource's words and reference, or a note's words
        quoted with its date."""
        if not self.reference.startswith(NOTE_TYPE + "/"):
            return f"{self.text} ({self.reference})"
        text = self.text if len(self.text) <= QUOTE_CHARS else self.text[: QUOTE_CHARS - 1] + "…"
        day = "undated" if self.written is None else f"of {self.written.isoformat()}"
        return f"“{text}” (note {day}, {self.reference})"


@dataclass(frozen=True)
class NoteEvidence:
    """A finding of a note that counts for a feature by the pack's ``screening.notes`` rules,
    as the notes reader (outside this package) hands it over: the feature (an EHR feature id,
    ``back_pain``, ``known`` for a cluneal evaluation, the red-flag rule's feature, or another
    screening feature), the note's reference, the words found and the day it was written."""

    feature: str
    reference: str
    text: str
    written: dt.date | None


@dataclass(frozen=True)
class RedFlagEvidence:
    """A red flag on record: which one, what shows it, and when it was recorded."""

    flag: str
    label: str
    reference: str
    text: str
    recorded: dt.date | None

    def to_json(self) -> dict[str, str | None]:
        return {
            "flag": self.flag,
            "label": self.label,
            "reference": self.reference,
            "text": self.text,
            "recorded": None if self.recorded is None else self.recorded.isoformat(),
        }


@dataclass
class EhrFindings:
    red_flags: list[RedFlagEvidence] = field(default_factory=list)
    back_pain: list[Evidence] = field(default_factory=list)
    features: dict[str, list[Evidence]] = field(default_factory=dict)
    evaluated: list[Evidence] = field(default_factory=list)
    orders: dict[str, list[Evidence]] = field(default_factory=dict)
    #: Surgery orders left alone because their priority is urgent, asap or stat.
    urgent_orders: list[Evidence] = field(default_factory=list)
    case: dict[str, Any] = field(default_factory=dict)

    def evidence(self) -> list[Evidence]:
        """Every resource any finding rests on, once each, in the order found."""
        seen: dict[str, Evidence] = {}
        for group in [self.back_pain, *self.features.values(), *self.orders.values()]:
            for e in group:
                seen.setdefault(e.reference, e)
        return list(seen.values())


def _status(resource: Mapping[str, Any]) -> set[str]:
    found = set()
    for key in ("status", "verificationStatus", "clinicalStatus"):
        value = resource.get(key)
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, Mapping):
            for coding in value.get("coding") or []:
                if isinstance(coding, Mapping) and isinstance(coding.get("code"), str):
                    found.add(coding["code"])
    return found


def _clinical(resource: Mapping[str, Any]) -> set[str]:
    value = resource.get("clinicalStatus")
    codings = value.get("coding") if isinstance(value, Mapping) else None
    found = (c.get("code") for c in codings or [] if isinstance(c, Mapping))
    return {code for code in found if isinstance(code, str)}


def recorded_day(resource: Mapping[str, Any]) -> dt.date | None:
    """When a Condition was last said to be present: the later of its onset and recorded days."""
    days = [day_of(resource.get(key)) for key in ("onsetDateTime", "recordedDate")]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def red_flag_match(
    resource: Mapping[str, Any], facts: Facts, pack: KnowledgePack
) -> tuple[RedFlagRule, str] | None:
    """The first red-flag rule a Condition's codes or words match, and the words that matched;
    None when there is none or its clinical status is one of the pack's ``ignored_statuses``."""
    found = CodeIndex.of(pack).verdict(facts).red_flag
    if found is None or _clinical(resource) & set(pack.red_flag_rules.ignored_statuses):
        return None
    return found


def red_flag_of(
    resource: Mapping[str, Any], facts: Facts, pack: KnowledgePack, today: dt.date
) -> RedFlagEvidence | None:
    """The red flag a Condition shows on ``today``, if it still counts: not resolved or inactive
    (the pack's ``ignored_statuses``), not abated, and recorded within its red flag's window."""
    found = red_flag_match(resource, facts, pack)
    return None if found is None else _counting(resource, found, pack, today)


def _counting(
    resource: Mapping[str, Any], found: tuple[RedFlagRule, str], pack: KnowledgePack, today: dt.date
) -> RedFlagEvidence | None:
    rule, text = found
    abated = day_of(resource.get("abatementDateTime"))
    recorded = recorded_day(resource)
    if abated is not None and abated <= today:
        return None
    if not still_counts(pack.red_flags[rule.flag], recorded, today):
        return None
    return RedFlagEvidence(rule.flag, rule.label, _ref(resource), text, recorded)


def _ref(resource: Mapping[str, Any]) -> str:
    return f"{resource.get('resourceType', '?')}/{resource.get('id', '?')}"


def _age(patient: Mapping[str, Any] | None, today: dt.date) -> int | None:
    birth = str((patient or {}).get("birthDate", ""))[:4]
    if not birth.isdigit():
        return None
    age = today.year - int(birth)
    return age if 0 <= age <= 120 else None


def read_fhir(
    resources: Iterable[Mapping[str, Any]],
    pack: KnowledgePack,
    *,
    patient: Mapping[str, Any] | None = None,
    draft_orders: Iterable[Mapping[str, Any]] = (),
    today: dt.date | None = None,
    notes: Iterable[NoteEvidence] = (),
) -> EhrFindings:
    """Findings from a patient's resources and notes (and, at order signing, the draft
    orders)."""
    rules, index = pack.ehr, CodeIndex.of(pack)
    today = today or dt.date.today()
    findings = EhrFindings()
    excluded: set[str] = set()
    conditions: list[str] = []
    prior: list[str] = []
    ignored = set(pack.red_flag_rules.ignored_statuses)
    for resource in resources:
        kind = resource.get("resourceType")
        if kind not in FEATURE_TYPES:
            continue
        verdict = index.verdict_of(resource)
        if not verdict.anything or _status(resource) & VOID:
            continue
        if (
            kind == "Condition"
            and verdict.red_flag is not None
            and not _clinical(resource) & ignored
            and (flag := _counting(resource, verdict.red_flag, pack, today))
        ):
            findings.red_flags.append(flag)
        if verdict.evaluation is not None:
            findings.evaluated.append(Evidence(_ref(resource), verdict.evaluation))
        if kind == "Condition" and verdict.back_pain:
            findings.back_pain.append(Evidence(_ref(resource), verdict.back_pain))
        for feature, text, excludes in zip(
            rules.features, verdict.features, verdict.excluded, strict=True
        ):
            if excludes:
                excluded.add(feature.id)
            if text is None or (kind == "ServiceRequest" and feature.adds_prior_procedure):
                continue  # an order is not a procedure done
            findings.features.setdefault(feature.id, []).append(Evidence(_ref(resource), text))
            if feature.adds_condition and feature.adds_condition not in conditions:
                conditions.append(feature.adds_condition)
            if feature.adds_prior_procedure and feature.adds_prior_procedure not in prior:
                prior.append(feature.adds_prior_procedure)
    _add_notes(findings, notes, pack, today, excluded, conditions, prior)
    for feature_id in excluded:
        findings.features.pop(feature_id, None)
    for order in draft_orders:
        if _status(order) & VOID:
            continue
        for surgery in rules.surgery_orders:
            if (text := index.matches(surgery.match, order)) is None:
                continue
            if order.get("priority") in URGENT:
                findings.urgent_orders.append(Evidence(_ref(order), text))
            else:
                findings.orders.setdefault(surgery.procedure, []).append(
                    Evidence(_ref(order), text)
                )
    findings.case = _case(findings, pack, patient, conditions, prior, today)
    return findings


def _add_notes(
    findings: EhrFindings,
    notes: Iterable[NoteEvidence],
    pack: KnowledgePack,
    today: dt.date,
    excluded: set[str],
    conditions: list[str],
    prior: list[str],
) -> None:
    """What the notes add: a red flag that still counts by the note's date, a cluneal
    evaluation, back pain, features (with the conditions and procedures they add to the case),
    and features excluded by another note finding's words (a radiculopathy)."""
    index, features = CodeIndex.of(pack), {f.id: f for f in pack.ehr.features}
    red_flag_feature = next(
        (r.feature for r in pack.screening.notes if r.concept == pack.red_flag_rules.note_concept),
        None,
    )
    for note in notes:
        evidence = Evidence(note.reference, note.text, note.written)
        if note.feature == red_flag_feature:
            flag = pack.red_flags[note_flag(pack, note.text)]
            if still_counts(flag, note.written, today):
                findings.red_flags.append(
                    RedFlagEvidence(flag.id, flag.title, note.reference, note.text, note.written)
                )
        elif note.feature == NOTE_KNOWN:
            findings.evaluated.append(evidence)
        elif note.feature == NOTE_BACK_PAIN:
            findings.back_pain.append(evidence)
        elif (feature := features.get(note.feature)) is not None:
            findings.features.setdefault(feature.id, []).append(evidence)
            if feature.adds_condition and feature.adds_condition not in conditions:
                conditions.append(feature.adds_condition)
            if feature.adds_prior_procedure and feature.adds_prior_procedure not in prior:
                prior.append(feature.adds_prior_procedure)
        else:
            facts = Facts((), {}, note.text, note.text.lower())
            for f in pack.ehr.features:
                if f.excluded_by is not None and index.matches(f.excluded_by, facts):
                    excluded.add(f.id)


def _case(
    findings: EhrFindings,
    pack: KnowledgePack,
    patient: Mapping[str, Any] | None,
    conditions: list[str],
    prior: list[str],
    today: dt.date,
) -> dict[str, Any]:
    """The case the EHR data supports. What the EHR cannot show stays absent (not known)."""
    history: dict[str, Any] = {}
    flags = {f.flag for f in findings.red_flags}
    if flags:
        history["red_flags"] = [f for f in pack.red_flags if f in flags]
    if conditions:
        history["conditions"] = conditions
    if prior:
        history["prior_procedures"] = prior
    if findings.orders:
        history["planned_procedures"] = list(findings.orders)
    person: dict[str, Any] = {}
    if (age := _age(patient, today)) is not None:
        person["age"] = age
    gender = (patient or {}).get("gender")
    if gender in v.SEXES:
        person["sex"] = gender
    case: dict[str, Any] = {"format": "cluneal-case/1"}
    if patient and isinstance(patient.get("id"), str):
        case["id"] = patient["id"]
    if person:
        case["patient"] = person
    if history:
        case["history"] = history
    return case
