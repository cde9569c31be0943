"""CDS Hooks 2.0 services: discovery, and the cards made from the engine's assessment.

Two services:

- ``cluneal-patient-view`` (hook ``patient-view``): an ``info`` card when the chart shows back
  pain with a feature of cluneal entrapment and no cluneal evaluation, and the engine leaves a
  nerve at the ``examine`` stage.
- ``cluneal-order-sign`` (hook ``order-sign``): a ``warning`` card when the draft orders hold a
  routine sacroiliac or lumbar fusion or lumbar decompression, the engine raises its
  ``cluneal_before_surgery`` warning, the chart shows buttock, sacroiliac or iliac-crest pain and
  no cluneal block is documented; with a suggestion that orders a diagnostic cluneal block and
  override reasons.

Red flags first (policy P1): when the chart shows a red flag that still counts (cauda equina
syndrome, spinal infection, malignancy, vertebral fracture, cord compression: the pack's
``red_flag_rules``), neither service returns any card, and an order whose priority is urgent,
asap or stat is never interrupted.

Both also read the recent notes when the EHR gives them (``notes`` in prefetch): the findings
that count reach :func:`~cluneal.interop.fhir_case.read_fhir` as plain
:class:`~cluneal.interop.fhir_case.NoteEvidence` (the notes pipeline runs in ``cluneal.web.cds``:
this package does not import it), where they show features, back pain, an evaluation or a red
flag like the coded data does; a card quotes a note's words with its date.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from cluneal.core.assessment import Assessment, Cited
from cluneal.interop.fhir_case import NOTE_TYPE, EhrFindings, Evidence
from cluneal.knowledge.model import CardText, KnowledgePack

CLUNEAL_SYSTEM = "https://cluneal.org/fhir/CodeSystem/cluneal"
OVERRIDE_SYSTEM = "https://cluneal.org/fhir/CodeSystem/cds-override-reason"
PATIENT_VIEW = "cluneal-patient-view"
ORDER_SIGN = "cluneal-order-sign"
#: The chart: every key is needed (fetched from the FHIR server when not prefetched, else 412).
CHART = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "orders": "ServiceRequest?patient={{context.patientId}}",
}
#: The recent notes, newest first, one page of 20 (an EHR that cannot sort or page may send
#: all); read when given, never required (see ``cluneal.web.cds.notes``).
NOTES = "notes"
NOTES_TEMPLATE = "DocumentReference?patient={{context.patientId}}&_sort=-date&_count=20"
PREFETCH = {**CHART, NOTES: NOTES_TEMPLATE}
#: The member of a response's ``extension`` saying which notes were read, and which not and why.
NOTES_EXTENSION = "org.cluneal.notes"
SERVICES: dict[str, dict[str, Any]] = {
    PATIENT_VIEW: {
        "hook": "patient-view",
        "title": "Cluneal nerve entrapment: look for it",
        "description": "When a back-pain patient's chart or recent notes show buttock or "
        "iliac-crest pain, a "
        "sacroiliac diagnosis, a previous lumbar fusion or iliac-crest graft, or leg symptoms "
        "without radiculopathy, and no cluneal evaluation, suggests examining the superior and "
        "middle cluneal nerves, with the evidence. No card when the chart shows a red flag "
        "(cauda equina syndrome, spinal infection, malignancy, vertebral fracture, cord "
        "compression).",
        "id": PATIENT_VIEW,
        "prefetch": PREFETCH,
    },
    ORDER_SIGN: {
        "hook": "order-sign",
        "title": "Cluneal nerves before fusion",
        "description": "Before a routine sacroiliac or lumbar fusion or lumbar decompression is "
        "signed for a patient with buttock, sacroiliac or iliac-crest pain and no documented "
        "cluneal block, warns and offers to order a diagnostic cluneal nerve block. No card for "
        "an urgent, asap or stat order, nor when the chart shows a red flag (cauda equina "
        "syndrome, spinal infection, malignancy, vertebral fracture, cord compression).",
        "id": ORDER_SIGN,
        "prefetch": PREFETCH,
    },
}


def discovery() -> dict[str, Any]:
    return {"services": list(SERVICES.values())}


def _sources(pack: KnowledgePack, ids: list[str]) -> str:
    lines = []
    for sid in dict.fromkeys(ids):
        src = pack.sources[sid]
        lines.append(f"- **{sid}** {src.short} ({src.grade_label}): {src.citation}")
    return "\n".join(lines)


def _cite(c: Cited) -> str:
    return f"{c.text} [{', '.join(c.sources)}]"


#: Notes a card quotes per line of its "why" (the newest); more are counted, not quoted.
QUOTED_NOTES = 3


def _listed(evidence: list[Evidence]) -> str:
    """Every resource, and the first :data:`QUOTED_NOTES` notes, that a line rests on."""
    notes = [e for e in evidence if e.reference.startswith(NOTE_TYPE + "/")]
    shown = [e for e in evidence if not e.reference.startswith(NOTE_TYPE + "/")]
    shown += notes[:QUOTED_NOTES]
    more = len(notes) - QUOTED_NOTES
    return "; ".join(e.cited() for e in shown) + (f"; and {more} more notes" if more > 0 else "")


def _why(findings: EhrFindings, pack: KnowledgePack, features: list[str]) -> list[str]:
    labels = {f.id: f.label for f in pack.ehr.features}
    lines = []
    if findings.back_pain:
        lines.append("back pain: " + _listed(findings.back_pain))
    for feature in features:
        lines.append(f"{labels[feature]}: {_listed(findings.features[feature])}")
    return lines


def _card(
    text: CardText,
    indicator: str,
    summary: str,
    body: list[str],
    cited: list[str],
    pack: KnowledgePack,
    base_url: str,
) -> dict[str, Any]:
    detail = "\n\n".join(
        [*body, "**Sources**\n\n" + _sources(pack, cited), "_Decision support, not a diagnosis._"]
    )
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary[:140],
        "indicator": indicator,
        "detail": detail,
        "source": {
            "label": "Cluneal",
            "url": f"{base_url}/evidence",
            "topic": {
                "system": CLUNEAL_SYSTEM,
                "code": "cluneal-nerve-entrapment",
                "display": "Cluneal nerve entrapment",
            },
        },
    }


def patient_view_cards(
    findings: EhrFindings,
    assessment: Assessment,
    pack: KnowledgePack,
    base_url: str,
    calculator_query: str,
) -> list[dict[str, Any]]:
    text = pack.ehr.patient_view
    features = [f for f in text.requires_any_feature if f in findings.features]
    examine = [n for n in assessment.nerves if n.stage == "examine"]
    if findings.red_flags or assessment.red_flags:
        return []  # red flags first: no cluneal suggestion at all
    if not findings.back_pain or not features or findings.evaluated:
        return []
    if not examine:
        return []
    labels = {f.id: f.label for f in pack.ehr.features}
    summary = text.summary.format(features=" and ".join(labels[f] for f in features))
    steps = {s.text: s for n in examine for s in n.next_steps}
    body = [
        "**Why this card**\n\n" + "\n".join(f"- {line}" for line in _why(findings, pack, features)),
        f"{text.detail} [{', '.join(text.sources)}]",
        "**What to do**\n\n" + "\n".join(f"- {_cite(s)}" for s in steps.values()),
    ]
    cited = list(text.sources) + [sid for s in steps.values() for sid in s.sources]
    for f in features:
        cited += next(x.sources for x in pack.ehr.features if x.id == f)
    card = _card(text, "info", summary, body, cited, pack, base_url)
    card["links"] = [
        {
            "label": "Open the Cluneal calculator with what the chart shows",
            "url": f"{base_url}/?{calculator_query}",
            "type": "absolute",
        }
    ]
    return [card]


def order_sign_cards(
    findings: EhrFindings,
    assessment: Assessment,
    pack: KnowledgePack,
    base_url: str,
    patient_id: str,
    block_order: Callable[[str], Mapping[str, Any]],
) -> list[dict[str, Any]]:
    text = pack.ehr.order_sign
    features = [f for f in text.requires_any_feature if f in findings.features]
    warnings = [w for w in assessment.warnings if w.id == "cluneal_before_surgery"]
    if findings.red_flags or assessment.red_flags:
        return []  # red flags first: no cluneal suggestion at all
    if not findings.orders or not warnings or not features or findings.evaluated:
        return []
    labels = {f.id: f.label for f in pack.ehr.features}
    orders = " / ".join(p.replace("_", " ") for p in findings.orders)
    summary = text.summary.format(orders=orders)
    ordered = [f"{e.text} ({e.reference})" for group in findings.orders.values() for e in group]
    body = [
        "**Orders**: " + "; ".join(ordered),
        "**Why this card**\n\n" + "\n".join(f"- {line}" for line in _why(findings, pack, features)),
        text.detail.format(features=" and ".join(labels[f] for f in features))
        + f" [{', '.join(text.sources)}]",
        _cite(warnings[0]),
    ]
    cited = list(text.sources) + list(warnings[0].sources)
    card = _card(text, "warning", summary, body, cited, pack, base_url)
    card["suggestions"] = [
        {
            "label": text.suggestion or "Order a diagnostic cluneal nerve block",
            "uuid": str(uuid.uuid4()),
            "isRecommended": True,
            "actions": [
                {
                    "type": "create",
                    "description": text.suggestion or "Order a diagnostic cluneal nerve block",
                    "resource": dict(block_order(patient_id)),
                }
            ],
        }
    ]
    card["selectionBehavior"] = "at-most-one"
    card["overrideReasons"] = [
        {"code": code, "system": OVERRIDE_SYSTEM, "display": display}
        for code, display in text.override_reasons
    ]
    return [card]


def block_order(patient_id: str) -> dict[str, Any]:
    """A draft ServiceRequest for a diagnostic cluneal nerve block (CPT 64450, peripheral
    nerve injection, with Cluneal's own code saying which nerve block is meant)."""
    return {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "code": {
            "coding": [
                {"system": "http://www.ama-assn.org/go/cpt", "code": "64450"},
                {
                    "system": CLUNEAL_SYSTEM,
                    "code": "cluneal-nerve-block",
                    "display": "Diagnostic cluneal nerve block",
                },
            ],
            "text": "Diagnostic cluneal nerve block (superior / middle cluneal nerve)",
        },
        "subject": {"reference": f"Patient/{patient_id}"},
        "reasonCode": [{"text": "Suspected cluneal nerve entrapment before fusion"}],
    }
