"""The controlled vocabulary shared by the case format, the knowledge packs and the engine.

The values are those of ``case-format.md`` (contract version 1); changing one is a format change.
"""

from __future__ import annotations

from typing import Final

SIDES: Final = ("left", "right")
NERVES: Final = ("scn", "mcn")
SEXES: Final = ("female", "male", "other", "unknown")

PAIN_SITES: Final = (
    "low_back",
    "iliac_crest",
    "buttock",
    "groin",
    "lateral_thigh",
    "posterior_thigh",
    "calf",
    "foot",
)
AGGRAVATING: Final = (
    "lumbar_movement",
    "lumbar_flexion",
    "lumbar_extension",
    "lumbar_rotation",
    "standing",
    "standing_up",
    "walking",
    "sitting",
    "rolling_over",
)
PROCEDURES: Final = (
    "lumbar_fusion",
    "lumbar_decompression",
    "iliac_crest_bone_graft",
    "si_joint_fusion",
    "si_joint_injection",
    "scn_release",
    "mcn_release",
)
CONDITIONS: Final = (
    "osteoporotic_vertebral_fracture",
    "kyphosis",
    "thoracolumbar_instability",
    "lumbar_spinal_stenosis",
    "lumbar_disc_herniation",
    "sacroiliac_joint_pain",
    "hip_disease",
    "parkinson_disease",
)
RED_FLAGS: Final = (
    "saddle_anaesthesia",
    "bladder_or_bowel_dysfunction",
    "progressive_neurological_deficit",
    "suspected_infection",
    "suspected_malignancy",
    "suspected_fracture",
)
TREATMENT_KINDS: Final = ("surgical_release", "neurectomy", "radiofrequency")
SURGICAL_KINDS: Final = ("surgical_release", "neurectomy")
OUTCOMES: Final = ("pain_free", "improved", "unchanged", "worse", "recurred")
POOR_OUTCOMES: Final = ("unchanged", "worse", "recurred")

STATUSES: Final = ("confirmed", "suspected", "unlikely", "unknown")
STAGES: Final = (
    "red_flag_referral",
    "examine",
    "other_causes",
    "diagnostic_block",
    "repeat_blocks",
    "surgical_release",
    "radiofrequency",
    "maintenance",
)
ITEM_STATUSES: Final = ("satisfied", "unsatisfied", "unknown")
SET_STATUSES: Final = ("met", "not_met", "incomplete")

#: The checks a criteria item can name; each is evaluated by ``cluneal.core.criteria``.
CRITERION_CHECKS: Final = (
    "tender_point",
    "reproduces_complaint",
    "radiation_on_pressure",
    "relief_with_block",
    "pain_iliac_crest_or_buttock",
    "pain_buttock",
    "aggravated_by_movement_or_posture",
    "unilateral_pain",
)

#: Evidence grades of ``clinical-evidence.md``; ``project_policy`` marks rules that are the
#: product's own safety policy rather than a published finding.
GRADES: Final = (
    "primary_verbatim",
    "primary_paraphrase",
    "secondary",
    "expert_opinion",
    "project_policy",
)

CODE_SYSTEMS: Final = {
    "icd10cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "snomedct": "http://snomed.info/sct",
    "cpt": "http://www.ama-assn.org/go/cpt",
    "loinc": "http://loinc.org",
}
CODE_STATUSES: Final = ("established", "candidate", "retired")
