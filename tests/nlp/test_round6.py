"""Families of phrasings written for development round 6 (issue 14): each family varies the
landmark, its spelling, the side and the order, so that a rule is held to its class, not to one
sentence. Dictation errors ("palpitation", "ileac", "sacroilliac"), the pain told before the
pressing, sides with a period ("Lt."), pressure that duplicates or mimics the pain, red flags
written other ways (and what is none), and cues told after the finding or by a header."""

from __future__ import annotations

from itertools import product

import pytest

from cluneal.nlp.finding import Finding
from cluneal.nlp.pipeline import find

LANDMARKS = [
    ("PSIS", "psis_tenderness"),
    ("posterior iliac spine", "psis_tenderness"),
    ("posterior superior iliac spine", "psis_tenderness"),
    ("iliac crest", "iliac_crest_tenderness"),
    ("ileac crest", "iliac_crest_tenderness"),
    ("illiac crest", "iliac_crest_tenderness"),
]
SI_JOINTS = [
    ("sacroilliac joint", "sacroiliac_joint_pain"),
    ("S.I. joint", "sacroiliac_joint_pain"),
]
SIDES = [("left", "left"), ("right", "right"), ("Lt.", "left"), ("Rt.", "right")]
TENDERNESS = [
    "Pain to palpitation over the {side} {site}.",
    "Tenderness to palpitation along the {side} {site}.",
    "The {side} {site} is where she is most tender.",
    "He reports pain when I palpate over the {side} {site}.",
]


def found(text: str) -> dict[str, Finding]:
    return {f.concept: f for f in find([text])[0]}


@pytest.mark.parametrize(
    ("template", "landmark", "side"),
    [
        (template, landmark, side)
        for template, landmark, side in product(TENDERNESS, LANDMARKS + SI_JOINTS, SIDES)
        # the pain told before the pressing is written for the PSIS and the crest only
        if not (landmark[1] == "sacroiliac_joint_pain" and "palpate" in template)
    ],
)
def test_tenderness_in_dictated_orders_with_its_side(
    template: str, landmark: tuple[str, str], side: tuple[str, str]
) -> None:
    site, concept = landmark
    text = template.format(side=side[0], site=site)
    finding = found(text).get(concept)
    assert finding is not None, text
    assert finding.side == side[1] and not finding.negated, text


@pytest.mark.parametrize(
    ("verb", "site", "side"),
    list(
        product(
            ["duplicates", "replicates", "mimics", "re-creates", "reproduces"],
            ["iliac crest", "PSIS", "crest"],
            SIDES,
        )
    ),
)
def test_pressure_that_duplicates_the_pain(verb: str, site: str, side: tuple[str, str]) -> None:
    text = f"Pressure over the {side[0]} {site} {verb} her typical pain."
    finding = found(text).get("radiation_on_pressure")
    assert finding is not None and finding.side == side[1], text


@pytest.mark.parametrize(("site", "side"), list(product(["iliac crest", "PSIS"], SIDES)))
def test_concordant_pain_on_palpation_is_pain_reproduced_not_tenderness(
    site: str, side: tuple[str, str]
) -> None:
    findings = found(f"Concordant pain on palpation of the {side[0]} {site}.")
    assert findings["radiation_on_pressure"].side == side[1]
    assert not {"iliac_crest_tenderness", "psis_tenderness"} & set(findings)


@pytest.mark.parametrize(
    "text",
    [
        # red flags come first (P1): retention after an anaesthetic is not explained away
        "Urinary retention after spinal anaesthesia, resolved with one catheterisation.",
        "Urinary retention following epidural anesthesia.",
        "Ca prostate with bony metastases.",
        "PMH: CA breast, in remission.",
        "Known metastatic NSCLC.",
        "Chronic lymphocytic leukemia, on surveillance.",
        "Acute myeloid leukaemia after induction.",
        "Malignant neoplasm of the prostate.",
        "Mets to the spine on MRI.",
        "Loss of sphincter control since this morning.",
        "Sphincter disturbance since yesterday.",
        "Overflow incontinence with a palpable bladder.",
        "Patient is retaining urine.",
        "Saddle paraesthesia since the fall.",
        "Numbness around the back passage.",
        "Foot drop worsening, L.",
        "Increasing weakness of the right leg.",
        "Bladder and bowel dysfxn since the fall.",
        "Suspected cauda equine syndrome.",
    ],
)
def test_red_flags_written_other_ways(text: str) -> None:
    assert "red_flag" in found(text), text


