"""The terminology of the exchange: code systems, the Cluneal codes and extensions, the fixed
CodeableConcepts both sides compare against, and how ids and references are made.

The writer emits these values and the reader accepts exactly them, so each lives here once."""

from __future__ import annotations

import re
import uuid
from typing import Any, Final

from cluneal.knowledge import vocabulary as v

CLUNEAL: Final = "https://cluneal.org/fhir/CodeSystem/cluneal"
EXTENSION: Final = "https://cluneal.org/fhir/StructureDefinition/"
QUESTIONNAIRE: Final = "https://cluneal.org/fhir/Questionnaire/"
VISIT_QUESTIONNAIRE: Final = QUESTIONNAIRE + "cluneal-visit"
LOINC: Final = v.CODE_SYSTEMS["loinc"]
SNOMED: Final = v.CODE_SYSTEMS["snomedct"]
CPT: Final = v.CODE_SYSTEMS["cpt"]
ICD10CM: Final = v.CODE_SYSTEMS["icd10cm"]
UCUM: Final = "http://unitsofmeasure.org"
BUNDLE_TYPES: Final = ("collection", "searchset")
INSTRUMENTS: Final = ("startback", "odi", "rmdq")
LINK_KINDS: Final = ("diary", *INSTRUMENTS)
GUIDANCE: Final = ("landmark", "ultrasound", "fluoroscopy")
#: Regions of the pain drawing, per view (``cluneal.core.bodymap.REGIONS``).
BODY_REGIONS: Final = {
    "back": (
        "low_back",
        "iliac_crest",
        "buttock",
        "posterior_thigh",
        "lateral_thigh",
        "calf",
        "foot",
    ),
    "front": ("groin", "anterior_thigh", "lateral_thigh", "knee", "shin", "foot"),
}
MIN_BIRTH_YEAR: Final = 1900
MAX_DECIMAL: Final = 9999.9  # the database keeps five digits, one of them after the point
MAX_MINUTES: Final = 2_147_483_647
LIMITS: Final = {"record_number": 40, "name": 200, "contact": 200, "agent": 120, "notes": 20_000}

LOWER_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://cluneal.org/fhir")

NERVE_NAMES: Final = {"scn": "Superior cluneal nerve", "mcn": "Middle cluneal nerve"}
LATERALITY: Final = {"left": ("7771000", "Left"), "right": ("24028007", "Right")}
SIDE_CONCEPTS: Final = {
    side: {"coding": [{"system": SNOMED, "code": code, "display": display}]}
    for side, (code, display) in LATERALITY.items()
}
NERVE_CONCEPTS: Final = {
    nerve: {"coding": [{"system": CLUNEAL, "code": nerve, "display": name}]}
    for nerve, name in NERVE_NAMES.items()
}
BLOCK_CODE: Final = {
    "coding": [
        {"system": CPT, "code": "64450"},
        {"system": CLUNEAL, "code": "cluneal-nerve-block", "display": "Cluneal nerve block"},
    ],
    "text": "Cluneal nerve block",
}
TREATMENT_NAMES: Final = {
    "surgical_release": "Surgical release of a cluneal nerve",
    "neurectomy": "Cluneal neurectomy",
    "radiofrequency": "Radiofrequency treatment of a cluneal nerve",
}
TREATMENT_CODES: Final = {
    kind: {
        "coding": ([{"system": CPT, "code": "64640"}] if kind == "radiofrequency" else [])
        + [{"system": CLUNEAL, "code": kind, "display": name}],
        "text": name,
    }
    for kind, name in TREATMENT_NAMES.items()
}
PROCEDURE_CODES: Final = {"block": BLOCK_CODE, **TREATMENT_CODES}
OUTCOME_CONCEPTS: Final = {
    outcome: {
        "coding": [{"system": CLUNEAL, "code": outcome, "display": outcome.replace("_", " ")}]
    }
    for outcome in v.OUTCOMES
}
NRS_CODE: Final = {
    "coding": [
        {
            "system": LOINC,
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ],
    "text": "Pain intensity (NRS 0-10)",
}
SURVEY: Final = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
        }
    ]
}
NRS_CONTEXTS: Final = ("nrs-visit", "nrs-before-block", "nrs-after-block", "nrs-diary")
SCORE_NAMES: Final = {
    "startback-total": "STarT Back total score",
    "startback-psychosocial": "STarT Back psychosocial subscore",
    "startback-risk": "STarT Back risk group",
    "odi-percent": "Oswestry Disability Index (percent)",
    "rmdq-score": "Roland-Morris Disability Questionnaire score",
}
ENCOUNTER_CLASS: Final = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "code": "AMB",
    "display": "ambulatory",
}
G58_8: Final = {"system": ICD10CM, "code": "G58.8", "display": "Other specified mononeuropathies"}
#: The block's extensions: name -> (value[x] key, what it holds).
BLOCK_EXTENSIONS: Final = {
    "nrs-before": "valueInteger",
    "nrs-after": "valueInteger",
    "minutes-after": "valueInteger",
    "relief-days": "valueDecimal",
    "relief-days-from-diary": "valueBoolean",
    "agent": "valueString",
    "volume-ml": "valueQuantity",
    "guidance": "valueCode",
}
#: The treatment's follow-up dates (FHIR R4 has no Procedure element for either:
#: ``Procedure.followUp`` is a CodeableConcept, ``Procedure.outcome`` the outcome itself).
TREATMENT_EXTENSIONS: Final = {
    "recurrence-date": "valueDate",
    "last-follow-up": "valueDate",
}
LINK_EXTENSION: Final = EXTENSION + "patient-link"
MILLILITRES: Final = {"unit": "mL", "system": UCUM, "code": "mL"}
PERCENT: Final = {"unit": "%", "system": UCUM, "code": "%"}


def site_system(site_id: str) -> str:
    """The identifier system of a site's record numbers."""
    return f"urn:cluneal:site:{site_id}:record-number"


def cluneal_concept(code: str, display: str | None = None) -> dict[str, Any]:
    """A CodeableConcept of one code of the Cluneal code system."""
    coding: dict[str, Any] = {"system": CLUNEAL, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def derived_id(*parts: object) -> str:
    """A stable id for a resource that has no row of its own (a visit's NRS, a score), so that
    exporting the same record twice gives the same bundle."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts)))


def full_url(resource_id: str) -> str:
    return f"urn:uuid:{resource_id}"


def reference(resource_id: str) -> dict[str, str]:
    return {"reference": full_url(resource_id)}
