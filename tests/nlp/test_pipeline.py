"""The notes pipeline: concepts, ConText attributes, sides, sections and bad input."""

from __future__ import annotations

import pytest

from cluneal.nlp.finding import Finding, NoteError
from cluneal.nlp.pipeline import find
from cluneal.nlp.text import MAX_CHARS, decode_note


def one(text: str) -> Finding:
    (finding,) = find([text])[0]
    return finding


def test_it_negates_no_tenderness_over_the_iliac_crests() -> None:
    f = one("No tenderness over the iliac crests.")
    assert f.concept == "iliac_crest_tenderness" and f.negated and not f.historical


def test_it_makes_a_graft_in_2015_historical() -> None:
    f = one("History of ICBG in 2015.")
    assert f.concept == "iliac_crest_bone_graft" and f.historical


def test_it_makes_a_considered_block_hypothetical() -> None:
    f = one("If the pain persists we will consider a cluneal block.")
    assert f.concept == "cluneal_block" and f.hypothetical and not f.negated


def test_it_makes_possible_sij_dysfunction_uncertain() -> None:
    f = one("Possible SIJ dysfunction.")
    assert f.concept == "sacroiliac_joint_pain" and f.uncertain


def test_it_gives_the_mothers_back_pain_to_the_family() -> None:
    f = one("Mother had low back pain.")
    assert f.concept == "low_back_pain" and f.family


def test_it_keeps_a_dated_complaint_current() -> None:
    f = one("She has a 6-month history of low back pain.")
    assert f.concept == "low_back_pain" and not f.historical


def test_offsets_point_at_the_text_and_sides_are_found() -> None:
    text = "CHIEF COMPLAINT: Right buttock pain.\nExam: tenderness just below the left PSIS."
    findings = find([text])[0]
    assert [(f.concept, f.side) for f in findings] == [
        ("buttock_pain", "right"),
        ("psis_tenderness", "left"),
    ]
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert findings[0].section == "chief_complaint"


def test_a_block_is_no_entrapment() -> None:
    assert [f.concept for f in find(["Right superior cluneal nerve block today."])[0]] == [
        "cluneal_block"
    ]


def test_it_reads_a_batch_in_order_and_an_empty_note_has_no_findings() -> None:
    found = find(["", "Lumbago.", "   ", "Clunealgia, left."])
    assert [[f.concept for f in fs] for fs in found] == [
        [],
        ["low_back_pain"],
        [],
        ["cluneal_entrapment"],
    ]


def test_to_json_has_every_field() -> None:
    assert set(one("Lumbago.").to_json()) == {
        "concept",
        "text",
        "start",
        "end",
        "side",
        "negated",
        "historical",
        "hypothetical",
        "uncertain",
        "family",
        "section",
    }


