"""What the prefilter looks for: each rule's required items, the checks of its weak ones, and
the regions of a note it chooses (:mod:`cluneal.nlp.prefilter`)."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

Item = tuple[str, ...]  # the alternatives of one required item: words, or prefixes ending in *


#: A phrase of up to this many tokens is looked for whole, in every spelling of the spaces
#: between its tokens; a longer one by its strongest token.
WHOLE_PHRASE = 5


def spellings(tokens: Sequence[str]) -> tuple[str, ...]:
    """Every way a phrase's tokens can stand in a text: spaCy's phrase matcher sees the same
    tokens whether one space or none separates two of them ("a:" and "a :")."""
    out = [tokens[0]]
    for token in tokens[1:]:
        out = [f"{s}{gap}{token}" for s in out for gap in ("", " ")]
    return tuple(out)


def strength(item: Item) -> tuple[int, int]:
    """How selective looking for an item is: its shortest alternative's length, then fewer
    alternatives; a punctuation-led alternative makes an item the weakest."""
    if any(not a[0].isalnum() for a in item):
        return (0, 0)
    return (min(len(a.removesuffix("*")) for a in item), -len(item))


def is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


class _WordChars:
    """``c in WORD``: whether a character is a letter, digit or underscore (a set lookup for
    ASCII, the slower test for the rest)."""

    ascii = frozenset(c for c in map(chr, range(128)) if is_word(c))

    def __contains__(self, c: str) -> bool:
        return c in self.ascii or (c >= "\x80" and is_word(c))


WORD = _WordChars()
#: ASCII bytes that are no letter, digit or underscore, made NUL (bytes.translate's table).
NUL = bytes(c if is_word(chr(c)) else 0 for c in range(256))


def strong(item: Item) -> bool:
    """Worth looking for: no alternative shorter than 3 characters or led by punctuation."""
    return all(len(a.removesuffix("*")) >= 3 and a[0].isalnum() for a in item)


@dataclass(frozen=True)
class Check:
    """A weak item checked in a piece: its alternatives as plain substrings (a cheap first
    test), as NUL-marked keys for ASCII text (exact, see :attr:`Prefilter.words`), and as a
    regular expression for the rest."""

    words: tuple[str, ...]
    keys: tuple[bytes, ...] | None
    pattern: re.Pattern[str]

    def in_text(self, text: str) -> bool:
        return any(word in text for word in self.words) and bool(self.pattern.search(text))

    def in_marked(self, marked: bytes) -> bool:
        if self.keys is None:  # an alternative led by punctuation: it may be anywhere
            return True
        return any(key in marked for key in self.keys)


class Region(NamedTuple):
    """A range of the note to read: the pieces in it where target rules may match, each with
    their keys, and those chosen as the nearest that may hold a section header (see
    :meth:`Prefilter.regions`)."""

    start: int
    end: int
    targets: tuple[tuple[int, int, frozenset[Hashable]], ...]
    headers: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Rule:
    #: The items looked for with the automaton (each a set of alternatives), all of which must
    #: be in one piece, and the weak items then checked in that piece.
    items: tuple[Item, ...]
    header: bool
    checks: tuple[Check, ...] = ()
    #: A section header whose section runs for a number of tokens only (``max_scope``).
    scoped: bool = False
    #: What the caller named a target rule by (:meth:`Prefilter.regions` says where it holds).
    key: Hashable = None
    #: The most tokens a match can have (None: no limit): its items are never further apart
    #: than that many spaces, since a space inside a piece always ends a token.
    tokens: int | None = None
    #: A phrase's spellings, checked in the piece's own text (the NUL-marked one takes every
    #: punctuation mark for every other: "consent." for the header "consent:").
    exact: Check | None = None

    #: A bit per item: what a note holding all of them has (see :meth:`Prefilter.regions`).
    every: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "every", (1 << len(self.items)) - 1)

    def may_hold_in(self, text: str, marked: bytes | None, known: dict[int, bool]) -> bool:
        """Whether every weak item could be somewhere in the note (a first test); ``known``:
        the answers so far for this note, per check."""
        for check in self.checks:
            held = known.get(id(check))
            if held is None:
                held = known[id(check)] = (
                    check.in_marked(marked)
                    if marked is not None
                    else any(word in text for word in check.words)
                )
            if not held:
                return False
        return True

    def holds_in(self, piece: str, marked: bytes | None) -> bool:
        """Whether every weak item occurs in the piece where a token could be; ``marked`` is the
        piece's NUL-marked text with the character before and after it, for ASCII notes."""
        if self.exact is not None and not self.exact.in_text(piece):
            return False
        if marked is not None:
            return all(check.in_marked(marked) for check in self.checks)
        return all(check.in_text(piece) for check in self.checks)


def marked_key(alternative: str) -> bytes | None:
    """An alternative as a NUL-marked key: led by a NUL, and ended by one for a whole word."""
    word = alternative.removesuffix("*").lower()
    if not word.isascii() or not is_word(word[0]):
        return None
    key = b"\0" + word.encode("ascii").translate(NUL)
    return key if alternative.endswith("*") or not is_word(word[-1]) else key + b"\0"


def check_of(item: Item) -> Check:
    """A check of a weak item. A token never starts right after, nor ends right before, a
    letter or digit that it joins to (spaCy splits only at whitespace and punctuation);
    punctuation may touch anything."""
    parts = []
    for a in item:
        word = a.removesuffix("*")
        part = re.escape(word)
        if is_word(word[0]):
            part = r"(?<!\w)" + part
        if not a.endswith("*") and is_word(word[-1]):
            part += r"(?!\w)"
        parts.append(part)
    keys = tuple(marked_key(a) for a in item)
    return Check(
        tuple(a.removesuffix("*") for a in item),
        None if None in keys else tuple(k for k in keys if k is not None),
        re.compile("|".join(parts)),
    )
