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

#: A readable label of every value above (pages, letters, tables and figures show these).
LABELS: Final = {
    "low_back": "Low back",
    "iliac_crest": "Iliac crest",
    "buttock": "Buttock",
    "groin": "Groin",
    "lateral_thigh": "Lateral thigh",
    "posterior_thigh": "Posterior thigh",
    "calf": "Calf",
    "foot": "Foot",
    "lumbar_movement": "Lumbar movement",
    "lumbar_flexion": "Lumbar flexion",
    "lumbar_extension": "Lumbar extension",
    "lumbar_rotation": "Lumbar rotation",
    "standing": "Standing",
    "standing_up": "Standing up",
    "walking": "Walking",
    "sitting": "Sitting",
    "rolling_over": "Rolling over",
    "lumbar_fusion": "Lumbar fusion",
    "lumbar_decompression": "Lumbar decompression",
    "iliac_crest_bone_graft": "Iliac crest bone graft",
    "si_joint_fusion": "Sacroiliac joint fusion",
    "si_joint_injection": "Sacroiliac joint injection",
    "scn_release": "SCN release",
    "mcn_release": "MCN release",
    "osteoporotic_vertebral_fracture": "Osteoporotic vertebral fracture",
    "kyphosis": "Kyphosis",
    "thoracolumbar_instability": "Thoracolumbar instability",
    "lumbar_spinal_stenosis": "Lumbar spinal stenosis",
    "lumbar_disc_herniation": "Lumbar disc herniation",
    "sacroiliac_joint_pain": "Sacroiliac joint pain",
    "hip_disease": "Hip disease",
    "parkinson_disease": "Parkinson disease",
    "saddle_anaesthesia": "Saddle anaesthesia",
    "bladder_or_bowel_dysfunction": "Bladder or bowel dysfunction",
    "progressive_neurological_deficit": "Progressive neurological deficit",
    "suspected_infection": "Suspected infection",
    "suspected_malignancy": "Suspected malignancy",
    "suspected_fracture": "Suspected fracture",
    "surgical_release": "Surgical release",
    "neurectomy": "Neurectomy",
    "radiofrequency": "Radiofrequency",
    "pain_free": "Pain free",
    "improved": "Improved",
    "unchanged": "Unchanged",
    "worse": "Worse",
    "recurred": "Recurred",
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "unknown": "Unknown",
    "scn": "SCN",
    "mcn": "MCN",
    "left": "Left",
    "right": "Right",
}
