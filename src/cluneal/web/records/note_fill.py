"""From a pasted note's findings to the visit-form fields they suggest, for a clinician to confirm.

Only what a note asserts is offered ticked: a finding that is negated, a relative's, uncertain
or hypothetical is shown but never ticked (and only a planned fusion fills "planned"). A
proposal names the visit form's own field and value, so the confirmed ones open the visit
form already filled, and nothing is stored until the clinician saves the visit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from cluneal.core.bodymap import field_name
from cluneal.nlp.finding import Finding

#: Pain-site concepts: the body-map view and region each one draws.
PAIN_REGIONS = {
    "low_back_pain": ("back", "low_back", "Low back pain"),
    "buttock_pain": ("back", "buttock", "Buttock pain"),
    "groin_pain": ("front", "groin", "Groin pain"),
}
#: Procedures and conditions of the case format that a concept names.
PROCEDURES = {
    "lumbar_fusion": ("lumbar_fusion", "Lumbar fusion"),
    "iliac_crest_bone_graft": ("iliac_crest_bone_graft", "Iliac crest bone graft"),
}
CONDITIONS = {"sacroiliac_joint_pain": ("sacroiliac_joint_pain", "Sacroiliac joint pain")}
#: Which case-format red flag a red_flag finding is, by the words of the finding.
RED_FLAG_WORDS = (
    (("saddle",), "saddle_anaesthesia", "Saddle anaesthesia"),
    (
        ("bladder", "bowel", "incontinen", "retention", "cauda equina"),
        "bladder_or_bowel_dysfunction",
        "Bladder or bowel dysfunction",
    ),
    (("weakness", "deficit"), "progressive_neurological_deficit", "Progressive deficit"),
    (("fever",), "suspected_infection", "Suspected infection"),
    (("cancer", "malignan", "metasta", "tumou", "tumor"), "suspected_malignancy", "Malignancy"),
)


@dataclass(frozen=True)
class Proposal:
    #: The visit form's field and value (``bm_back_left`` / ``buttock``, ``prior`` / ...).
    field: str
    value: str
    label: str
    #: The finding (1-based, as numbered on the page) it comes from.
    finding: int
    ticked: bool


def _asserted(f: Finding) -> bool:
    return not (f.negated or f.family or f.uncertain or f.hypothetical)


def _sides(f: Finding) -> tuple[str, ...]:
    if f.side in ("left", "right"):
        return (f.side,)
    return ("left", "right")  # bilateral, or no side said: both, for the clinician to correct


def _for(number: int, f: Finding) -> list[Proposal]:
    out: list[Proposal] = []
    ticked = _asserted(f)
    if f.concept in PAIN_REGIONS:
        view, region, label = PAIN_REGIONS[f.concept]
        for side in _sides(f):
            name = field_name(view, side)
            out.append(
                Proposal(name, region, f"{label}, {side}", number, ticked and not f.historical)
            )
    elif f.concept in PROCEDURES:
        value, label = PROCEDURES[f.concept]
        planned = f.hypothetical and not (f.negated or f.family or f.uncertain)
        field = "planned" if planned else "prior"
        out.append(Proposal(field, value, f"{label} ({field})", number, planned or ticked))
    elif f.concept in CONDITIONS:
        value, label = CONDITIONS[f.concept]
        out.append(Proposal("conditions", value, label, number, ticked))
    elif f.concept == "leg_symptoms" and any(w in f.text.lower() for w in ("numb", "tingl")):
        out.append(Proposal("leg_tingling", "yes", "Leg numbness or tingling", number, ticked))
    elif f.concept == "red_flag":
        text = f.text.lower()
        for words, value, label in RED_FLAG_WORDS:
            if any(w in text for w in words):
                out.append(Proposal("red_flags", value, f"Red flag: {label}", number, ticked))
                break
    return out


def proposals(findings: list[Finding]) -> list[Proposal]:
    """Every field the findings suggest, one entry per field and value (the first finding's)."""
    seen: dict[tuple[str, str], Proposal] = {}
    for number, finding in enumerate(findings, 1):
        for p in _for(number, finding):
            key = (p.field, p.value)
            if key not in seen or (p.ticked and not seen[key].ticked):
                seen[key] = p
    return list(seen.values())


def visit_data(chosen: list[tuple[str, str]]) -> QueryDict:
    """Visit-form data holding the chosen (field, value) pairs, each field checked by name."""
    allowed = {(p.field, p.value) for p in _every_proposal()}
    data = QueryDict(mutable=True)
    for name, value in chosen:
        if (name, value) in allowed and value not in data.getlist(name):
            data.appendlist(name, value)
    return data


def _every_proposal() -> list[Proposal]:
    out = [
        Proposal(field_name(view, side), region, "", 0, False)
        for view, region, _ in PAIN_REGIONS.values()
        for side in ("left", "right")
    ]
    out += [
        Proposal(f, v, "", 0, False) for v, _ in PROCEDURES.values() for f in ("prior", "planned")
    ]
    out += [Proposal("conditions", v, "", 0, False) for v, _ in CONDITIONS.values()]
    out += [Proposal("red_flags", v, "", 0, False) for _, v, _ in RED_FLAG_WORDS]
    out.append(Proposal("leg_tingling", "yes", "", 0, False))
    return out
