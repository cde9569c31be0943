"""A cheap exact filter in front of spaCy: only the parts of a note that can hold a finding.

Derived from the lexicon (never a second word list). Every target rule of the pipeline, a term
or a token sequence, has *required items*: the tokens it cannot match without (a term's every
token; a sequence's items that are neither optional nor gaps). A rule can match only where each
of its required items has one of its alternatives, so a text holding none of them for any rule
cannot produce a finding. All alternatives go into one Aho-Corasick automaton, matched as plain
substrings of the lower-cased note: a superset of where spaCy's tokens could match them.

Where it can look is cut into *pieces*: the text between whitespace runs that are not a single
space. spaCy makes such a run a whitespace token, :func:`~cluneal.nlp.pipeline.split_sentences`
starts a sentence there, and no target rule, ConText rule or section header can match across
one (a sequence's gap never crosses a whitespace token). So a piece holds whole sentences, and
every finding, its ConText attributes and its side depend on its piece alone; its section on the
headers before it. The pipeline therefore runs on the pieces where some rule's required items
all occur, plus every piece before them that could hold a section header, joined by blank lines,
and maps the offsets back: the findings are exactly those of the whole note
(``tests/nlp/test_prefilter.py`` checks it on every corpus the project has).
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

import ahocorasick_rs
from spacy.language import Language

from cluneal.knowledge.lexicon import Lexicon

#: Whitespace that spaCy makes a token of (anything but one space between two words).
CUT = re.compile(r"[^\S ]\s*| \s+|^ ")
#: What the pipeline puts between the pieces it reads (a whitespace token: a sentence boundary).
JOIN = "\n\n"

Item = tuple[str, ...]  # the alternatives of one required item: words, or prefixes ending in *


def required(sequence: Sequence[str], classes: dict[str, tuple[str, ...]]) -> list[Item]:
    """The items of a lexicon sequence that every match must contain (syntax of
    :mod:`cluneal.knowledge.lexicon`)."""
    items = []
    for item in sequence:
        if item.startswith("~") or item.endswith("?"):
            continue
        body = list(classes[item[1:]]) if item.startswith("@") else item.split("|")
        items.append(tuple(body))
    return items


def literal(text: str, nlp: Language) -> list[Item]:
    """A phrase's tokens, as the phrase matcher sees them (lower case, the pipeline's tokens)."""
    return [(token.lower_,) for token in nlp.tokenizer(text.lower()) if not token.is_space]


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


def _strength(item: Item) -> tuple[int, int]:
    """How selective looking for an item is: its shortest alternative's length, then fewer
    alternatives; a punctuation-led alternative makes an item the weakest."""
    if any(not a[0].isalnum() for a in item):
        return (0, 0)
    return (min(len(a.removesuffix("*")) for a in item), -len(item))


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


class _WordChars:
    """``c in _WORD``: whether a character is a letter, digit or underscore (a set lookup for
    ASCII, the slower test for the rest)."""

    ascii = frozenset(c for c in map(chr, range(128)) if _is_word(c))

    def __contains__(self, c: str) -> bool:
        return c in self.ascii or (c >= "\x80" and _is_word(c))


_WORD = _WordChars()
#: ASCII bytes that are no letter, digit or underscore, made NUL (bytes.translate's table).
_NUL = bytes(c if _is_word(chr(c)) else 0 for c in range(256))


def _strong(item: Item) -> bool:
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


@dataclass(frozen=True)
class Rule:
    #: The items looked for with the automaton (each a set of alternatives), all of which must
    #: be in one piece, and the weak items then checked in that piece.
    items: tuple[Item, ...]
    header: bool
    checks: tuple[Check, ...] = ()
    #: A section header whose section runs for a number of tokens only (``max_scope``).
    scoped: bool = False

    def may_hold_in(self, text: str, marked: bytes | None) -> bool:
        """Whether every weak item could be somewhere in the note (a first test)."""
        if marked is not None:
            return all(check.in_marked(marked) for check in self.checks)
        return all(any(word in text for word in c.words) for c in self.checks)

    def holds_in(self, piece: str, marked: bytes | None) -> bool:
        """Whether every weak item occurs in the piece where a token could be; ``marked`` is the
        piece's NUL-marked text with the character before and after it, for ASCII notes."""
        if marked is not None:
            return all(check.in_marked(marked) for check in self.checks)
        return all(check.in_text(piece) for check in self.checks)


def _key(alternative: str) -> bytes | None:
    """An alternative as a NUL-marked key: led by a NUL, and ended by one for a whole word."""
    word = alternative.removesuffix("*").lower()
    if not word.isascii() or not _is_word(word[0]):
        return None
    key = b"\0" + word.encode("ascii").translate(_NUL)
    return key if alternative.endswith("*") or not _is_word(word[-1]) else key + b"\0"


