"""Derived data, exported for readers and ignored on import: a Condition per nerve and side the
engine finds confirmed or suspected, and an Observation per questionnaire score. The record holds
the answers and findings; these are what Cluneal concludes from them today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cluneal.core.case import CASE_FORMAT, parse_case
from cluneal.core.scores import score_all
from cluneal.interop.fhir_record.codes import (
    CLUNEAL,
    G58_8,
    NERVE_NAMES,
    PERCENT,
    SCORE_NAMES,
    SURVEY,
    cluneal_concept,
    derived_id,
    reference,
)
from cluneal.interop.fhir_record.status import NerveStatus
from cluneal.knowledge.model import KnowledgePack
from cluneal.validation import Invalid


def score_observations(
    pack: KnowledgePack | None,
    subject: dict[str, str],
    source: str,
    date: dt.date,
    questionnaires: Any,
    **more: Any,
) -> list[dict[str, Any]]:
    """The scores of the questionnaires in ``source`` (a QuestionnaireResponse), each an
    Observation derived from it; none without a knowledge pack to score with."""
    if pack is None or not questionnaires:
        return []
    try:
        case = parse_case({"format": CASE_FORMAT, "questionnaires": questionnaires})
    except Invalid:
        return []  # reported by the caller
    out: list[dict[str, Any]] = []
    for name, score in score_all(case.questionnaires, pack).items():
        base: dict[str, Any] = {
            "resourceType": "Observation",
            "id": derived_id(source, "score", name),
            "status": "final",
            "category": [SURVEY],
        }
        tail: dict[str, Any] = {
            "subject": subject,
            **more,
            "effectiveDateTime": date.isoformat(),
        }
        value: dict[str, Any]
        if name == "rmdq":
            code, value = "rmdq-score", {"valueInteger": score["score"]}
        elif name == "odi":
            if score["percent"] is None:
                continue
            code, value = (
                "odi-percent",
                {"valueQuantity": {"value": score["percent"], **PERCENT}},
            )
        else:
            code, value = "startback-total", {"valueInteger": score["total"]}
            value["component"] = [
                {
                    "code": cluneal_concept(
                        "startback-psychosocial", SCORE_NAMES["startback-psychosocial"]
                    ),
                    "valueInteger": score["psychosocial"],
                },
                {
                    "code": cluneal_concept("startback-risk", SCORE_NAMES["startback-risk"]),
                    "valueCodeableConcept": cluneal_concept(f"startback-risk-{score['risk']}"),
                },
            ]
        out.append(
            {
                **base,
                "code": cluneal_concept(code, SCORE_NAMES[code]),
                **tail,
                **value,
                "derivedFrom": [reference(source)],
            }
        )
    return out


def condition(
    patient_id: str, subject: dict[str, str], s: NerveStatus, body_site: list[dict[str, Any]]
) -> dict[str, Any]:
    """The engine's confirmed or suspected entrapment of one nerve and side, for readers; its
    verification status says how far the evidence goes (:attr:`NerveStatus.verification`)."""
    nerve_name = NERVE_NAMES.get(s.nerve, s.nerve)
    verification = s.verification
    return {
        "resourceType": "Condition",
        "id": derived_id(patient_id, "condition", s.nerve, s.side),
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": verification,
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {
                    "system": CLUNEAL,
                    "code": "cluneal-nerve-entrapment",
                    "display": "Cluneal nerve entrapment",
                },
                G58_8,
            ],
            "text": f"{nerve_name} entrapment, {s.side} ({s.verification}; Cluneal status "
            f"{s.status}{', a red flag to work up first' if s.red_flag else ''}). "
            "ICD-10-CM G58.8 is a "
            "candidate code only: no official ICD-10-CM index entry for 'cluneal' was found.",
        },
        "bodySite": body_site,
        "subject": subject,
        "note": [
            {
                "text": "Derived by Cluneal's engine from the record; ignored when the "
                "record is imported."
            }
        ],
    }
