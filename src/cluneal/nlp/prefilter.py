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
all occur (each with the rules that may match there), plus the nearest piece before each that
holds a section header, joined by blank lines, and maps the offsets back: the findings are
exactly those of the whole note (``tests/nlp/test_prefilter.py`` checks it on every corpus the
project has).

Within a piece, a rule's items must also lie close enough for one match: a space inside a piece
always ends a token, so items further apart than a rule's longest match has tokens are never in
one match of it (:attr:`~cluneal.nlp.prefilter_items.Rule.tokens`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import partial

import ahocorasick_rs

from cluneal.nlp.pieces import Pieces, merged
from cluneal.nlp.prefilter_items import (
    NUL,
    WHOLE_PHRASE,
    WORD,
    Check,
    Item,
    Region,
    Rule,
    check_of,
    is_word,
    spellings,
    strength,
    strong,
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
    #: Per automaton pattern ``p``: at ``2 * p`` the (rule, item, bit of the item) it satisfies
    #: as the start of a token (a prefix alternative ``word*``), at ``2 * p + 1`` as a whole
    #: token too.
    satisfies: list[tuple[Satisfied, ...]]
    #: A target rule with nothing to look for could match anywhere: read every note whole.
    unconditional: bool = field(default=False)
    #: The tokenizer's abbreviations ("Dr."), and whether pieces may end at sentence ends.
    abbreviations: frozenset[str] = frozenset()
    sentences: bool = False
    #: Whether no rule can start with a comma: then a stop between a letter and a comma ends a
    #: piece, the two tokens left out (the way MTSamples joins its lines, "obesity.,PLAN:").
    commas: bool = False
    #: The tokenizer's prefix search (see :meth:`Pieces._is_stop`).
    prefix: Callable[[str], object] | None = None
    #: The first words of checklist values: a whitespace run before one may separate a
    #: checklist entry's item from its value ("Fever<tab>nil"), so no piece ends there.
    values: frozenset[str] = frozenset()
    #: For ASCII notes: the same anchors over the note with every character that is no letter,
    #: digit or underscore made a NUL, each anchor led by one, so that a match is where a token
    #: could start; per pattern ``p``, the pairs it satisfies at ``2 * p``, and at ``2 * p + 1``
    #: when a NUL follows (a whole token).
    words: ahocorasick_rs.BytesAhoCorasick | None = None
    words_satisfy: list[tuple[Satisfied, ...]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        targets: Iterable[tuple[Hashable, list[Item], int | None]],
        phrases: Iterable[tuple[Hashable, list[Item]]] = (),
        headers: Iterable[tuple[list[Item], bool]] = (),
    ) -> Prefilter:
        """Rules from target sequences (each named by a key, with its required items and the
        most tokens a match of it can have, None for no limit) and target phrases (a key and
        the phrase's tokens), and from section headers (their tokens, and whether the section
        runs for a number of tokens only)."""
        rules, unconditional = [], False
        checks: dict[Item, Check] = {}  # one per weak item, shared by the rules that have it
        groups = [(items, key, most, False, False, False) for key, items, most in targets]
        groups += [(items, key, len(items), True, False, False) for key, items in phrases]
        groups += [(items, None, len(items), True, True, scoped) for items, scoped in headers]
        for items, key, most, phrase, header, limited in groups:
            if not items:
                unconditional = unconditional or not header
            elif phrase and len(items) <= WHOLE_PHRASE:
                spelt = spellings([i[0] for i in items])
                rules.append(Rule((spelt,), header, (), limited, key, most, check_of(spelt)))
            else:
                anchors = [i for i in items if strong(i)] or [max(items, key=strength)]
                weak = [
                    checks.get(i) or checks.setdefault(i, check_of(i))
                    for i in items
                    if not any(i is a for a in anchors)
                ]
                rules.append(Rule(tuple(anchors), header, tuple(weak), limited, key, most))
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
        satisfies: list[tuple[Satisfied, ...]] = []
        for s in strings:
            prefix = start.get(s, set())
            satisfies += [_satisfied(prefix), _satisfied(whole.get(s, set()) | prefix)]
        dfa = ahocorasick_rs.Implementation.DFA
        # one key per anchor, led by a NUL; a hit is a whole token when a NUL follows it too
        words: dict[bytes, tuple[set[tuple[int, int]], set[tuple[int, int]]]] = {}
        for s in strings:
            if not s.isascii() or not is_word(s[0]):
                continue  # found by the Unicode automaton's path only
            key = b"\0" + s.encode("ascii").translate(NUL)
            prefix, ended = words.setdefault(key, (set(), set()))
            prefix.update(start.get(s, ()))
            (ended if is_word(s[-1]) else prefix).update(whole.get(s, ()))
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
                for x in (_satisfied(words[k][0]), _satisfied(words[k][0] | words[k][1]))
            ],
        )

    def plan(self, text: str) -> list[tuple[int, int]] | None:
        """The pieces the pipeline must read, in order; None: read the whole note."""
        regions = self.regions(text)
        return None if regions is None else [(r.start, r.end) for r in regions]

    def regions(self, text: str, every_header: bool = False) -> list[Region] | None:
        """The regions of the note the pipeline must read, in order, each with its pieces where
        target rules may match and their keys (none in a region read for its section header
        only); None: read the whole note, with every rule.

        With a target's piece go the pieces of the section headers before it: by default the
        nearest piece that may hold one (:attr:`Region.headers`: the caller must check that
        each of them does hold a header, else ask again with ``every_header``, which chooses
        every piece that may hold one before the last target). Then a finding's section is
        decided by a header the pipeline reads: the last header before it is in the nearest
        piece that holds one, or in a target's piece read anyway."""
        lowered = text.lower()
        if self.unconditional or len(lowered) != len(text):
            return None  # lower-casing moved offsets (a rare character): no shortcut
        n = len(lowered)
        seen: defaultdict[int, list[int]] = defaultdict(list)  # per pattern: where
        marked: bytes | None = None
        if self.words is not None and lowered.isascii():
            satisfies = self.words_satisfy
            marked = b"\0" + lowered.encode("ascii").translate(NUL) + b"\0"
            last = len(marked)
            for pattern, begin, end in self.words.find_matches_as_indexes(marked, overlapping=True):
                # a whole token when a NUL (or the end) follows
                seen[2 * pattern + (end == last or marked[end] == 0)].append(begin)
        else:
            satisfies = self.satisfies
            for pattern, begin, end in self.automaton.find_matches_as_indexes(
                lowered, overlapping=True
            ):
                if begin and lowered[begin - 1] in WORD and lowered[begin] in WORD:
                    continue  # not where a token could start
                whole = end >= n or not (lowered[end] in WORD and lowered[end - 1] in WORD)
                seen[2 * pattern + whole].append(begin)
        in_note: dict[int, int] = {}  # per rule: a bit per item found in the note
        for key in seen:
            for rule, _, bit in satisfies[key]:
                in_note[rule] = in_note.get(rule, 0) | bit
        rules = self.rules
        known: dict[int, bool] = {}
        candidates = {
            r
            for r, found in in_note.items()
            if found == rules[r].every and rules[r].may_hold_in(lowered, marked, known)
        }
        if all(rules[r].header for r in candidates):
            return []
        around = Pieces(
            text, self.abbreviations, self.sentences, self.values, self.commas, self.prefix
        )
        scan = _Scan(rules, seen, satisfies, candidates, lowered, marked, around)
        targets = scan.where(header=False, before=n)
        if not targets:
            return []
        if every_header:
            headers = scan.where(header=True, before=max(targets)[0])
        else:
            headers = scan.nearest_headers(targets)
        ranges = sorted([*targets, *headers])
        for piece, held in headers.items():
            if any(rules[r].scoped for r in held):
                # keep every token between a scoped header and the next target
                following = min(t for t in targets if t[0] >= piece[0])
                ranges.append((piece[0], following[1]))
        regions = merged(ranges)
        starts = [start for start, _ in regions]
        held_in: list[list[tuple[int, int, frozenset[Hashable]]]] = [[] for _ in regions]
        for piece, held in sorted(targets.items()):
            keys = frozenset(rules[r].key for r in held)
            held_in[bisect_right(starts, piece[0]) - 1].append((*piece, keys))
        chosen: list[list[tuple[int, int]]] = [[] for _ in regions]
        if not every_header:
            for piece in headers:
                chosen[bisect_right(starts, piece[0]) - 1].append(piece)
        return [
            Region(start, end, tuple(t), tuple(sorted(c)))
            for (start, end), t, c in zip(regions, held_in, chosen, strict=True)
        ]


