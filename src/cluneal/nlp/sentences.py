"""Sentence starts for ConText, with each checklist entry made a sentence of its own.

ConText scopes a modifier to its sentence, so the sentence is what keeps one item's negation off
its neighbour. Prose sentences end at . ? ! and line breaks, runs of spaces or a HEADER:; a "?"
at the start of a sentence or after punctuation is a query ("? sacroiliitis"), no end. Notes
also hold checklists, written as ``item separator value`` entries ("Saddle anaesthesia: none",
"Urinary retention - yes", "Fever<tab>nil"), several to a line (split by , ; or tabs) or one
to a line under a header. An entry is found from its value: a word of the lexicon's
``checklist`` values after a separator (its punctuation, or a run of spaces or a tab) and before
the end of the entry (, ; . a tab, a line break or the end of the note). Its item runs back to
the previous , ; tab, line break or sentence start. The entry becomes one sentence, so that no
ConText cue reaches across it ("No fever, urinary retention: yes"), and the pipeline negates the
item of an entry whose value is negative, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE, IS_UPPER, LOWER, ORTH, SENT_START
from spacy.strings import hash_string
from spacy.tokens import Doc

from cluneal.knowledge.lexicon import Checklist

_SENTENCE_END = frozenset({".", "?", "!"})
_ITEM_DELIMITERS = frozenset({",", ";", "|"})
_NOT_AN_ITEM_END = _SENTENCE_END | _ITEM_DELIMITERS | {":"}
#: The tokenizer keeps "No." (number) whole: as a value it is "no" and a full stop.
_NO_STOP = "no."
_COLUMNS = [ORTH, LOWER, IS_SPACE, IS_UPPER, IS_PUNCT]
_ENDS = frozenset(hash_string(end) for end in _SENTENCE_END)
_QUERY, _COLON = hash_string("?"), hash_string(":")


@dataclass(frozen=True)
class Entry:
    """A checklist entry, as token indices: item ``start:separator``, value ``value:end``."""

    start: int
    separator: int
    value: int
    end: int
    negative: bool


def split_sentences(doc: Doc, checklist: Checklist | None = None) -> list[Entry]:
    """Mark sentence starts (prose and checklist entries); return the checklist entries."""
    n = len(doc)
    starts = numpy.full((n, 1), -1, dtype="int64")
    columns = doc.to_array(_COLUMNS).T.tolist() if n else [[]] * len(_COLUMNS)
    orth, lower, space, upper, punct = columns
    boundary, previous_upper, previous_punct = True, False, False
    firsts = []
    for i in range(n):
        if space[i]:
            boundary = True
            continue
        if boundary:
            firsts.append(i)
        # a "?" that leads ("? sacroiliitis", "Imp: ? SIJ") is a query, not a sentence end
        query = orth[i] == _QUERY and (boundary or previous_punct)
        boundary = (orth[i] in _ENDS and not query) or (orth[i] == _COLON and previous_upper)
        previous_upper, previous_punct = upper[i], punct[i]
    starts[firsts, 0] = 1
    entries = []
    if checklist:
        strings = doc.vocab.strings
        lowers = [strings[h] for h in lower]
        entries = _entries(lowers, [bool(x) for x in space], starts, checklist)
    # Setting token.is_sent_start one by one checks the whole doc each time (quadratic).
    doc.from_array([SENT_START], starts)  # type: ignore[arg-type]
    return entries


def _entries(
    lowers: list[str],
    spaces: list[bool],
    starts: numpy.ndarray,  # type: ignore[type-arg]
    checklist: Checklist,
) -> list[Entry]:
    starting = _values(checklist)
    out: list[Entry] = []
    n, done = len(lowers), 0  # tokens before ``done`` are in an entry found
    for i in [k for k, word in enumerate(lowers) if word in starting]:
        if i < done:
            continue
        found = next((v for v in starting[lowers[i]] if _words_at(lowers, i, v[0])), None)
        end = i + len(found[0]) if found else i
        # A dash is a value ("Fever: -") only after other punctuation, else it is the separator.
        dash = found is not None and found[0][0] in checklist.separators
        separator = _separator(lowers, spaces, i, checklist.separators, dash) if found else None
        if found is None or separator is None or not _ends_entry(lowers, spaces, end):
            continue
        start = separator - 1
        while start > 0 and not (
            starts[start, 0] == 1 or spaces[start - 1] or lowers[start - 1] in _ITEM_DELIMITERS
        ):
            start -= 1
        starts[start, 0] = 1
        starts[start + 1 : end, 0] = -1
        after = end + 1 if end < n and lowers[end] in _NOT_AN_ITEM_END else end
        while after < n and spaces[after]:
            after += 1
        if after < n:
            starts[after, 0] = 1
        out.append(Entry(start, separator, i, end, found[1]))
        done = end
    return out


@lru_cache(maxsize=8)
def _values(checklist: Checklist) -> dict[str, list[tuple[tuple[str, ...], bool]]]:
    """Per word that may start a value (and "no."), the values it starts, longest first, each
    with whether it is negative."""
    values = sorted(
        [(words, True) for words in checklist.negative]
        + [(words, False) for words in checklist.positive],
        key=lambda v: -len(v[0]),
    )
    firsts = {words[0] for words, _ in values} | {_NO_STOP}
    return {f: [v for v in values if f in (v[0][0], v[0][0] + ".")] for f in firsts}


def _words_at(lowers: list[str], i: int, words: tuple[str, ...]) -> bool:
    return i + len(words) <= len(lowers) and all(
        lowers[i + k] in (word, word + ".") for k, word in enumerate(words)
    )


def _separator(
    lowers: list[str],
    spaces: list[bool],
    value: int,
    separators: frozenset[str],
    punctuation_needed: bool,
) -> int | None:
    """The first separator token before a value, when a non-empty item precedes it."""
    j, punctuation = value - 1, False
    while j > 0:
        if spaces[j] and "\n" not in lowers[j]:
            j -= 1
        elif lowers[j] in separators and not punctuation:
            punctuation = True
            j -= 1
        else:
            break
    if j == value - 1 or spaces[j] or lowers[j] in _NOT_AN_ITEM_END:
        return None
    if punctuation_needed and not punctuation:
        return None
    return j + 1


def _ends_entry(lowers: list[str], spaces: list[bool], end: int) -> bool:
    if end == len(lowers) or lowers[end - 1] == _NO_STOP:
        return True
    return spaces[end] or lowers[end] in _ITEM_DELIMITERS or lowers[end] in _SENTENCE_END
