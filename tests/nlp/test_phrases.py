"""Word classes that hold phrases, and the round-4 rules written with the shared classes."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from cluneal.knowledge.lexicon_phrases import expanded, read_classes
from cluneal.knowledge.loader import PackError, default_pack, load_pack
from cluneal.nlp.finding import Finding
from cluneal.nlp.pipeline import find
from cluneal.validation import Node, Problems


def found(text: str) -> dict[str, Finding]:
    return {f.concept: f for f in find([text])[0]}


def test_a_class_keeps_its_words_and_its_phrases_apart() -> None:
    problems = Problems()
    raw = {"tender": ["tender", "ttp", "pain|painful to|on palpation"]}
    words, phrases = read_classes(Node(raw, "classes", problems))
    assert problems.found == []
    assert words == {"tender": ("tender", "ttp")}
    assert phrases == {"tender": (("pain|painful", "to|on", "palpation"),)}


def test_a_bad_phrase_or_a_class_of_phrases_only_is_a_problem() -> None:
    problems = Problems()
    read_classes(Node({"a": ["b", "pain ~2 palpation"], "c": ["d e"]}, "classes", problems))
    messages = {(p.path, p.message) for p in problems.found}
    assert ("classes.a[1]", "a phrase's items must each be a word or alternatives a|b") in messages
    assert ("classes.c", "a class with phrases needs at least one word") in messages


def test_a_sequence_gets_one_variant_per_phrase_of_its_class_items() -> None:
    phrases = {"tender": (("pain", "to", "palpation"),)}
    assert expanded(("@tender", "~9", "psis"), phrases) == [
        ("@tender", "~9", "psis"),
        ("pain", "to", "palpation", "~9", "psis"),
    ]
    assert expanded(("@tender?", "x", "@other"), phrases) == [
        ("@tender?", "x", "@other"),
        ("pain", "to", "palpation", "x", "@other"),
    ]
    assert expanded(("~3@tender", "psis"), phrases) == [("~3@tender", "psis")]


def test_the_default_lexicon_expands_its_tender_rules_and_keeps_words_in_the_class() -> None:
    lexicon = default_pack().lexicon
    assert all(" " not in word for words in lexicon.classes.values() for word in words)
    (psis,) = [c for c in lexicon.concepts if c.id == "psis_tenderness"]
    assert any(seq[:1] == ("pain|painful|sore|discomfort",) for seq in psis.sequences)
    assert any(seq[:1] == ("pain|painful|sore|discomfort",) for seq, _ in psis.lists)


def test_a_site_pack_with_a_bad_phrase_is_refused(tmp_path: Path) -> None:
    data = resources.files("cluneal.knowledge").joinpath("data", "lexicon.json")
    raw: dict[str, Any] = json.loads(data.read_text(encoding="utf-8"))
    raw["lexicon"]["classes"]["tender"].append("pain ~2 palpation")
    path = tmp_path / "site.json"
    site = {"extends": "cluneal-default", "name": "site", "version": "1", **raw}
    path.write_text(json.dumps(site), encoding="utf-8")
    with pytest.raises(PackError, match="a phrase's items"):
        load_pack(path)


@pytest.mark.parametrize(
    ("text", "concept", "side"),
    [
        ("Sore to touch over the left PSIS.", "psis_tenderness", "left"),
        ("Pain with firm palpation along the right crest.", "iliac_crest_tenderness", "right"),
        ("The PSIS on the right is painful to palpation.", "psis_tenderness", "right"),
        ("Discomfort on palpation over both SI joints.", "sacroiliac_joint_pain", "bilateral"),
        ("The posterior-superior iliac spine is tender on the left.", "psis_tenderness", "left"),
    ],
)
def test_tenderness_said_as_pain_on_palpation(text: str, concept: str, side: str) -> None:
    assert found(text)[concept].side == side


def test_a_list_reads_a_tenderness_phrase_as_its_head() -> None:
    f = find(["Pain to palpation over the left iliac crest, PSIS and SI joint."])[0]
    assert {x.concept for x in f} == {
        "iliac_crest_tenderness",
        "psis_tenderness",
        "sacroiliac_joint_pain",
    }


@pytest.mark.parametrize(
    "text",
    [
        "Palpation just lateral to the crest produces her usual pain.",
        "Pressure along the crest triggered burning pain into the buttock.",
        "Palpation over the iliac crest refers discomfort to the hip.",
        "Tinel sign was elicited over the left superior cluneal nerve.",
    ],
)
def test_pressure_that_brings_on_the_pain(text: str) -> None:
    assert "radiation_on_pressure" in found(text)


def test_a_pressure_sign_said_not_to_reproduce_is_negated() -> None:
    f = found("Deep palpation at the crest does not reproduce the pain.")
    assert f["radiation_on_pressure"].negated


def test_the_side_of_a_tinel_sign_is_where_it_was_elicited() -> None:
    f = found("Tinel's was positive at the left iliac crest with radiation into the buttock.")
    assert f["radiation_on_pressure"].side == "left"
    assert f["buttock_pain"].side is None


@pytest.mark.parametrize(
    "text",
    [
        "Palpation elicits tenderness over the left PSIS.",
        "An L1 compression fracture causing severe back pain.",
        "Palpation of the left lower quadrant reproduced the pain.",
    ],
)
def test_no_pressure_sign(text: str) -> None:
    assert "radiation_on_pressure" not in found(text)


def test_pain_reproduced_on_palpation_is_no_tenderness() -> None:
    f = found("Reproducible pain with palpation over the right PSIS.")
    assert "psis_tenderness" not in f and "radiation_on_pressure" in f


@pytest.mark.parametrize(
    "text",
    [
        "She has become incontinent of stool.",
        "He lost control of his bowels yesterday.",
        "Diminished saddle sensation on examination.",
        "Saddle-area numbness since this morning.",
        "Right foot drop, worsening over days.",
        "Leg weakness which has been progressing.",
        "No fevers, incontinence or retention.",
        "Metastatic melanoma diagnosed last year.",
    ],
)
def test_red_flags_written_other_ways(text: str) -> None:
    assert "red_flag" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mucous retention cyst of the maxillary sinus.",
        "Fluid retention managed with furosemide.",
        "Melanoma in situ of the left forearm, excised.",
        "Weakness that is getting better with therapy.",
        "Tibial crest tenderness after the kick.",
    ],
)
def test_red_flag_and_crest_distractors_give_nothing(text: str) -> None:
    assert found(text) == {}


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Disc extrusion compressing the descending right S1 nerve root.", "right"),
        ("Foraminal narrowing abutting the exiting L5 root on the left.", "left"),
        ("Sciatic-type pain on the right for a month.", "right"),
    ],
)
def test_radiculopathy_written_other_ways(text: str, side: str) -> None:
    assert found(text)["radiculopathy"].side == side


def test_an_aortic_root_is_no_nerve_root() -> None:
    assert found("Dilation compressing the aortic root.") == {}


def test_a_plural_subject_that_has_resolved_is_negated() -> None:
    assert found("Her radicular symptoms have resolved.")["radiculopathy"].negated


def test_a_limb_that_names_weakness_holds_no_leg_symptom() -> None:
    f = find(["Saddle numbness and worsening leg weakness."])[0]
    assert [x.concept for x in f] == ["red_flag", "red_flag"]
