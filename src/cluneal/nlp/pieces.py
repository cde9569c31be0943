"""The pieces of a note the prefilter hands to spaCy, and the way back to the note's offsets.

A piece is the text between whitespace runs that spaCy makes a token of (and, where no rule can
span one, between sentence ends); the pipeline reads the chosen pieces joined by :data:`JOIN`
and maps each finding's offsets back with :func:`original`.
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections.abc import Callable

#: Whitespace that spaCy makes a token of (anything but one space between two words).
CUT = re.compile(r"[^\S ]\s*| \s+|^ ")
#: What the pipeline puts between the pieces it reads (a whitespace token: a sentence boundary).
JOIN = "\n\n"


#: ASCII whitespace other than the space: each one is a whitespace token of its own.
_ASCII_SPACES = ("\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f")
#: Sentence ends followed by a space; a word of letters, digits and hyphens before one is split
#: from it by the tokenizer (unless the word is one of its abbreviations, "Dr."), so a sentence
#: starts after it.
_ENDS = (". ", "? ", "! ")
_FIRST_WORD = re.compile(r"\w+\.?")
_WORD_END = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?[.?!]")


class Pieces:
    """The piece around a position: between the whitespace tokens (and, where no rule can
    span one, the sentence ends) before and after it, found by searching out from it."""

    def __init__(
        self,
        text: str,
        abbreviations: frozenset[str],
        sentences: bool,
        values: frozenset[str] = frozenset(),
        commas: bool = False,
        prefix: Callable[[str], object] | None = None,
    ) -> None:
        self.text = text
        self.abbreviations = abbreviations
        self.ends = _ENDS if sentences else ()
        self.stops = sentences and commas
        self.prefix = prefix
        self.values = values
        self.initials = {v[0] for v in values}
        self.known: list[tuple[int, int]] = []
        self.cuts: list[tuple[int, int]] | None = None
        self.seps: tuple[str, ...] | None = None
        if text.isascii():
            self.seps = ("  ", *(c for c in _ASCII_SPACES if c in text))

    def __call__(self, at: int) -> tuple[int, int]:
        k = bisect_right(self.known, (at, len(self.text) + 1)) - 1
        if k >= 0 and self.known[k][0] <= at < self.known[k][1]:
            return self.known[k]
        piece = self._by_cuts(at) if self.seps is None else (self._start(at), self._end(at))
        insort(self.known, piece)
        return piece

    def _run(self, i: int) -> tuple[int, int]:
        """The whitespace run around position ``i``."""
        text, start, end = self.text, i, i
        while start and text[start - 1].isspace():
            start -= 1
        while end < len(text) and text[end].isspace():
            end += 1
        return start, end

    def _start(self, at: int) -> int:
        text, best = self.text, 0
        for sep in self.seps or ():
            i = text.rfind(sep, best, at)
            while i >= 0:
                run = self._run(i)
                if not self._separates_entry(*run):
                    best = max(best, run[1])
                    break
                i = text.rfind(sep, best, run[0])
        for mark in self.ends:
            i = text.rfind(mark, best, at)
            while i >= 0 and not self._is_end(i + 1):
                i = text.rfind(mark, best, i)
            if i >= 0:
                best = max(best, i + 2)
        if self.stops:
            i = text.rfind(".,", best, at)
            while i >= 0 and not self._is_stop(i):
                i = text.rfind(".,", best, i)
            if i >= 0:
                best = max(best, i + 2)
        while best < at and text[best].isspace():
            best += 1
        return best

    def _end(self, at: int) -> int:
        text, best = self.text, len(self.text)
        for sep in self.seps or ():
            i = text.find(sep, at, best)
            while i >= 0:
                run = self._run(i)
                if not self._separates_entry(*run):
                    best = min(best, run[0])
                    break
                i = text.find(sep, run[1], best)
        for mark in self.ends:
            i = text.find(mark, at, best)
            while i >= 0 and not self._is_end(i + 1):
                i = text.find(mark, i + 2, best)
            if i >= 0:
                best = min(best, i + 1)
        if self.stops:
            i = text.find(".,", at, best)
            while i >= 0 and not self._is_stop(i):
                i = text.find(".,", i + 2, best)
            if i >= 0:
                best = min(best, i)
        return best

    def _by_cuts(self, at: int) -> tuple[int, int]:
        """For text with any Unicode whitespace: every cut found once with :data:`CUT`."""
        if self.cuts is None:
            cuts = [c.span() for c in CUT.finditer(self.text)]
            cuts = [c for c in cuts if not self._separates_entry(*c)]
            for mark in self.ends:
                i = self.text.find(mark)
                while i >= 0:
                    if self._is_end(i + 1):
                        cuts.append((i + 1, i + 2))
                    i = self.text.find(mark, i + 2)
            if self.stops:
                i = self.text.find(".,")
                while i >= 0:
                    if self._is_stop(i):
                        cuts.append((i, i + 2))
                    i = self.text.find(".,", i + 2)
            self.cuts = sorted(cuts)
        start = max([0, *(e for s, e in self.cuts if e <= at)])
        end = min([len(self.text), *(s for s, e in self.cuts if s > at)])
        return start, end

    def _separates_entry(self, start: int, end: int) -> bool:
        """Whether a whitespace run may be a checklist entry's separator: no line break in it,
        and a checklist value right after it."""
        text = self.text
        if end >= len(text) or text[end].lower() not in self.initials:
            return False
        if "\n" in text[start:end] or "\r" in text[start:end]:
            return False
        word = _FIRST_WORD.match(text, end)
        first = word.group().lower() if word else text[end]
        return first in self.values or first.removesuffix(".") in self.values

    def _is_stop(self, i: int) -> bool:
        """Whether ".," at ``i`` is a full stop token and a comma token, the stop ending a
        sentence ("obesity.,PROCEDURE:"): the tokenizer splits a stop between a letter and a
        comma. The two tokens are left out of both pieces; no rule starts with a comma. Not
        when what follows starts with one of the tokenizer's prefixes ("obesity.,?Tinel"):
        split off inside a word, the rest keeps it ("?Tinel"), but at a piece's start the
        prefix would be split from it."""
        if self.prefix is not None and self.prefix(self.text[i + 2 : i + 12]):
            return False
        return i > 0 and self.text[i - 1].isalpha() and self._is_end(i + 1)

    def _is_end(self, space: int) -> bool:
        """Whether the sentence-end character before ``space`` is a token of its own."""
        word = self.text[self.text.rfind(" ", 0, space) + 1 : space]
        return bool(_WORD_END.fullmatch(word)) and word not in self.abbreviations


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping ranges of the note made one (their text is read whole)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def joined(text: str, plan: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """The planned pieces as one text, and (offset in it, offset in the note) per piece."""
    parts, offsets, at = [], [], 0
    for start, end in plan:
        offsets.append((at, start))
        parts.append(text[start:end])
        at += end - start + len(JOIN)
    return JOIN.join(parts), offsets


def original(offsets: list[tuple[int, int]], at: int) -> int:
    """The note's offset of ``at`` in the joined text."""
    k = bisect_right([o for o, _ in offsets], at) - 1
    joined_at, note_at = offsets[k]
    return note_at + at - joined_at