def _check(item: Item) -> Check:
    """A check of a weak item. A token never starts right after, nor ends right before, a
    letter or digit that it joins to (spaCy splits only at whitespace and punctuation);
    punctuation may touch anything."""
    parts = []
    for a in item:
        word = a.removesuffix("*")
        part = re.escape(word)
        if _is_word(word[0]):
            part = r"(?<!\w)" + part
        if not a.endswith("*") and _is_word(word[-1]):
            part += r"(?!\w)"
        parts.append(part)
    keys = tuple(_key(a) for a in item)
    return Check(
        tuple(a.removesuffix("*") for a in item),
        None if None in keys else tuple(k for k in keys if k is not None),
        re.compile("|".join(parts)),
    )


@dataclass
class Prefilter:
    """One Aho-Corasick automaton of the alternatives of the items every rule (a target rule or
    a section header) is looked for by; build it with :meth:`build` (once per pipeline). A
    rule's piece is read when each of its items occurs in it where a token could start (and,
    for a whole word, end). A sequence is looked for by its strong required items (or its
    strongest one), a phrase of up to :data:`WHOLE_PHRASE` tokens whole: looking for fewer
    items than a rule requires only lets more text through."""

    automaton: ahocorasick_rs.AhoCorasick
    rules: tuple[Rule, ...]
    #: Per automaton pattern ``p``: at ``2 * p`` the (rule, item) pairs it satisfies as the
    #: start of a token (a prefix alternative ``word*``), at ``2 * p + 1`` as a whole token too.
    satisfies: list[tuple[tuple[int, int], ...]]
    #: A target rule with nothing to look for could match anywhere: read every note whole.
    unconditional: bool = field(default=False)
    #: The tokenizer's abbreviations ("Dr."), and whether pieces may end at sentence ends.
    abbreviations: frozenset[str] = frozenset()
    sentences: bool = False
    #: Whether no rule can start with a comma: then a stop between a letter and a comma ends a
    #: piece, the two tokens left out (the way MTSamples joins its lines, "obesity.,PLAN:").
    commas: bool = False
    #: The first words of checklist values: a whitespace run before one may separate a
    #: checklist entry's item from its value ("Fever<tab>nil"), so no piece ends there.
    values: frozenset[str] = frozenset()
    #: For ASCII notes: the same anchors over the note with every character that is no letter,
    #: digit or underscore made a NUL, each anchor led by one, so that a match is where a token
    #: could start; per pattern ``p``, the pairs it satisfies at ``2 * p``, and at ``2 * p + 1``
    #: when a NUL follows (a whole token).
    words: ahocorasick_rs.BytesAhoCorasick | None = None
    words_satisfy: list[tuple[tuple[int, int], ...]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        targets: Iterable[list[Item]],
        headers: Iterable[list[Item]],
        phrases: Iterable[tuple[list[Item], bool]] = (),
        scoped: Iterable[list[Item]] = (),
    ) -> Prefilter:
        """Rules from the required items of sequences (``targets``, ``headers``) and from
        phrases (their tokens, and whether the phrase is a header); ``scoped``: header phrases
        whose section runs for a number of tokens only."""
        rules, unconditional = [], False
        groups = [(items, False, False, False) for items in targets]
        groups += [(items, True, False, False) for items in headers]
        groups += [(items, header, True, False) for items, header in phrases]
        groups += [(items, True, True, True) for items in scoped]
        for items, header, phrase, limited in groups:
            if not items:
                unconditional = unconditional or not header
            elif phrase and len(items) <= WHOLE_PHRASE:
                rules.append(Rule((spellings([i[0] for i in items]),), header, (), limited))
            else:
                strong = [i for i in items if _strong(i)] or [max(items, key=_strength)]
                weak = [_check(i) for i in items if not any(i is s for s in strong)]
                rules.append(Rule(tuple(strong), header, tuple(weak), limited))
        whole: dict[str, set[tuple[int, int]]] = {}
        start: dict[str, set[tuple[int, int]]] = {}
        for r, rule in enumerate(rules):
            for i, item in enumerate(rule.items):
                for alternative in item:
                    anchor = alternative.lower()
                    if anchor.endswith("*"):
                        start.setdefault(anchor[:-1], set()).add((r, i))
                    else:
                        whole.setdefault(anchor, set()).add((r, i))
        strings = sorted(whole.keys() | start.keys())
        satisfies: list[tuple[tuple[int, int], ...]] = []
        for s in strings:
            prefix = tuple(sorted(start.get(s, ())))
            satisfies += [prefix, tuple(sorted(whole.get(s, ()))) + prefix]
        dfa = ahocorasick_rs.Implementation.DFA
        # one key per anchor, led by a NUL; a hit is a whole token when a NUL follows it too
        words: dict[bytes, tuple[set[tuple[int, int]], set[tuple[int, int]]]] = {}
        for s in strings:
            if not s.isascii() or not _is_word(s[0]):
                continue  # found by the Unicode automaton's path only
            key = b"\0" + s.encode("ascii").translate(_NUL)
            prefix, ended = words.setdefault(key, (set(), set()))
            prefix.update(start.get(s, ()))
            (ended if _is_word(s[-1]) else prefix).update(whole.get(s, ()))
        keys = sorted(words)
        return cls(
            ahocorasick_rs.AhoCorasick(strings, implementation=dfa),
            tuple(rules),
            satisfies,
            unconditional,
            words=ahocorasick_rs.BytesAhoCorasick(keys, implementation=dfa),
            words_satisfy=[
                x
                for k in keys
                for x in (
                    tuple(sorted(words[k][0])),
                    tuple(sorted(words[k][0] | words[k][1])),
                )
            ],
        )

    def plan(self, text: str) -> list[tuple[int, int]] | None:
        """The pieces the pipeline must read, in order; None: read the whole note."""
        lowered = text.lower()
        if self.unconditional or len(lowered) != len(text):
            return None  # lower-casing moved offsets (a rare character): no shortcut
        n = len(lowered)
        seen: dict[int, list[int]] = {}  # per pattern: where
        marked: bytes | None = None
        if self.words is not None and lowered.isascii():
            satisfies = self.words_satisfy
            marked = b"\0" + lowered.encode("ascii").translate(_NUL) + b"\0"
            for pattern, begin, end in self.words.find_matches_as_indexes(marked, overlapping=True):
                whole = end == len(marked) or marked[end] == 0
                seen.setdefault(2 * pattern + whole, []).append(begin)
        else:
            satisfies = self.satisfies
            for pattern, begin, end in self.automaton.find_matches_as_indexes(
                lowered, overlapping=True
            ):
                if begin and lowered[begin - 1] in _WORD and lowered[begin] in _WORD:
                    continue  # not where a token could start
                whole = end >= n or not (lowered[end] in _WORD and lowered[end - 1] in _WORD)
                seen.setdefault(2 * pattern + whole, []).append(begin)
        in_note: dict[int, set[int]] = {}
        for key in seen:
            for rule, item in satisfies[key]:
                in_note.setdefault(rule, set()).add(item)
        rules = self.rules
        candidates = {
            r
            for r, items in in_note.items()
            if len(items) == len(rules[r].items) and rules[r].may_hold_in(lowered, marked)
        }
        if all(rules[r].header for r in candidates):
            return []
        around = _Pieces(text, self.abbreviations, self.sentences, self.values, self.commas)
        where = partial(self._where, seen, satisfies, candidates, lowered, marked, around)
        targets = where(header=False, before=n)
        if not targets:
            return []
        last = max(targets)[0]
        headers = where(header=True, before=last)
        ranges = sorted([*targets, *headers])
        for piece, scoped in headers.items():
            if scoped:  # keep every token between a scoped header and the next target
                following = min(t for t in targets if t[0] >= piece[0])
                ranges.append((piece[0], following[1]))
        return _merged(ranges)

    def _where(
        self,
        seen: dict[int, list[int]],
        satisfies: list[tuple[tuple[int, int], ...]],
        candidates: set[int],
        lowered: str,
        marked: bytes | None,
        around: _Pieces,
        *,
        header: bool,
        before: int,
    ) -> dict[tuple[int, int], bool]:
        """The pieces, starting before ``before``, where a candidate target rule (or section
        header) has all its items and passes its checks; true for a piece with a header whose
        section runs for a number of tokens only."""
        found: dict[tuple[int, int], dict[int, set[int]]] = {}
        for key, begins in seen.items():
            wanted = [
                (r, i)
                for r, i in satisfies[key]
                if r in candidates and self.rules[r].header is header
            ]
            if not wanted:
                continue
            for begin in begins:
                if begin >= before:
                    break
                rules = found.setdefault(around(begin), {})
                for r, i in wanted:
                    rules.setdefault(r, set()).add(i)
        out: dict[tuple[int, int], bool] = {}
        for piece, rules in found.items():
            text = lowered[piece[0] : piece[1]]
            # in the marked note, the piece's characters and the one on either side of it
            near = None if marked is None else marked[piece[0] : piece[1] + 2]
            for r, items in rules.items():
                rule = self.rules[r]
                if len(items) == len(rule.items) and rule.holds_in(text, near):
                    out[piece] = out.get(piece, False) or rule.scoped
        return out