@pytest.mark.parametrize(
    "text",
    [
        "CA-125 within normal limits.",
        "Urinary incontinence after prostatectomy, improving with pelvic floor exercises.",
        "Pressure over the right maxillary sinus reproduces her headache.",
        "Leukemoid reaction, likely secondary to infection.",
        "Iliac crest bone marrow biopsy performed without complication.",
    ],
)
def test_what_is_none(text: str) -> None:
    assert not {"red_flag", "radiation_on_pressure", "iliac_crest_tenderness"} & set(found(text))


@pytest.mark.parametrize(
    ("text", "concept", "attribute"),
    [
        ("Tenderness over the PSIS was not appreciated.", "psis_tenderness", "negated"),
        (
            "Iliac crest tenderness was not found on either side.",
            "iliac_crest_tenderness",
            "negated",
        ),
        ("Tinel's sign -ve bilaterally.", "radiation_on_pressure", "negated"),
        (
            "Red flag screen: saddle anaesthesia, urinary retention, progressive weakness - all "
            "negative.",
            "red_flag",
            "negated",
        ),
        ("PSIS - nil tenderness.", "psis_tenderness", "negated"),
        ("CES until proven otherwise.", "red_flag", "uncertain"),
        ("MRI to exclude cauda equina syndrome.", "red_flag", "uncertain"),
        ("Radiculopathy not excluded.", "radiculopathy", "uncertain"),
        ("Differential: SI joint dysfunction.", "sacroiliac_joint_pain", "uncertain"),
        ("DDx: cluneal nerve entrapment.", "cluneal_entrapment", "uncertain"),
        ("Should she develop saddle numbness, she is to attend.", "red_flag", "hypothetical"),
        ("Impression/Plan: R SCN block scheduled.", "cluneal_block", "hypothetical"),
        ("A&P: stable. Recs: diagnostic SCN block.", "cluneal_block", "hypothetical"),
        ("An L5-S1 fusion would be the next option.", "lumbar_fusion", "hypothetical"),
        ("Return precautions: new urinary incontinence.", "red_flag", "hypothetical"),
    ],
)
def test_cues_after_the_finding_and_in_headers(text: str, concept: str, attribute: str) -> None:
    assert getattr(found(text)[concept], attribute), text


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("Newly diagnosed high-risk acute lymphoblastic leukemia.", "red_flag"),
        ("The pain could be reproduced by palpating the left PSIS.", "radiation_on_pressure"),
    ],
)
def test_pseudo_cues_leave_the_finding_asserted(text: str, concept: str) -> None:
    finding = found(text)[concept]
    assert not (finding.hypothetical or finding.uncertain), text


def test_a_list_after_an_exam_table_colon_shares_its_head() -> None:
    findings = found("Tender: R PSIS, R iliac crest, R SIJ; L side nontender.")
    assert findings["sacroiliac_joint_pain"].side == "right"
    assert findings["iliac_crest_tenderness"].side == "right"


@pytest.mark.parametrize(
    ("landmarks", "tail"),
    list(
        product(
            [
                (
                    "the posterior superior iliac spines",
                    "the sacroiliac joints",
                    "the iliac crests",
                ),
                ("the PSIS", "the SI joints", "the iliac crests"),
            ],
            ["are all tender to palpation", "are tender", "were all exquisitely tender"],
        )
    ),
)
def test_a_list_of_landmarks_with_the_tenderness_told_after_a_verb(
    landmarks: tuple[str, str, str], tail: str
) -> None:
    text = f"On exam, {landmarks[0]}, {landmarks[1]} and {landmarks[2]} {tail}."
    assert {"psis_tenderness", "sacroiliac_joint_pain", "iliac_crest_tenderness"} <= set(
        found(text)
    ), text


def test_the_list_verb_does_not_make_other_body_parts_a_finding() -> None:
    assert not found("The hips and the knees are all tender to palpation.")


@pytest.mark.parametrize("verb", ["felt", "located", "localized", "worst"])
def test_pain_placed_at_the_si_joint_by_a_verb(verb: str) -> None:
    finding = found(f"Her pain is {verb} over the right sacroiliac joint.")["sacroiliac_joint_pain"]
    assert finding.side == "right"


def test_re_created_hyphenated_is_reproduced() -> None:
    text = "Her familiar pain is re-created by firm pressure on the R iliac crest."
    assert found(text)["radiation_on_pressure"].side == "right"


def test_a_landmark_first_stops_before_a_neighbours_nontender() -> None:
    text = "Palpation: iliac crest tender Rt > Lt, paraspinals nontender."
    # the side only: "nontender" still reaches back over the comma (a known miss, GUIDE.md round 5)
    assert found(text)["iliac_crest_tenderness"].side == "right"


def test_booked_before_a_procedure_stays_planned() -> None:
    assert found("Booked for a right SCN block.")["cluneal_block"].hypothetical
