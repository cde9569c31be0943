"""Precision and recall of the notes pipeline on a hand-annotated set of sentences.

The set is a text file, one sentence a line (``#`` starts a comment line), each finding written
in place as ``[surface text](concept attribute ...)``; attributes are ``negated``,
``historical``, ``hypothetical``, ``uncertain``, ``family`` and one side, ``left``, ``right``
or ``bilateral``. The annotation guide is ``tests/data/notes/GUIDE.md``.

    python -m cluneal.nlp.evaluate tests/data/notes/sentences.txt
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cluneal.nlp.finding import Finding

FLAGS = ("negated", "historical", "hypothetical", "uncertain", "family")
SIDES = ("left", "right", "bilateral")
_MARK = re.compile(r"\[([^\]]+)\]\(([a-z_]+)((?: [a-z]+)*)\)")


@dataclass(frozen=True)
class Gold:
    concept: str
    start: int
    end: int
    side: str | None
    flags: frozenset[str]


@dataclass(frozen=True)
class Sentence:
    line: int
    text: str
    gold: tuple[Gold, ...]


def parse_annotated(source: str) -> list[Sentence]:
    """The sentences of an annotated set, with the markup removed and offsets computed."""
    out: list[Sentence] = []
    for number, raw in enumerate(source.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        text, gold, pos = "", [], 0
        for match in _MARK.finditer(raw):
            text += raw[pos : match.start()]
            words = match.group(3).split()
            unknown = set(words) - set(FLAGS) - set(SIDES)
            if unknown:
                raise ValueError(f"line {number}: unknown attribute(s) {sorted(unknown)}")
            sides = [w for w in words if w in SIDES]
            start = len(text)
            text += match.group(1)
            gold.append(
                Gold(
                    match.group(2),
                    start,
                    len(text),
                    sides[0] if sides else None,
                    frozenset(w for w in words if w in FLAGS),
                )
            )
            pos = match.end()
        text += raw[pos:]
        if "[" in text and "](" in text:
            raise ValueError(f"line {number}: malformed markup")
        out.append(Sentence(number, text, tuple(gold)))
    return out


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Scores:
    concepts: dict[str, Count] = field(default_factory=dict)
    attributes: dict[str, Count] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _pair(
    gold: tuple[Gold, ...], found: list[Finding]
) -> tuple[list[tuple[Gold, Finding]], list[Gold], list[Finding]]:
    pairs, left = [], list(found)
    missed = []
    for g in gold:
        match = next(
            (f for f in left if f.concept == g.concept and f.start < g.end and g.start < f.end),
            None,
        )
        if match is None:
            missed.append(g)
        else:
            left.remove(match)
            pairs.append((g, match))
    return pairs, missed, left


def score(
    sentences: list[Sentence], find: Callable[[Iterable[str]], list[list[Finding]]]
) -> Scores:
    """Match each finding to the gold one of the same concept that it overlaps, and count."""
    scores = Scores()
    results = find([s.text for s in sentences])
    for sentence, found in zip(sentences, results, strict=True):
        pairs, missed, spurious = _pair(sentence.gold, found)
        for g, _ in pairs:
            scores.concepts.setdefault(g.concept, Count()).tp += 1
        for g in missed:
            scores.concepts.setdefault(g.concept, Count()).fn += 1
            scores.errors.append(
                f"line {sentence.line}: missed {g.concept} {sentence.text[g.start : g.end]!r}"
            )
        for f in spurious:
            scores.concepts.setdefault(f.concept, Count()).fp += 1
            scores.errors.append(f"line {sentence.line}: spurious {f.concept} {f.text!r}")
        for g, f in pairs:
            for flag in FLAGS:
                count = scores.attributes.setdefault(flag, Count())
                said, got = flag in g.flags, bool(getattr(f, flag))
                count.tp += said and got
                count.fp += got and not said
                count.fn += said and not got
                if said != got:
                    scores.errors.append(
                        f"line {sentence.line}: {g.concept} {flag} should be {said}"
                    )
            side = scores.attributes.setdefault("side", Count())
            if f.side is not None and f.side == g.side:
                side.tp += 1
            else:
                side.fp += f.side is not None
                side.fn += g.side is not None
                if f.side != g.side:
                    scores.errors.append(
                        f"line {sentence.line}: {g.concept} side {f.side} not {g.side}"
                    )
    return scores


def table(scores: Scores) -> str:
    lines = [f"{'':28} {'n':>4} {'precision':>9} {'recall':>7}"]
    for title, counts in (("concept", scores.concepts), ("attribute", scores.attributes)):
        lines.append(title)
        for name, c in sorted(counts.items()):
            lines.append(f"  {name:26} {c.tp + c.fn:>4} {c.precision:>9.3f} {c.recall:>7.3f}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the table of an annotated set (its misses on standard error); exit 2, naming the
    file and line, for a file that cannot be read or markup that names no known concept or
    attribute."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m cluneal.nlp.evaluate",
        description="Precision and recall of the notes pipeline on an annotated set.",
    )
    parser.add_argument("annotated", type=Path, metavar="ANNOTATED.txt")
    path = parser.parse_args(argv).annotated
    from cluneal.nlp.pipeline import find, pipeline

    try:
        sentences = parse_annotated(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot be read ({exc.__class__.__name__}: {exc})", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    known = {c.id for c in pipeline().lexicon.concepts}
    for sentence in sentences:
        for gold in sentence.gold:
            if gold.concept not in known:
                print(
                    f"{path}: line {sentence.line}: unknown concept {gold.concept!r} "
                    f"(known: {', '.join(sorted(known))})",
                    file=sys.stderr,
                )
                return 2
    scores = score(sentences, find)
    print(f"{len(sentences)} sentences, {sum(len(s.gold) for s in sentences)} findings")
    print(table(scores))
    for error in scores.errors:
        print(error, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