#: ASCII whitespace other than the space: each one is a whitespace token of its own.
_ASCII_SPACES = ("\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f")
#: Sentence ends followed by a space; a word of letters, digits and hyphens before one is split
#: from it by the tokenizer (unless the word is one of its abbreviations, "Dr."), so a sentence
#: starts after it.
_ENDS = (". ", "? ", "! ")
_FIRST_WORD = re.compile(r"\w+\.?")
_WORD_END = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?[.?!]")


class _Pieces:
    """The piece around a position: between the whitespace tokens (and, where no rule can
    span one, the sentence ends) before and after it, found by searching out from it."""

    def __init__(
        self,
        text: str,
        abbreviations: frozenset[str],
        sentences: bool,
        values: frozenset[str] = frozenset(),
        commas: bool = False,
    ) -> None:
        self.text = text
        self.abbreviations = abbreviations
        self.ends = _ENDS if sentences else ()
        self.stops = sentences and commas
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
        comma. The two tokens are left out of both pieces; no rule starts with a comma."""
        return i > 0 and self.text[i - 1].isalpha() and self._is_end(i + 1)

    def _is_end(self, space: int) -> bool:
        """Whether the sentence-end character before ``space`` is a token of its own."""
        word = self.text[self.text.rfind(" ", 0, space) + 1 : space]
        return bool(_WORD_END.fullmatch(word)) and word not in self.abbreviations


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
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


_SENTENCE_ENDS = frozenset(".?!")


def _spans_sentence_end(words: Iterable[Iterable[str]]) -> bool:
    """Whether a rule of several tokens has one that is a sentence end (it could match across
    the end of a sentence, so pieces must not end there)."""
    items = [set(w) for w in words]
    return len(items) > 1 and any(item & _SENTENCE_ENDS for item in items)


def from_lexicon(lexicon: Lexicon, nlp: Language, headers: Iterable[tuple[str, bool]]) -> Prefilter:
    """The prefilter of a lexicon's target rules and the pipeline's section headers (each a
    literal, and whether its section runs for a number of tokens only)."""
    targets: list[list[Item]] = []
    phrases: list[tuple[list[Item], bool]] = []
    scoped: list[list[Item]] = []
    every: list[list[Item]] = []  # every multi-token rule, whatever it does
    for concept in lexicon.concepts:
        phrases += [(literal(term, nlp), False) for term in concept.terms]
        sequences = (*concept.sequences, *concept.checklist_items)
        targets += [required(seq, lexicon.classes) for seq in sequences]
        every += [_all_items(seq, lexicon.classes) for seq in (*sequences, *concept.exclusions)]
    for text, limited in headers:
        (
            scoped.append(literal(text, nlp))
            if limited
            else phrases.append((literal(text, nlp), True))
        )
    every += [items for items, _ in phrases] + scoped
    for rule in lexicon.context:
        every.append(
            _all_items(rule.pattern, lexicon.classes)
            if rule.pattern
            else literal(rule.literal, nlp)
        )
    prefilter = Prefilter.build(targets, [], phrases, scoped)
    prefilter.abbreviations = frozenset(nlp.tokenizer.rules or ())
    prefilter.sentences = not any(_spans_sentence_end(items) for items in every)
    firsts = [*(items[0] for items in every if items), *_first_items(lexicon)]
    prefilter.commas = not any("," in item for item in firsts)
    if lexicon.checklist is not None:
        values = (*lexicon.checklist.negative, *lexicon.checklist.positive)
        prefilter.values = frozenset(words[0] for words in values)
    return prefilter


def _first_items(lexicon: Lexicon) -> list[Item]:
    """The items a sequence may start with (an optional first item, or the one after it)."""
    out: list[Item] = []
    sequences = [
        seq
        for concept in lexicon.concepts
        for seq in (*concept.sequences, *concept.exclusions, *concept.checklist_items)
    ]
    sequences += [rule.pattern for rule in lexicon.context if rule.pattern]
    for seq in sequences:
        items = _all_items(seq, lexicon.classes)
        out += items[:1]
        if len(items) > 1 and seq[0].endswith("?"):
            out.append(items[1])
    return out


def _all_items(sequence: Sequence[str], classes: dict[str, tuple[str, ...]]) -> list[Item]:
    """Every word item of a sequence, optional ones too (gaps never match a sentence end)."""
    return [
        tuple(classes[b[1:]] if b.startswith("@") else b.split("|"))
        for item in sequence
        if not item.startswith("~")
        for b in [item.removesuffix("?")]
    ]
