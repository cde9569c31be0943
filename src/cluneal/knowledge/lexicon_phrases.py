"""Word classes that hold phrases besides words: "pain to palpation" says what "tender" says.

A class's entry may be a phrase: items separated by spaces, each a word or alternatives ``a|b``
(as in a sequence, without gaps, classes or ``?``): ``pain|painful to|on|with palpation|touch``.
A sequence item ``@class`` (or ``@class?``) then matches one word of the class *or* one of its
phrases. The lexicon keeps the words as the class and expands every target sequence (a concept's
sequences, list sequences, exclusions and checklist items) that names the class into one more
sequence per phrase, the phrase's items in the class item's place; so the matcher and the
prefilter see plain sequences, and every rule written with the class reads the phrase too. A
gap ``~N@class`` and a ConText pattern match the class's words only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from itertools import product
from typing import Any, TypeVar

from cluneal.validation import Node

#: One item of a phrase: a word or alternatives (the sequence syntax's words and punctuation).
_ALT = r"(?:[a-z0-9][a-z0-9'/.&-]*|[,;:+\-–—]|'s)"
_PHRASE_ITEM = re.compile(rf"{_ALT}(?:\|{_ALT})*")

Phrases = dict[str, tuple[tuple[str, ...], ...]]
C = TypeVar("C", bound=Any)


def read_classes(node: Node) -> tuple[dict[str, tuple[str, ...]], Phrases]:
    """The ``classes`` section: each class's words, and its phrases (each a tuple of items)."""
    words: dict[str, tuple[str, ...]] = {}
    phrases: Phrases = {}
    for name, value in node.mapping().items():
        singles: list[str] = []
        found: list[tuple[str, ...]] = []
        for item in value.items():
            text = item.string(non_empty=True)
            if text is None:
                item.required()
            elif text != text.lower() or text != text.strip():
                item.fail("must be lower case without surrounding spaces")
            elif " " not in text:
                singles.append(text)
            elif all(_PHRASE_ITEM.fullmatch(part) for part in text.split()):
                found.append(tuple(text.split()))
            else:
                item.fail("a phrase's items must each be a word or alternatives a|b")
        if found and not singles:
            value.fail("a class with phrases needs at least one word")
        words[name] = tuple(singles)
        if found:
            phrases[name] = tuple(found)
    return words, phrases


def expanded(sequence: tuple[str, ...], phrases: Phrases) -> list[tuple[str, ...]]:
    """The sequence, then one sequence per choice of a phrase for its class items that have
    phrases (a class item keeps its words in the first)."""
    choices: list[list[tuple[str, ...]]] = []
    for item in sequence:
        name = item.removesuffix("?")[1:] if item.startswith("@") else ""
        choices.append([(item,), *phrases.get(name, ())])
    return [tuple(x for part in pick for x in part) for pick in product(*choices)]


def expand_all(
    sequences: Iterable[tuple[str, ...]], phrases: Phrases
) -> tuple[tuple[str, ...], ...]:
    """Every sequence with its phrase variants, without repeats, in order."""
    out = [variant for seq in sequences for variant in expanded(seq, phrases)]
    return tuple(dict.fromkeys(out))


def with_phrases(concept: C, phrases: Phrases) -> C:
    """A lexicon concept with its target sequences expanded by its classes' phrases."""
    return replace(
        concept,
        sequences=expand_all(concept.sequences, phrases),
        exclusions=expand_all(concept.exclusions, phrases),
        checklist_items=expand_all(concept.checklist_items, phrases),
        lists=tuple((v, where) for seq, where in concept.lists for v in expanded(seq, phrases)),
    )