#: What a pattern satisfies: a rule, one of its items, and the item's bit (``1 << item``).
Satisfied = tuple[int, int, int]


def _satisfied(pairs: set[tuple[int, int]]) -> tuple[Satisfied, ...]:
    return tuple((r, i, 1 << i) for r, i in sorted(pairs))


@dataclass
class _Scan:
    """One note's search: where each automaton pattern occurs (``seen``), what each satisfies,
    the candidate rules, the lower-cased note (and its NUL-marked bytes for ASCII notes) and its
    pieces."""

    rules: tuple[Rule, ...]
    seen: dict[int, list[int]]
    satisfies: list[tuple[Satisfied, ...]]
    candidates: set[int]
    lowered: str
    marked: bytes | None
    around: Pieces

    #: Per piece: its lower-cased text and its marked bytes (see :meth:`holds`).
    texts: dict[tuple[int, int], tuple[str, bytes | None]] = field(default_factory=dict)
    #: Per kind (target rules, section headers): where each candidate's items occur.
    at: dict[bool, dict[tuple[int, int], list[int]]] | None = None

    def holds(self, rule: Rule, piece: tuple[int, int]) -> bool:
        """Whether a rule passes its checks in a piece (its items are looked up first)."""
        texts = self.texts.get(piece)
        if texts is None:
            texts = self.texts[piece] = (
                self.lowered[piece[0] : piece[1]],
                # in the marked note, the piece's characters and the one on either side
                None if self.marked is None else self.marked[piece[0] : piece[1] + 2],
            )
        return rule.holds_in(*texts)

    def positions(self, *, header: bool) -> dict[tuple[int, int], list[int]]:
        """Per (rule, item) of the candidate target rules (or headers), where it occurs, in
        order (both kinds found in one pass over the note's hits)."""
        if self.at is None:
            by_kind: dict[bool, defaultdict[tuple[int, int], list[int]]]
            by_kind = {False: defaultdict(list), True: defaultdict(list)}
            rules, candidates = self.rules, self.candidates
            for key, begins in self.seen.items():
                for r, i, _ in self.satisfies[key]:
                    if r in candidates:
                        by_kind[rules[r].header][r, i].extend(begins)
            for at in by_kind.values():
                for begins in at.values():
                    begins.sort()
            self.at = {kind: dict(at) for kind, at in by_kind.items()}
        return self.at[header]

    def where(self, *, header: bool, before: int) -> dict[tuple[int, int], set[int]]:
        """The pieces, starting before ``before``, where a candidate target rule (or section
        header) has all its items and passes its checks, with those rules. A rule's pieces are
        looked for around its rarest item only, the others looked up in them."""
        at = self.positions(header=header)
        out: dict[tuple[int, int], set[int]] = {}
        for r in sorted({r for r, _ in at}):
            rule = self.rules[r]
            where = sorted((at[r, i] for i in range(len(rule.items))), key=len)
            checked: set[tuple[int, int]] = set()
            near = partial(_near, self.lowered, rule.tokens) if rule.tokens else None
            for begin in where[0]:
                if begin >= before:
                    break
                if near is not None and not all(near(begin, others) for others in where[1:]):
                    continue  # an item too far away to be in the same match
                piece = self.around(begin)
                if piece in checked:
                    continue
                checked.add(piece)
                if all(_within(others, piece) for others in where[1:]) and self.holds(rule, piece):
                    out.setdefault(piece, set()).add(r)
        return out

    def nearest_headers(
        self, targets: dict[tuple[int, int], set[int]]
    ) -> dict[tuple[int, int], set[int]]:
        """Per target piece, the nearest piece before it where a section header may be."""
        rules = self.rules
        at = self.positions(header=True)
        hits = sorted({(begin, r) for (r, _), begins in at.items() for begin in begins})
        starts = [begin for begin, _ in hits]
        out: dict[tuple[int, int], set[int]] = {}
        for target in targets:
            k = bisect_left(starts, target[0]) - 1
            while k >= 0:
                piece = self.around(hits[k][0])
                first = bisect_left(starts, piece[0])
                found = {
                    r
                    for _, r in hits[first : k + 1]
                    if all(_within(at[r, i], piece) for i in range(len(rules[r].items)))
                    and self.holds(rules[r], piece)
                }
                if found:
                    out.setdefault(piece, set()).update(found)
                    break
                k = first - 1
        return out


def _near(text: str, most: int, at: int, positions: list[int]) -> bool:
    """Whether a sorted list of positions has one at most ``most`` spaces from ``at`` (the
    nearest on either side has the fewest)."""
    k = bisect_left(positions, at)
    if k < len(positions) and text.count(" ", at, positions[k]) <= most:
        return True
    return k > 0 and text.count(" ", positions[k - 1], at) <= most


def _within(positions: list[int], piece: tuple[int, int]) -> bool:
    """Whether a sorted list of positions has one inside the piece."""
    k = bisect_left(positions, piece[0])
    return k < len(positions) and positions[k] < piece[1]
