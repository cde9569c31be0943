"""The prefiltered pipeline finds exactly what the full pipeline finds, on every corpus.

The full pipeline (:meth:`Pipeline.find_full`) runs spaCy over every note whole; the default
(:meth:`Pipeline.find`) reads only the pieces the prefilter chooses. Same concept, offsets,
side, every ConText attribute and section, note by note.
"""

from __future__ import annotations

import base64
import json
import random
import re
from pathlib import Path

import pytest

from cluneal.nlp.pipeline import pipeline
from cluneal.nlp.prefilter import Prefilter, spellings

PIPELINE = pipeline()


def same_findings(texts: list[str]) -> None:
    fast, full = PIPELINE.find(texts), PIPELINE.find_full(texts)
    assert len(fast) == len(full) == len(texts)
    for i, (a, b) in enumerate(zip(fast, full, strict=True)):
        assert a == b, f"note {i}: {texts[i][:200]!r}"


def annotated(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    markup = re.compile(r"\[([^\]]*)\]\([^)]*\)")
    return [markup.sub(r"\1", line) for line in lines if line.strip() and not line.startswith("#")]


def test_every_mtsamples_note(shared: Path) -> None:
    rdata = pytest.importorskip("rdata")
    frame = rdata.read_rda(str(shared / "external/mtsamples/mtsamples.rda"))["mtsamples"]
    texts = [t if isinstance(t, str) else "" for t in frame["transcription"]]
    assert len(texts) == 4999
    same_findings(texts)


def test_every_synthea_note(shared: Path) -> None:
    texts = []
    path = shared / "external/synthea-bulk-10/DocumentReference.000.ndjson"
    for line in path.read_text(encoding="utf-8").splitlines():
        for content in json.loads(line).get("content", []):
            attachment = content.get("attachment", {})
            if attachment.get("contentType", "").startswith("text/plain"):
                texts.append(base64.b64decode(attachment["data"]).decode("utf-8"))
    assert len(texts) > 1000
    same_findings(texts)


@pytest.mark.parametrize("name", ["sentences.txt", "development.txt", "heldout.txt"])
def test_every_annotated_set_as_notes_and_as_one_long_note(name: str, data_dir: Path) -> None:
    sentences = annotated(data_dir / "notes" / name)
    assert len(sentences) > 300
    same_findings(sentences)
    # the same sentences run together, in the layouts notes use between sentences
    for sep in ("  ", "\n", " ", "\t", "\n\n", ".,", " \u00a0"):
        same_findings([sep.join(sentences[k : k + 40]) for k in range(0, len(sentences), 40)])


def _concept_phrases() -> list[str]:
    out = []
    for concept in PIPELINE.lexicon.concepts:
        out += list(concept.terms)
        for sequence in concept.sequences:
            words = []
            for item in sequence:
                if item.startswith("~"):
                    words.append("the")
                    continue
                body = item.removesuffix("?")
                options = (
                    PIPELINE.lexicon.classes[body[1:]] if body.startswith("@") else body.split("|")
                )
                first = options[0]
                words.append(first.removesuffix("*") + ("ing" if first.endswith("*") else ""))
            out.append(" ".join(words))
    return out


def test_a_generated_family_of_notes() -> None:
    """Lexicon phrases, cues, checklists and headers put together with every kind of space,
    sentence end and abbreviation the cuts depend on."""
    rng = random.Random(20261201)  # noqa: S311 (test data, not secrets)
    phrases = [
        *_concept_phrases(),
        "low back, left buttock and leg pain",
        "pain in the low back, buttock and thigh",
        "tenderness over the iliac crest, PSIS and SI joint",
        "?Tinel over the crest",
    ]
    cues = ["no", "denies", "history of", "possible", "mother had", "we will consider", "not"]
    headers = ["PAST MEDICAL HISTORY:", "FAMILY HISTORY:", "Plan:", "REVIEW OF SYSTEMS:", "HX"]
    headers += ["PMH -", "FHx:", "ASSESSMENT AND PLAN:", "Recommendations:", "PAST HX:"]
    values = ["no", "none", "nil", "negative", "yes", "present", "denies", "normal"]
    seps = [" ", "  ", "\n", "\t", ". ", ".  ", ", ", "; ", " - ", ": ", ".,", "\r\n", "\u2003"]
    words = ["Dr.", "e.g.", "No.", "L4-5.", "pain.", "left", "right", "bilateral", "the", "was"]
    texts = []
    for _ in range(1500):
        parts = []
        for _ in range(rng.randint(1, 25)):
            kind = rng.random()
            if kind < 0.35:
                parts.append(rng.choice(cues) + " " + rng.choice(phrases))
            elif kind < 0.55:
                parts.append(rng.choice(phrases))
            elif kind < 0.7:
                entry = rng.choice([": ", " - ", "\t"]) + rng.choice(values)
                parts.append(rng.choice(phrases) + entry)
            elif kind < 0.8:
                parts.append(rng.choice(headers))
            else:
                parts.append(" ".join(rng.choices(words, k=rng.randint(1, 6))))
            parts.append(rng.choice(seps))
        texts.append("".join(parts))
    same_findings(texts)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("one two", ["one two"]),
        ("one  two", ["one", "two"]),
        ("one\ttwo\nthree", ["one", "two", "three"]),
        ("one \u00a0two", ["one", "two"]),
        (" one", ["one"]),
        ("pain. Left buttock", ["pain.", "Left buttock"]),
        ("Dr. Smith saw her", ["Dr. Smith saw her"]),  # an abbreviation ends no sentence
        ("No. 5 was given", ["No. 5 was given"]),
        ("3.5 mm. Next", ["3.5 mm.", "Next"]),
        ("pain.Left", ["pain.Left"]),  # no space: no cut
        ("(pain). Left", ["(pain). Left"]),  # punctuation before the stop: no cut, to be safe
        ("obesity.,PROCEDURE: , Bypass", ["obesity", "PROCEDURE: , Bypass"]),
        ("L5.,PLAN", ["L5.,PLAN"]),  # a digit before the stop: the tokenizer keeps "L5."
        # a prefix after the comma stays on its word inside "incontinence.,?Tinel"; cut there,
        # the piece's first token would lose it
        ("incontinence.,?Tinel over", ["incontinence.,?Tinel over"]),
        ("pain.,(see above)", ["pain.,(see above)"]),
        ("Dr.,Smith", ["Dr.,Smith"]),
        ("Fever\tnil, chills  no", ["Fever\tnil, chills  no"]),  # checklist entries stay whole
        ("Fever\n nil", ["Fever", "nil"]),  # a line break is no entry's separator
    ],
)
def test_pieces_end_where_a_whitespace_token_or_a_sentence_end_is(text, pieces):
    plan = _plan_all(text)
    assert [text[s:e] for s, e in plan] == pieces


