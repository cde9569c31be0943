"""Patterns tried only where their first word is find what one matcher of every pattern finds."""

from __future__ import annotations

import random

import spacy
from spacy.attrs import LOWER
from spacy.matcher import Matcher

from cluneal.nlp.anchored import Anchored, most_tokens
from cluneal.nlp.pipeline import pipeline

PIPELINE = pipeline()


def _patterns() -> list[list[dict]]:
    """The cue patterns of the lexicon, and patterns of every other shape."""
    patterns = [rule.pattern for rule in PIPELINE.cues.rules.values() if rule.pattern]
    patterns += [
        [{"LOWER": {"REGEX": "^hist"}}, {"LOWER": "of"}],  # led by no plain word
        [{"LOWER": "no"}, {"LOWER": {"NOT_IN": ["."]}, "OP": "+"}],  # no longest match
        [{"LOWER": "no"}, {"LOWER": "pain", "OP": "?"}],
        [{"LOWER": "no"}],
        [{"LOWER": {"IN": ["no", "denies"]}}, {"LOWER": "pain"}],
    ]
    return patterns


def test_the_same_matches_as_one_matcher_of_every_pattern_in_the_same_order_per_tokens():
    nlp = spacy.blank("en")
    patterns = _patterns()
    every, anchored = Matcher(nlp.vocab), Anchored(nlp.vocab)
    for n, pattern in enumerate(patterns):
        every.add(f"p{n}", [pattern])
        anchored.add(f"p{n}", pattern)
    words = sorted({p[0]["LOWER"] for p in patterns if isinstance(p[0]["LOWER"], str)})
    words += ["pain", "history", "of", ".", "the", "buttock", "left", "denies", ","]
    rng = random.Random(7)  # noqa: S311 (test data)
    for _ in range(400):
        doc = nlp(" ".join(rng.choices(words, k=rng.randint(1, 40))))
        lowers = doc.to_array(LOWER).tolist()
        start = rng.randint(0, len(doc) - 1)
        end = rng.randint(start + 1, len(doc))
        expected = [(k, start + s, start + e) for k, s, e in every(doc[start:end])]
        found = anchored(doc, start, end, lowers)
        assert sorted((m.key, m.start, m.end) for m in found) == sorted(expected)
        for tokens in {(s, e) for _, s, e in expected}:
            if any(m.anywhere for m in found if (m.start, m.end) == tokens):
                continue  # from two calls: the caller re-matches (Cues.matches)
            want = [k for k, s, e in expected if (s, e) == tokens]
            got = [m.key for m in sorted(found) if (m.start, m.end) == tokens]
            assert got == want, doc.text


def test_the_longest_match_of_a_pattern():
    assert most_tokens([{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}]) == 2
    assert most_tokens([{"LOWER": "a"}, {"IS_SPACE": False, "OP": "{0,5}"}]) == 6
    assert most_tokens([{"LOWER": "a"}, {"LOWER": "b", "OP": "+"}]) is None
    assert most_tokens([{"LOWER": "a"}, {"LOWER": "b", "OP": "{2,}"}]) is None
