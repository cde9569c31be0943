"""Findings told in other orders and structures: tenderness after its landmark and a clause,
nested negation ("no tenderness except over ..."), findings that run over an entry's colon, and
red flags written other ways (and what is none). Written for development round 5 (issue 14)."""

from __future__ import annotations

import pytest

from cluneal.nlp.finding import Finding
from cluneal.nlp.pipeline import find


def found(text: str) -> dict[str, Finding]:
    return {f.concept: f for f in find([text])[0]}


@pytest.mark.parametrize(
    ("text", "concept", "side"),
    [
        ("Deep palpation at the PSIS on the left is painful.", "psis_tenderness", "left"),
        (
            "The area over the left PSIS, when palpated firmly, is tender.",
            "psis_tenderness",
            "left",
        ),
        ("The right PSIS: tender.", "psis_tenderness", "right"),
        ("Tender: R iliac crest.", "iliac_crest_tenderness", "right"),
        ("SIJ: tender on the right.", "sacroiliac_joint_pain", "right"),
        ("SIJD, R>L.", "sacroiliac_joint_pain", "right"),
        ("Pressure over L crest: reproduces pain.", "radiation_on_pressure", "left"),
        (
            "I pressed on the R PSIS; this recreated his typical pain.",
            "radiation_on_pressure",
            "right",
        ),
    ],
)
def test_round_5_structures_are_found_with_their_side(text: str, concept: str, side: str) -> None:
    finding = found(text)[concept]
    assert finding.side == side and not finding.negated


@pytest.mark.parametrize(
    "text",
    [
        "No tenderness except over the right PSIS.",
        "Nontender to palpation other than at the left PSIS.",
        "No tenderness except over the left SI joint.",
    ],
)
def test_the_exception_to_a_negation_is_asserted(text: str) -> None:
    (finding,) = find([text])[0]
    assert not finding.negated


def test_a_negation_without_an_exception_still_negates() -> None:
    assert found("No tenderness over the right PSIS.")["psis_tenderness"].negated


@pytest.mark.parametrize(
    "text",
    [
        "She cannot feel when she voids.",
        "Rectal exam: loss of rectal tone.",
        "Numbness in the groin and inner thighs since yesterday.",
        "Known lung primary.",
        "Hx of breast CA; now with bony mets on bone scan.",
        "CES cannot be ruled out.",
    ],
)
def test_red_flags_written_other_ways(text: str) -> None:
    assert set(found(text)) == {"red_flag"}


@pytest.mark.parametrize(
    "text",
    [
        "Urinary retention after TURP, resolved with a catheter.",
        "Acute urinary retention secondary to BPH.",
        "The patient works as a nurse at the cancer center.",
        "Incontinence pads for mixed incontinence.",
        "Normal rectal tone.",
        "She can feel when she voids.",
    ],
)
def test_red_flag_distractors_give_nothing(text: str) -> None:
    assert find([text]) == [[]]
