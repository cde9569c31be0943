"""Token patterns matched only where their first word is.

spaCy's ``Matcher`` tries every pattern it holds at every token of what it is given, and each
call costs time per token. A pattern led by a plain word, with a longest match, can only match
from a token that is that word, and over at most that many tokens: :class:`Anchored` keeps such
patterns in one matcher per first word and runs it only there, on that many tokens. The other
patterns go into one more matcher, run over the whole range. The matches are those of one
matcher of every pattern run over the range; matches of the same tokens come from one call of
one matcher, in that call's order, unless some come from the matcher run everywhere (see
:attr:`Match.anywhere`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab


class Match(NamedTuple):
    """A match of a pattern added under ``key``, tokens ``start:end`` of the doc; ``anywhere``:
    from the matcher run over the whole range; ``order``: its place in its call's matches."""

    start: int
    end: int
    anywhere: bool
    order: int
    key: int


def most_tokens(pattern: list[dict[str, Any]]) -> int | None:
    """The most tokens a match of a spaCy pattern can have; None: no limit."""
    most = 0
    for token in pattern:
        op = token.get("OP", "")
        upper = op.strip("{}").split(",")[-1]
        if op in ("", "?"):
            most += 1
        elif op.startswith("{") and upper.isdigit():
            most += int(upper)
        elif op != "!":  # "+", "*" or "{m,}"
            return None
    return most


class Anchored:
    """Patterns, each added under a key, kept by first word (see the module)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.by_first: dict[int, Matcher] = {}
        self.longest: dict[int, int] = {}  # per first word: the most tokens of its matches
        self.anywhere = Matcher(vocab)

    def add(self, key: str, pattern: list[dict[str, Any]]) -> None:
        first, most = pattern[0], most_tokens(pattern)
        if set(first) == {"LOWER"} and isinstance(first["LOWER"], str) and most:
            word = self.vocab.strings.add(first["LOWER"])
            self.by_first.setdefault(word, Matcher(self.vocab)).add(key, [pattern])
            self.longest[word] = max(self.longest.get(word, 0), most)
        else:
            self.anywhere.add(key, [pattern])

    def __len__(self) -> int:
        return len(self.anywhere) + sum(len(m) for m in self.by_first.values())

    def __call__(self, doc: Doc, start: int, end: int, lowers: list[int]) -> list[Match]:
        """The matches in tokens ``start:end`` of ``doc``; ``lowers``: every token's
        lower-case form (``doc.to_array(LOWER)``)."""
        found = []
        for i in range(start, end):
            matcher = self.by_first.get(lowers[i])
            if matcher is not None:
                span = doc[i : min(end, i + self.longest[lowers[i]])]
                found += [
                    Match(i, i + e, False, k, key)
                    for k, (key, s, e) in enumerate(matcher(span))
                    if s == 0  # led by this token; the others are found from their own
                ]
        if len(self.anywhere):
            matches = self.anywhere(doc[start:end])
            found += [
                Match(start + s, start + e, True, k, key) for k, (key, s, e) in enumerate(matches)
            ]
        return found
