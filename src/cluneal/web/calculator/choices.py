"""Readable labels for the case vocabulary, in the order the form shows them."""

from __future__ import annotations

from cluneal.knowledge import vocabulary as v

LABELS = {
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


def labelled(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, LABELS[value]) for value in values]


CHOICES = {
    "pain_sites": labelled(v.PAIN_SITES),
    "aggravating": labelled(v.AGGRAVATING),
    "procedures": labelled(v.PROCEDURES),
    "conditions": labelled(v.CONDITIONS),
    "red_flags": labelled(v.RED_FLAGS),
    "treatment_kinds": labelled(v.TREATMENT_KINDS),
    "outcomes": labelled(v.OUTCOMES),
    "sexes": labelled(v.SEXES),
    "nerves": labelled(v.NERVES),
    "sides": labelled(v.SIDES),
}