def test_it_refuses_a_note_longer_than_the_limit() -> None:
    with pytest.raises(NoteError, match="the limit is"):
        find(["low back pain. " * (MAX_CHARS // 14 + 1)])


def test_it_refuses_binary_and_non_text() -> None:
    with pytest.raises(NoteError, match="binary"):
        find(["pain\x00\x01"])
    with pytest.raises(NoteError, match="expected text"):
        find([b"bytes"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00p", "binary"),
        (b"caf\xe9 au lait", "not UTF-8"),
        (b"x" * (10 * 1024 * 1024), "the limit is"),
        (bytes(range(256)), "binary"),
    ],
)
def test_decoding_says_what_is_wrong(data: bytes, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        decode_note(data)


def test_decoding_accepts_a_byte_order_mark() -> None:
    assert decode_note("\ufefflumbago".encode()) == "lumbago"


def current_red_flags(text: str) -> list[str]:
    return [
        f.text
        for f in find([text])[0]
        if f.concept == "red_flag"
        and not (f.negated or f.family or f.historical or f.hypothetical or f.uncertain)
    ]


def test_the_review_of_systems_after_the_family_history_is_the_patients() -> None:
    text = "FAMILY HISTORY: Noncontributory.\nREVIEW OF SYSTEMS: Positive for urinary retention."
    assert current_red_flags(text) == ["urinary retention"]


def test_a_relatives_cancer_under_family_medical_history_does_not_count() -> None:
    assert current_red_flags("FAMILY MEDICAL HISTORY: Significant for lung cancer.") == []


def test_a_numbered_list_of_complications_is_hypothetical() -> None:
    text = (
        "Potential complications include, but are not limited to:,1.  Infection.,2.  Incontinence."
    )
    (f,) = find([text])[0]
    assert f.concept == "red_flag" and f.hypothetical


def test_screening_for_a_cancer_is_uncertain_but_evaluation_for_a_complaint_is_not() -> None:
    (cancer,) = find(["She is having a colonoscopy to screen for colon cancer."])[0]
    (pain,) = find(["She is here for evaluation for buttock pain."])[0]
    assert cancer.uncertain and not pain.uncertain


def test_non_invasive_and_skin_cancers_and_pelvic_floor_incontinence_are_no_red_flags() -> None:
    text = (
        "Excision of basal cell carcinoma. Ductal carcinoma in situ. Colon cancer screening. "
        "Stress urinary incontinence. Urge incontinence. Urinary urgency and incontinence."
    )
    assert find([text])[0] == []


def test_a_true_red_flag_still_counts() -> None:
    text = "Prostate cancer with metastatic disease to the spine and cauda equina syndrome."
    assert current_red_flags(text) == ["cancer", "metastatic disease", "cauda equina syndrome"]


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("BLE numbness.", "bilateral"),
        ("Pain in the RLE.", "right"),
        ("Tingling in the LLE.", "left"),
    ],
)
def test_a_lower_extremity_abbreviation_gives_its_side_to_its_own_finding(text, side) -> None:
    f = one(text)
    assert f.concept == "leg_symptoms" and f.side == side


def test_a_lower_extremity_abbreviation_gives_no_side_to_a_finding_near_it() -> None:
    f = one("CC: Low back pain with associated BLE weakness.")
    assert f.concept == "low_back_pain" and f.side is None


@pytest.mark.parametrize(
    "text",
    ["In 2000, she developed low back pain.", "In March 2019, he developed low back pain."],
)
def test_a_date_that_leads_its_sentence_makes_it_historical(text) -> None:
    assert one(text).historical


def test_a_date_inside_a_sentence_reaches_back_only() -> None:
    (finding,) = find(["Father died in 2001, at the age of 62, of cancer."])[0]
    assert finding.family and not finding.historical


@pytest.mark.parametrize("header", ["P:", "Plan:", "A/P: low back pain; plan"])
def test_a_procedure_in_the_plan_is_hypothetical(header) -> None:
    found = find([f"{header} superior cluneal nerve block."])[0]
    (block,) = [f for f in found if f.concept == "cluneal_block"]
    assert block.hypothetical
    assert not any(f.hypothetical for f in found if f.concept != "cluneal_block")


def test_a_complaint_under_a_soap_header_is_current() -> None:
    found = find(["S: Low back pain for 3 months. O: Tender over the left iliac crest."])[0]
    assert [(f.concept, f.hypothetical, f.historical) for f in found] == [
        ("low_back_pain", False, False),
        ("iliac_crest_tenderness", False, False),
    ]


@pytest.mark.parametrize(
    "text",
    ["There is possible sacroiliitis.", "It is likely sciatica.", "Sacroiliitis is likely."],
)
def test_is_possible_or_likely_makes_the_finding_on_either_side_uncertain(text) -> None:
    assert one(text).uncertain


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        # a side word does not reach across a negation or a clause's end
        ("Leg numbness on the left, no bowel incontinence.", [("leg_symptoms", "left")]),
        ("Buttock pain. Left hip replaced.", [("buttock_pain", None)]),
        # as near to two findings, it qualifies the one that follows it
        (
            "Low back pain with left leg radiculopathy.",
            [("low_back_pain", None), ("radiculopathy", "left")],
        ),
    ],
)
def test_a_side_word_goes_to_the_finding_it_qualifies(text, sides) -> None:
    found = find([text])[0]
    assert [(f.concept, f.side) for f in found if f.concept != "red_flag"] == sides


def test_an_excluded_long_match_hides_no_shorter_one_of_its_concept() -> None:
    found = find(["Leg pain and left leg radiculopathy."])[0]
    assert [f.concept for f in found] == ["leg_symptoms", "radiculopathy"]
