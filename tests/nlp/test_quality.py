"""Precision and recall on the annotated sentences, and a clean run over MTSamples.

The same figures are printed by ``python -m cluneal.nlp.evaluate tests/data/notes/sentences.txt``
(the first development set, held to the goal of 0.9), ``... development.txt`` (the second, of
issue 14: over 1,000 notes annotated before the rules were run on them, held to floors just below
its measured figures) and ``... heldout.txt`` (a held-out set annotated without sight of the
rules: it measures how the rules generalise, and is held to floors below its figures measured
once, so that a change that makes them worse fails).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cluneal.nlp.evaluate import Sentence, parse_annotated, score
from cluneal.nlp.pipeline import find

#: Development-set floors: its lowest measured figures (precision 0.974, recall 0.925, both
#: leg_symptoms, after rounds 2 and 3 added radiation told at length; 0.983 and 0.928 after
#: round 4; 0.984 and 0.931 after round 6), rounded down, for every concept and attribute.
DEVELOPMENT_PRECISION, DEVELOPMENT_RECALL = 0.97, 0.93
GOAL = 0.9
#: Held-out floors: the lowest figures measured after issue 14's round 6 (recall 0.769,
#: psis_tenderness; precision 0.915, red_flag), rounded down; before the issue 0.54, 0.87.
HELD_OUT_PRECISION, HELD_OUT_RECALL = 0.91, 0.76


def annotated_set(data_dir: Path, name: str) -> list[Sentence]:
    """One of the annotated sets of tests/data/notes, parsed."""
    return parse_annotated((data_dir / "notes" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scores(data_dir: Path):  # type: ignore[no-untyped-def]
    return score(annotated_set(data_dir, "sentences.txt"), find)


def test_the_set_has_at_least_300_sentences(data_dir: Path) -> None:
    assert len(annotated_set(data_dir, "sentences.txt")) >= 300


def test_the_markup_is_parsed_into_offsets() -> None:
    (sentence,) = parse_annotated("Pt has [left buttock pain](buttock_pain left negated).\n")
    (gold,) = sentence.gold
    assert sentence.text[gold.start : gold.end] == "left buttock pain"
    assert gold.side == "left" and gold.flags == {"negated"}


def test_every_concept_reaches_the_goal(scores) -> None:  # type: ignore[no-untyped-def]
    low = {
        name: (round(c.precision, 3), round(c.recall, 3))
        for name, c in scores.concepts.items()
        if c.precision < GOAL or c.recall < GOAL
    }
    assert low == {}


def test_every_context_attribute_reaches_the_goal(scores) -> None:  # type: ignore[no-untyped-def]
    low = {
        name: (round(c.precision, 3), round(c.recall, 3))
        for name, c in scores.attributes.items()
        if c.precision < GOAL or c.recall < GOAL
    }
    assert low == {}


def test_the_development_set_stays_above_its_floors(data_dir: Path) -> None:
    sentences = annotated_set(data_dir, "development.txt")
    assert len(sentences) >= 1000
    scores = score(sentences, find)
    rows = {**scores.concepts, **scores.attributes}
    low = {
        name: (round(c.precision, 3), round(c.recall, 3))
        for name, c in rows.items()
        if c.precision < DEVELOPMENT_PRECISION or c.recall < DEVELOPMENT_RECALL
    }
    assert low == {}


def test_mtsamples_runs_end_to_end_without_cluneal_entrapment(shared: Path) -> None:
    rdata = pytest.importorskip("rdata")
    path = shared / "external" / "mtsamples" / "mtsamples.rda"
    if not path.exists():
        pytest.skip("MTSamples is not beside the checkout")
    frame = rdata.read_rda(str(path))["mtsamples"]
    texts = [t if isinstance(t, str) else "" for t in frame["transcription"]]
    found = find(texts)
    assert len(found) == len(texts) > 4000
    assert sum(f.concept == "cluneal_entrapment" for fs in found for f in fs) == 0
    assert sum(bool(fs) for fs in found) > 500


def test_the_held_out_set_stays_above_its_floors(data_dir: Path) -> None:
    sentences = annotated_set(data_dir, "heldout.txt")
    assert len(sentences) >= 300
    scores = score(sentences, find)
    rows = {**scores.concepts, **scores.attributes}
    low = {
        name: (round(c.precision, 3), round(c.recall, 3))
        for name, c in rows.items()
        if c.precision < HELD_OUT_PRECISION or c.recall < HELD_OUT_RECALL
    }
    assert low == {}


@pytest.mark.parametrize(
    "text",
    [
        "Knee pain on the right after a fall.",
        "Thoracic back pain after lifting.",
        "Mid-back pain for two weeks.",
        "Incision and drainage of a left gluteal abscess.",
        "The buttocks were prepped and draped in the usual sterile fashion.",
        "A left SI joint injection was performed under fluoroscopy.",
        "Fever of 102 with cough and rhinorrhea.",
        "Anterior interbody fusion C6-C7.",
        "Cervical fusion C4-C6 in 2012.",
        "Knee, ankle and hip pain since the marathon.",
        "Upper and mid back pain after lifting.",
    ],
)
def test_the_issues_distractors_give_nothing(text: str) -> None:
    assert find([text]) == [[]]
