"""A list sharing one head noun made one finding per item ("low back, left buttock and leg pain").

The lexicon derives list sequences from each concept's parts
(:mod:`cluneal.knowledge.lexicon_lists`); the matcher labels their matches ``list<:`` (the part
stands before the head: "*low back*, buttock and leg pain") or ``list>:`` (after it: "pain in the
low back, buttock and *thigh*"). Of such a match only the part is the finding: the words before
its first joiner, or those after its last one. The part is inside its match, so it is inside the
piece of the note the prefilter chose for the match.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Span

from cluneal.knowledge.lexicon_lists import AFTER, BEFORE

LABELS = {BEFORE: "list<:", AFTER: "list>:"}


def label(concept: str, where: str) -> str:
    return LABELS[where] + concept


def parts(matches: Iterable[Span], joiners: frozenset[str]) -> list[Span]:
    """The matches, with each list match cut down to its part, labelled with its concept.

    A part is the more exact finding: another match of its concept that holds it (a gap
    sequence running over the list, "tenderness over the left iliac crest and PSIS") is
    dropped, so that the finding, and the side said in it, is the part's."""
    out, listed = [], []
    for match in matches:
        name = match.label_
        if name.startswith(LABELS[BEFORE]):
            end = next(t.i for t in match if t.lower_ in joiners)
            listed.append(Span(match.doc, match.start, end, label=name[len(LABELS[BEFORE]) :]))
        elif name.startswith(LABELS[AFTER]):
            start = max(t.i for t in match if t.lower_ in joiners) + 1
            listed.append(Span(match.doc, start, match.end, label=name[len(LABELS[AFTER]) :]))
        else:
            out.append(match)
    if not listed:
        return out
    kept = [
        m
        for m in out
        if not any(
            p.label == m.label and m.start <= p.start and p.end <= m.end and len(p) < len(m)
            for p in listed
        )
    ]
    return kept + listed
