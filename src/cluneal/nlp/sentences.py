"""Sentence starts for ConText, with each checklist entry made a sentence of its own.

ConText scopes a modifier to its sentence, so the sentence is what keeps one item's negation off
its neighbour. Prose sentences end at . ? ! and line breaks, runs of spaces or a HEADER:. Notes
also hold checklists, written as ``item separator value`` entries ("Saddle anaesthesia: none",
"Urinary retention - yes", "Fever<tab>nil"), several to a line (split by , ; or tabs) or one
to a line under a header. An entry is found from its value: a word of the lexicon's
``checklist`` values after a separator (its punctuation, or a run of spaces or a tab) and before
the end of the entry (, ; . a tab, a line break or the end of the note). Its item runs back to
the previous , ; tab, line break or sentence start. The entry becomes one sentence, and its
separator and value tokens are marked (the ``cluneal_checklist`` token attribute), so that a
ConText rule matching a separator and a negative value negates backwards within its own item,
and a "no" before one item never reaches the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc, Token

from cluneal.knowledge.lexicon import Checklist

#: The token attribute: "separator", "negative", "positive" or "" (a string for spaCy's Matcher).
CHECKLIST = "cluneal_checklist"
_SENTENCE_END = frozenset({".", "?", "!"})
_ITEM_DELIMITERS = frozenset({",", ";", "|"})
_NOT_AN_ITEM_END = _SENTENCE_END | _ITEM_DELIMITERS | {":"}


@dataclass(frozen=True)
class Entry:
    """A checklist entry, as token indices: item ``start:separator``, value ``value:end``."""

    start: int
    separator: int
    value: int
    end: int
    negative: bool


def register() -> None:
    if not Token.has_extension(CHECKLIST):
        Token.set_extension(CHECKLIST, default="")


def split_sentences(doc: Doc, checklist: Checklist | None = None) -> list[Entry]:
    """Mark sentence starts (prose and checklist entries); return the checklist entries."""
    starts = numpy.full((len(doc), 1), -1, dtype="int64")
    boundary = True
    upper = False
    for i, token in enumerate(doc):
        text = token.text
        if token.is_space:
            boundary = True
            continue
        if boundary:
            starts[i, 0] = 1
        boundary = text in _SENTENCE_END or "\n" in token.whitespace_ or (text == ":" and upper)
        upper = token.is_upper
    entries = _entries(doc, starts, checklist) if checklist else []
    # Setting token.is_sent_start one by one checks the whole doc each time (quadratic).
    doc.from_array([SENT_START], starts)  # type: ignore[arg-type]
    return entries


def _entries(doc: Doc, starts: numpy.ndarray, checklist: Checklist) -> list[Entry]:  # type: ignore[type-arg]
    values = sorted(
        [(words, True) for words in checklist.negative]
        + [(words, False) for words in checklist.positive],
        key=lambda v: -len(v[0]),
    )
    firsts = {words[0] for words, _ in values}
    out: list[Entry] = []
    n, i = len(doc), 0
    while i < n:
        if doc[i].lower_ not in firsts and doc[i].lower_ != "no.":
            i += 1
            continue
        found = next((v for v in values if _words_at(doc, i, v[0])), None)
        end = i + len(found[0]) if found else i
        # A dash is a value ("Fever: -") only after other punctuation, else it is the separator.
        dash = found is not None and found[0][0] in checklist.separators
        separator = _separator(doc, i, checklist.separators, dash) if found else None
        if found is None or separator is None or not _ends_entry(doc, end):
            i += 1
            continue
        start = separator - 1
        while start > 0 and not (
            starts[start, 0] == 1
            or doc[start - 1].is_space
            or doc[start - 1].text in _ITEM_DELIMITERS
            or "\n" in doc[start - 1].whitespace_
        ):
            start -= 1
        starts[start, 0] = 1
        starts[start + 1 : end, 0] = -1
        after = end + 1 if end < n and doc[end].text in _NOT_AN_ITEM_END else end
        while after < n and doc[after].is_space:
            after += 1
        if after < n:
            starts[after, 0] = 1
        for k in range(separator, i):
            doc[k]._.set(CHECKLIST, "separator")
        for k in range(i, end):
            doc[k]._.set(CHECKLIST, "negative" if found[1] else "positive")
        out.append(Entry(start, separator, i, end, found[1]))
        i = end
    return out


def _words_at(doc: Doc, i: int, words: tuple[str, ...]) -> bool:
    # The tokenizer keeps "No." (number) whole: as a value it is "no" and a full stop.
    return i + len(words) <= len(doc) and all(
        doc[i + k].lower_ in (word, word + ".") for k, word in enumerate(words)
    )


def _separator(
    doc: Doc, value: int, separators: frozenset[str], punctuation_needed: bool
) -> int | None:
    """The first separator token before a value, when a non-empty item precedes it."""
    j, punctuation = value - 1, False
    while j > 0:
        token = doc[j]
        if token.is_space and "\n" not in token.text:
            j -= 1
        elif token.text in separators and not punctuation:
            punctuation = True
            j -= 1
        else:
            break
    item_end = doc[j]
    if j == value - 1 or item_end.is_space or item_end.text in _NOT_AN_ITEM_END:
        return None
    if punctuation_needed and not punctuation:
        return None
    return j + 1


def _ends_entry(doc: Doc, end: int) -> bool:
    if end == len(doc) or doc[end - 1].lower_ == "no.":
        return True
    token = doc[end]
    return token.is_space or token.text in _ITEM_DELIMITERS or token.text in _SENTENCE_END