def _plan_all(text: str) -> list[tuple[int, int]]:
    from cluneal.nlp.pieces import Pieces as _Pieces

    pf = PIPELINE.prefilter
    around = _Pieces(text, pf.abbreviations, pf.sentences, pf.values, pf.commas, pf.prefix)
    found: list[tuple[int, int]] = []
    for i, c in enumerate(text):
        if c.isalnum():
            piece = around(i)
            if piece not in found:
                found.append(piece)
    return found


def test_a_phrase_is_looked_for_in_every_spacing_of_its_tokens():
    assert spellings(["a", ":"]) == ("a:", "a :")
    assert len(spellings(["past", "medical", "history", ":"])) == 8


def test_a_note_without_any_anchor_never_reaches_spacy():
    assert PIPELINE.prefilter.plan("The patient is a 30-year-old man with a cough.") == []
    assert PIPELINE.prefilter.plan("Low back pain for 3 months.") != []


def test_a_rule_with_nothing_to_look_for_reads_every_note_whole():
    prefilter = Prefilter.build([("anything", [], None)])
    assert prefilter.unconditional and prefilter.plan("anything") is None


def test_with_a_finding_goes_the_nearest_piece_that_may_hold_a_section_header():
    text = "PAST MEDICAL HISTORY: diabetes. She signed the consent. Low back pain for 3 months."
    regions = PIPELINE.prefilter.regions(text)
    assert regions is not None
    # "consent." is not the header "CONSENT:", so the nearest header is the history's
    assert text[regions[0].start : regions[0].end] == "PAST MEDICAL HISTORY: diabetes."
    assert [f.section for f in PIPELINE.find([text])[0]] == ["past_medical_history"]


def test_a_piece_chosen_for_a_header_it_does_not_hold_sends_the_note_back_with_every_header():
    # the tokenizer keeps "@consent" whole: no CONSENT: header, though the text spells one
    text = "PAST MEDICAL HISTORY: diabetes. Form @consent: sent. Low back pain for 3 months."
    nearest = PIPELINE.prefilter.regions(text)
    assert nearest is not None and "PAST" not in text[nearest[0].start : nearest[0].end]
    assert nearest[0].headers  # to be checked by the pipeline
    every = PIPELINE.prefilter.regions(text, every_header=True)
    assert every is not None and text[every[0].start : every[0].end].startswith("PAST")
    found = PIPELINE.find([text])
    assert found == PIPELINE.find_full([text])
    assert [f.section for f in found[0]] == ["past_medical_history"]


def test_a_rules_items_further_apart_than_its_longest_match_choose_no_piece():
    far = (
        "Her back was examined today in the clinic by the whole team of doctors and nurses "
        "and therapists who were all present, and there is no sign of any trouble or pain."
    )
    assert PIPELINE.prefilter.plan(far) == []
    assert PIPELINE.find([far]) == PIPELINE.find_full([far]) == [[]]
    near = "Her back pain was examined today in the clinic."
    assert PIPELINE.prefilter.plan(near) == [(0, len(near))]


def test_each_target_piece_lists_the_rules_that_may_match_in_it():
    text = "Buttock pain on the left.  No fever.  Low back pain."
    regions = PIPELINE.prefilter.regions(text) or []
    pieces = {text[s:e]: keys for r in regions for s, e, keys in r.targets}
    assert set(pieces) == {"Buttock pain on the left.", "Low back pain."}
    assert {key[0] for key in pieces["Buttock pain on the left."]} >= {"buttock_pain"}
    assert "buttock_pain" not in {key[0] for key in pieces["Low back pain."]}
    assert "low_back_pain" in {key[0] for key in pieces["Low back pain."]}
