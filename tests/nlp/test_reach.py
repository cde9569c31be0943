"""Section headers normalised to categories, and cues whose reach ends with their clause."""

from __future__ import annotations

from cluneal.nlp.finding import Finding
from cluneal.nlp.pipeline import find


def by_concept(text: str) -> dict[str, Finding]:
    return {f.concept: f for f in find([text])[0]}


def test_past_history_headers_in_many_styles_make_findings_historical() -> None:
    for header in ("PAST MEDICAL CONDITIONS:", "PMHx:", "Past Hx:", "PSH:", "Surgical Hx:"):
        f = by_concept(f"{header} Lumbar fusion. HPI: Left buttock pain.")
        assert f["lumbar_fusion"].historical, header
        assert not f["buttock_pain"].historical, header


def test_family_history_abbreviations_make_findings_the_familys() -> None:
    for header in ("FHX:", "FH:", "Family Hx:"):
        assert by_concept(f"{header} Colon cancer in her father.")["red_flag"].family, header


def test_a_plan_section_makes_procedures_hypothetical_but_not_complaints() -> None:
    f = by_concept("PLAN: Left SCN block. Physical therapy for low back pain.")
    assert f["cluneal_block"].hypothetical and f["cluneal_block"].section == "plan"
    assert not f["low_back_pain"].hypothetical


def test_the_assessment_and_plan_header_is_an_assessment() -> None:
    f = by_concept("ASSESSMENT AND PLAN: Superior cluneal nerve entrapment.")
    assert f["cluneal_entrapment"].section == "observation_and_plan"
    assert not f["cluneal_entrapment"].hypothetical


def test_a_bare_hx_header_heads_the_present_illness() -> None:
    f = by_concept("CC: Back pain. HX: This 59 y/o man has had low back pain for 2 weeks.")
    assert not f["low_back_pain"].historical


def test_a_relative_spoken_to_does_not_make_the_finding_theirs() -> None:
    text = "The findings were discussed with the mother, and her left buttock pain is better."
    assert not by_concept(text)["buttock_pain"].family
    assert not by_concept("Per her mother, she has had buttock pain.")["buttock_pain"].family
    assert by_concept("Her mother had breast cancer.")["red_flag"].family


def test_had_a_reaches_its_own_object_only() -> None:
    assert by_concept("She had a lumbar fusion in 2015.")["lumbar_fusion"].historical
    text = "She had a coughing spell and her buttock pain is worse since then."
    assert not by_concept(text)["buttock_pain"].historical


def test_a_new_clause_ends_a_cue() -> None:
    f = by_concept("Her mother had breast cancer and the patient has low back pain.")
    assert f["red_flag"].family and not f["low_back_pain"].family
    assert not by_concept("Denies trauma and has right buttock pain.")["buttock_pain"].negated


def test_a_suggested_procedure_is_hypothetical_a_complaint_is_not() -> None:
    assert by_concept("A cluneal nerve block was suggested.")["cluneal_block"].hypothetical
    text = "Chronic back pain, and he was advised to see a physiatrist."
    assert not by_concept(text)["low_back_pain"].hypothetical


def test_a_leading_question_mark_makes_a_query() -> None:
    assert by_concept("?Tinel over the left iliac crest.")["radiation_on_pressure"].uncertain
    assert by_concept("? sacroiliitis")["sacroiliac_joint_pain"].uncertain
