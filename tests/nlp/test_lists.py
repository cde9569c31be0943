"""Lists that share one head noun give one finding per item (:mod:`cluneal.nlp.lists`)."""

from __future__ import annotations

from cluneal.nlp.pipeline import find


def found(text: str) -> list[tuple[str, str, str | None]]:
    return [(f.concept, f.text, f.side) for f in find([text])[0]]


def test_it_reads_three_findings_in_a_list_before_its_head() -> None:
    assert found("She reports low back, left buttock and leg pain.") == [
        ("low_back_pain", "low back", None),
        ("buttock_pain", "buttock", "left"),
        ("leg_symptoms", "leg pain", None),
    ]


def test_it_reads_the_items_of_a_list_after_its_head() -> None:
    assert [c for c, _, _ in found("Pain in the lower back, buttocks and legs.")] == [
        "low_back_pain",
        "buttock_pain",
        "leg_symptoms",
    ]


def test_a_tenderness_list_gives_each_landmark_and_the_side_stays_with_its_word() -> None:
    assert found("Tenderness over the left iliac crest, PSIS and SI joint.") == [
        ("iliac_crest_tenderness", "Tenderness over the left iliac crest", "left"),
        ("psis_tenderness", "PSIS", None),
        ("sacroiliac_joint_pain", "SI joint", None),
    ]


def test_items_that_name_no_concept_stay_in_the_list_but_give_nothing() -> None:
    assert found("Neck, hip and low back pain.") == [("low_back_pain", "low back pain", None)]
    assert found("Low back and hip pain on the left.") == [("low_back_pain", "Low back", None)]
    assert found("Knee, ankle and hip pain.") == []


def test_a_higher_back_in_a_list_is_no_low_back_pain() -> None:
    assert found("Upper back and buttock pain.") == [("buttock_pain", "buttock pain", None)]


def test_a_shared_negation_reaches_every_item() -> None:
    findings = find(["He denies low back, buttock or leg pain."])[0]
    assert [f.concept for f in findings] == ["low_back_pain", "buttock_pain", "leg_symptoms"]
    assert all(f.negated for f in findings)


def test_a_list_needs_another_item_and_its_head() -> None:
    assert found("Low back, then the knee.") == []
    assert found("Low back, and pain in the neck.") == []
