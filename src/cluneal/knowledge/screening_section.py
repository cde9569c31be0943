"""Strict reader of the pack's ``screening`` section."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cluneal.knowledge.ehr_section import matcher
from cluneal.knowledge.lexicon import Lexicon
from cluneal.knowledge.model import (
    CodeList,
    EhrRules,
    NoteRule,
    Screening,
    ScreeningFeature,
    ScreeningRule,
    Setting,
)
from cluneal.validation import Node

if TYPE_CHECKING:
    from cluneal.knowledge.refs import SourceRefs

#: Features the screening computes itself (from dates and orders), besides the pack's own.
BUILT_IN_FEATURES = ("chronic_back_pain", "planned_fusion")
#: Features that are not scored: who is listed (``back_pain``), who is already known, and who
#: has a red flag (the notes rule of the red-flag concept; its hits name the red flag).
LISTING_FEATURES = ("back_pain", "known", "red_flag")
NOTE_WHEN = ("current", "past_or_current", "planned")
TIERS = ("high", "medium", "low")
RESOURCE_TYPES = ("Condition", "Procedure", "ServiceRequest", "Observation")


def _views(n: Node) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    names: set[str] = set()
    for view in n.items(min_len=1):
        if not isinstance(view.value, dict):
            view.fail("must be a ViewDefinition object")
            continue
        if view.value.get("resourceType") != "ViewDefinition":
            view.get("resourceType").fail('must be "ViewDefinition"')
        name = view.get("name").string(non_empty=True)
        view.get("resource").string(non_empty=True)
        view.get("resource").required()
        if name in names:
            view.get("name").fail(f"duplicate view {name!r}")
        if name:
            names.add(name)
            out.append(view.value)  # checked in full by the SQL-on-FHIR compiler when used
    return out


def _notes(n: Node, features: set[str], lexicon: Lexicon | None) -> list[NoteRule]:
    concepts = sorted(c.id for c in lexicon.concepts) if lexicon else None
    out: list[NoteRule] = []
    for rule in n.items():
        if not rule.obj(("concept", "feature", "when")):
            rule.required()
            continue
        concept = rule.get("concept").enum(concepts) if concepts else None
        feature = rule.get("feature").enum(sorted(features))
        when = rule.get("when").enum(NOTE_WHEN)
        for key in ("concept", "feature", "when"):
            rule.get(key).required()
        if concept and feature and when:
            out.append(NoteRule(concept, feature, when))
    return out


def read_screening(
    section: Node,
    refs: SourceRefs,
    code_lists: Mapping[str, CodeList],
    ehr: EhrRules | None,
    lexicon: Lexicon | None = None,
) -> Screening | None:
    if not section.obj(("chronic_months", "views", "features", "rules", "tiers", "notes")):
        section.required()
        return None
    chronic = section.get("chronic_months")
    chronic.obj(("value", "label", "rationale", "sources"))
    months = chronic.get("value").integer(1, 120)
    label, rationale = (
        chronic.get("label").string(non_empty=True),
        chronic.get("rationale").string(non_empty=True),
    )
    chronic_sources = refs.read(chronic.get("sources"))
    features: list[ScreeningFeature] = []
    for f in section.get("features").items():
        if not f.obj(("id", "label", "resource_types", "code_lists", "keywords", "sources")):
            continue
        fid, flabel = f.get("id").string(non_empty=True), f.get("label").string(non_empty=True)
        types = f.get("resource_types").strings(allowed=RESOURCE_TYPES) or []
        fsources = refs.read(f.get("sources"))
        if fid and flabel and types:
            features.append(
                ScreeningFeature(fid, flabel, tuple(types), matcher(f, code_lists), fsources)
            )
    known = {*BUILT_IN_FEATURES, *(f.id for f in features)}
    known |= {f.id for f in ehr.features} if ehr else set()
    rules: list[ScreeningRule] = []
    for r in section.get("rules").items(min_len=1):
        if not r.obj(("feature", "weight", "reason", "sources", "rationale")):
            continue
        feature = r.get("feature").enum(sorted(known))
        weight = r.get("weight").integer(-100, 100)
        reason, why = (
            r.get("reason").string(non_empty=True),
            r.get("rationale").string(non_empty=True),
        )
        rsources = refs.read(r.get("sources"))
        if feature and weight is not None and reason and why:
            rules.append(ScreeningRule(feature, weight, reason, rsources, why))
    tiers: list[tuple[str, int]] = []
    for t in section.get("tiers").items(min_len=len(TIERS), max_len=len(TIERS)):
        if t.obj(("tier", "min_score", "rationale")):
            tier, score = t.get("tier").enum(TIERS), t.get("min_score").integer(-100, 100)
            if tier and score is not None:
                tiers.append((tier, score))
    if [t for t, _ in tiers] != list(TIERS) or [s for _, s in tiers] != sorted(
        (s for _, s in tiers), reverse=True
    ):
        section.get("tiers").fail("must list high, medium, low with falling min_score")
    views = _views(section.get("views"))
    notes = _notes(section.get("notes"), {*known, *LISTING_FEATURES}, lexicon)
    if not (months and label and rationale):
        return None
    note = Setting("chronic_months", months, label, rationale, chronic_sources)
    return Screening(
        months, note, tuple(views), tuple(features), tuple(rules), tuple(tiers), tuple(notes)
    )
