"""The medspaCy pipeline built once from the lexicon, and :func:`find` that runs it on notes.

:meth:`Pipeline.find` first asks the :mod:`~cluneal.nlp.prefilter` which pieces of each note
can hold a finding at all (most notes hold none, and in those that do most sentences hold
none), and which rules may match in each, then tokenizes those pieces (with the nearest piece
before them that holds a section header) and matches in each piece only its rules
(:mod:`~cluneal.nlp.targets`): exactly the findings of :meth:`Pipeline.find_full`, which reads
every note whole with one matcher of every rule (kept for the equivalence test and
``cluneal notes --full``). The rest (sentences and checklist entries,
:mod:`cluneal.nlp.sentences`; ConText, over the findings' sentences only on the fast path,
:mod:`cluneal.nlp.cues`; sections) runs only where a concept was found.
"""

from __future__ import annotations

import gc
import threading
import warnings
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import spacy
from loguru import logger
from medspacy.context import ConText
from spacy.language import Language
from spacy.tokens import Doc, Span

from cluneal.knowledge.lexicon import Lexicon
from cluneal.knowledge.loader import active_pack
from cluneal.knowledge.model import KnowledgePack
from cluneal.nlp import lists
from cluneal.nlp.cues import Cues, context_rules, excepted
from cluneal.nlp.finding import Finding
from cluneal.nlp.pieces import joined, original
from cluneal.nlp.prefilter import Prefilter, Region
from cluneal.nlp.prefilter_lexicon import from_lexicon
from cluneal.nlp.sections import Sections, section_rules
from cluneal.nlp.sentences import Entry, split_sentences
from cluneal.nlp.targets import EXCLUDE, ITEM_LABEL, Targets, keyed_rules
from cluneal.nlp.text import check_text
from cluneal.nlp.tokenizer import clinical_tokenizer

GROUP = "cluneal"
_ATTRIBUTES = {
    "NEGATED_EXISTENCE": "negated",
    "HISTORICAL": "historical",
    "HYPOTHETICAL": "hypothetical",
    "POSSIBLE_EXISTENCE": "uncertain",
    "FAMILY": "family",
}


def _inside_entries(matches: Iterable[Span], entries: list[Entry]) -> list[Span]:
    """Matches less those that run from a checklist entry's item into its value or beyond
    ("Leg pain - yes, Buttock" is no buttock pain)."""
    return [
        m
        for m in matches
        if all(
            m.end <= e.start or m.start >= e.end or (e.start <= m.start and m.end <= e.separator)
            for e in entries
        )
    ]


def _checklist_items(spans: list[Span], entries: list[Entry]) -> list[Span]:
    """Keep a checklist-only match when it is the item of an entry, as its concept's finding."""
    items = [s for s in spans if s.label_.startswith(ITEM_LABEL)]
    if not items:
        return spans
    kept = [s for s in spans if not s.label_.startswith(ITEM_LABEL)]
    for span in items:
        concept = span.label_[len(ITEM_LABEL) :]
        if any(e.start <= span.start and span.end <= e.separator for e in entries) and not any(
            k.label_ == concept and k.start < span.end and span.start < k.end for k in kept
        ):
            kept.append(Span(span.doc, span.start, span.end, label=concept))
    return sorted(kept, key=lambda s: (s.start, s.end, s.label_))


def _prune(spans: Iterable[Span], suppresses: dict[str, tuple[str, ...]]) -> list[Span]:
    """Longest non-overlapping match per concept, of those not excluded or suppressed: a
    match an exclusion holds is dropped before the longest are chosen, so that it hides no
    shorter match of its concept ("leg pain and left leg radiculopathy")."""
    by_label: dict[str, list[Span]] = {}
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        by_label.setdefault(span.label_, []).append(span)
    longest = {label: _longest(group) for label, group in by_label.items()}
    out: list[Span] = []
    for label, group in by_label.items():
        if label.startswith(EXCLUDE):
            continue
        concept = label.removeprefix(ITEM_LABEL)
        vetoes = list(by_label.get(EXCLUDE + concept, ()))
        vetoes += [
            s for other, ids in suppresses.items() if concept in ids for s in longest.get(other, ())
        ]
        out += _longest(
            [s for s in group if not any(v.start <= s.start and s.end <= v.end for v in vetoes)]
        )
    return sorted(out, key=lambda s: (s.start, s.end, s.label_))


def _longest(spans: list[Span]) -> list[Span]:
    """The longest non-overlapping spans of a list sorted longest first."""
    kept: list[Span] = []
    for span in spans:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return kept


@dataclass
class Pipeline:
    """The loaded pipeline; build it with :func:`pipeline` (once per process)."""

    nlp: Language
    context: ConText
    sections: Sections
    lexicon: Lexicon
    prefilter: Prefilter
    targets: Targets
    cues: Cues

    def __post_init__(self) -> None:
        self.suppresses = {c.id: c.suppresses for c in self.lexicon.concepts if c.suppresses}
        self.side_of = {w: side for side, words in self.lexicon.sides.items() for w in words}
        self.own_side_of = {
            **{w: side for side, words in self.lexicon.own_sides.items() for w in words},
            **self.side_of,
        }

    def find(self, texts: Iterable[str], batch_size: int = 64) -> list[list[Finding]]:
        """The findings of each note, reading only the pieces the prefilter chooses, and
        matching in each only the rules that may match there."""
        texts = list(_checked(texts))
        out: list[list[Finding]] = [[] for _ in texts]
        whole: list[int] = []
        again: list[int] = []
        jobs = []
        for i, text in enumerate(texts):
            regions = self.prefilter.regions(text)
            if regions is None:
                whole.append(i)
            elif regions:
                jobs.append((i, regions))
        for i, found in self._read_regions(texts, jobs, batch_size):
            if found is None:  # a piece chosen for its section header holds none
                again.append(i)
            else:
                out[i] = found
        jobs = [(i, self.prefilter.regions(texts[i], every_header=True) or []) for i in again]
        for i, found in self._read_regions(texts, jobs, batch_size):
            out[i] = found or []
        for i, found in zip(whole, self._read([texts[i] for i in whole], batch_size), strict=True):
            out[i] = found
        return out

    def _read_regions(
        self, texts: list[str], jobs: list[tuple[int, list[Region]]], batch_size: int
    ) -> Iterator[tuple[int, list[Finding] | None]]:
        """Per note, the findings of the regions chosen by the prefilter, or None when a piece
        chosen as the nearest section header holds no header (the section may be wrong)."""
        read, plans = [], []
        for i, regions in jobs:
            part, offsets = joined(texts[i], [(r.start, r.end) for r in regions])
            read.append(part)
            plans.append((offsets, regions))
        docs = self.nlp.tokenizer.pipe(read, batch_size=batch_size)
        for (i, _), (offsets, regions), doc in zip(jobs, plans, docs, strict=True):
            moved = [
                (at - start, region) for (at, start), region in zip(offsets, regions, strict=True)
            ]
            keyed = [(s + d, e + d, keys) for d, r in moved for s, e, keys in r.targets]
            headers = [(s + d, e + d) for d, r in moved for s, e in r.headers]
            found = self._findings(doc, self.targets(doc, keyed), self.cues.apply, headers)
            yield i, None if found is None else [_moved(f, offsets) for f in found]

    def find_full(self, texts: Iterable[str], batch_size: int = 64) -> list[list[Finding]]:
        """The findings of each note, read whole (no prefilter) by one matcher of every rule."""
        return self._read(_checked(texts), batch_size)

    def _read(self, texts: Iterable[str], batch_size: int) -> list[list[Finding]]:
        return [
            self._findings(doc, doc.spans.get(GROUP, ()), self._context) or []
            for doc in self.nlp.pipe(texts, batch_size=batch_size)
        ]

    def _context(self, doc: Doc, spans: list[Span]) -> None:
        """medspaCy's ConText over the whole note."""
        doc.spans[GROUP] = spans
        self.context(doc)

    def _findings(
        self,
        doc: Doc,
        found: Iterable[Span],
        context: Callable[[Doc, list[Span]], None],
        headers: Sequence[tuple[int, int]] = (),
    ) -> list[Finding] | None:
        """The findings of a note from its target matches, their cues set by ``context``; None
        when one of the ``headers`` (ranges of characters that must each hold a section header
        for the sections to be right) holds none."""
        matches = lists.parts(found, self.lexicon.joiners)
        spans = _prune(matches, self.suppresses)
        if not spans:
            return []
        entries = split_sentences(doc, self.lexicon.checklist)
        if entries:
            spans = _prune(_inside_entries(matches, entries), self.suppresses)
        spans = _checklist_items(spans, entries)
        if not spans:
            return []
        matches = self.sections.headers(doc)
        if headers:
            starts = sorted(doc[start].idx for _, start, _ in matches)
            if not all(_holds_one(starts, header) for header in headers):
                return None
        context(doc, spans)
        categories = self.sections.of(doc, spans, matches)
        denied = [(e.start, e.separator) for e in entries if e.negative]
        return [
            self._finding(span, spans, denied, section)
            for span, section in zip(spans, categories, strict=True)
        ]

    def _side(self, span: Span, spans: list[Span]) -> str | None:
        """The side said in the finding, else the nearest one said near it in its sentence
        (not in another finding, nor nearer to one it reaches, nor across a negation or the
        end of a clause)."""
        sent = span.sent
        if span.end > sent.end:  # a finding that runs over a "HEADER:" ("SIJ: tender")
            sent = span.doc[sent.start : span[-1].sent.end]
        spans = [s for s in spans if s is not span and sent.start <= s.start and s.end <= sent.end]
        taken = {i for other in spans for i in range(other.start, other.end)}
        sides = {self.own_side_of[t.lower_] for t in span if t.lower_ in self.own_side_of}
        if sides:
            return _one_side(sides)
        doc, window, nearest = span.doc, self.lexicon.side_window, self.lexicon.side_window + 1
        lowers = [t.lower_ for t in sent]  # the sentence's words, by index from its start

        def reaches(i: int, finding: Span) -> bool:
            return not _beyond_a_stop(
                lowers, i - sent.start, finding.start - sent.start, finding.end - sent.start
            )

        for token in doc[max(sent.start, span.start - window) : min(sent.end, span.end + window)]:
            side = None if token.i in taken else self.side_of.get(token.lower_)
            if side is None or not reaches(token.i, span):
                continue  # no side word, or a negation or a clause's end between them
            distance = _distance(token.i, span)
            if any(_nearer(token.i, o, distance) and reaches(token.i, o) for o in spans):
                continue  # the side word belongs to a nearer finding
            if distance < nearest:
                sides, nearest = {side}, distance
            elif distance == nearest:
                sides.add(side)
        return _one_side(sides)

    def _finding(
        self, span: Span, spans: list[Span], denied: list[tuple[int, int]], section: str | None
    ) -> Finding:
        """The finding, with its ConText and section attributes; ``denied`` are the items
        (token ranges) of checklist entries whose value is negative."""
        flags = dict.fromkeys(_ATTRIBUTES.values(), False)
        if any(t.lower_ in self.lexicon.negating_words for t in span):
            flags["negated"] = True
        if any(start <= span.start and span.end <= end for start, end in denied):
            flags["negated"] = True
        for modifier in span._.modifiers:
            attribute = _ATTRIBUTES.get(modifier.category)
            if attribute:
                flags[attribute] = True
        if flags["negated"] and excepted(span, self.lexicon.exception_words):
            flags["negated"] = False
        attribute = self.lexicon.section_attributes.get(section or "")
        only = (self.lexicon.section_concepts or {}).get(section or "")
        if attribute and (only is None or span.label_ in only):
            flags[attribute] = True
        return Finding(
            concept=span.label_,
            text=span.text,
            start=span.start_char,
            end=span.end_char,
            side=self._side(span, spans),
            section=section,
            **flags,
        )


#: Words a side word does not reach a finding across (as a sequence's gaps never cross them).
_SIDE_STOPS = frozenset(
    {".", "?", "!", ";", ":", "but", "however", "not", "no", "without", "denies"}
)


def _beyond_a_stop(lowers: list[str], at: int, start: int, end: int) -> bool:
    """Whether a stop word stands between the word at ``at`` and a finding at ``start:end``
    (indices into ``lowers``)."""
    between = lowers[at + 1 : start] if at < start else lowers[end:at]
    return any(word in _SIDE_STOPS for word in between)


def _holds_one(starts: list[int], where: tuple[int, int]) -> bool:
    """Whether a sorted list of offsets has one in a range."""
    k = bisect_left(starts, where[0])
    return k < len(starts) and starts[k] < where[1]


def _one_side(sides: set[str]) -> str | None:
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    return sides.pop() if sides else None


def _nearer(i: int, other: Span, distance: int) -> bool:
    """Whether the word at ``i`` belongs to ``other`` rather than to a finding ``distance``
    away: it is nearer to ``other``, or as near and stands before it (a side word qualifies
    what follows it: "low back pain with left leg radiculopathy")."""
    d = _distance(i, other)
    return d < distance or (d == distance and i < other.start)


def _distance(i: int, span: Span) -> int:
    return span.start - i if i < span.start else max(0, i - span.end + 1)


def _moved(finding: Finding, offsets: list[tuple[int, int]]) -> Finding:
    """A finding of the prefilter's joined text, at its place in the note."""
    start = original(offsets, finding.start)
    return replace(finding, start=start, end=start + finding.end - finding.start)


def _checked(texts: Iterable[str]) -> Iterable[str]:
    for i, text in enumerate(texts):
        check_text(text, f"note {i}")
        yield text


_built: dict[tuple[str, str, str], Pipeline] = {}
_building = threading.Lock()


def pipeline(pack: KnowledgePack | None = None) -> Pipeline:
    """The pipeline for a pack's lexicon (default: the active pack), built once per process."""
    pack = pack or active_pack()
    key = (pack.origin, pack.name, pack.version)
    with _building:
        if key not in _built:
            _built[key] = _build(pack.lexicon)
            # The pipeline lives as long as the process: its some 200,000 objects leave the
            # collector's generations, which the collections made while reading notes would
            # otherwise scan again and again (about a tenth of the reading time on MTSamples).
            gc.collect()
            gc.freeze()
        return _built[key]


def _build(lexicon: Lexicon) -> Pipeline:
    """Build the pipeline from a lexicon; nothing is fetched."""
    logger.disable("PyRuSH")
    # medspaCy's matchers warn on every note when a rule set has no token patterns.
    warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)
    nlp = spacy.blank("en")
    nlp.tokenizer = clinical_tokenizer(nlp)
    config = {"result_type": "group", "span_group_name": GROUP, "prune": False}
    matcher: Any = nlp.add_pipe("medspacy_target_matcher", config=config)
    rules = keyed_rules(lexicon)
    matcher.add([rule for group in rules.values() for rule in group])
    context = ConText(nlp, rules=None, input_span_type="group", span_group_name=GROUP)
    cue_rules = context_rules(lexicon)
    context.add(cue_rules)
    headers = section_rules(lexicon)
    prefilter = from_lexicon(lexicon, nlp, [(r.literal, r.max_scope is not None) for r in headers])
    cues = Cues(nlp, context, cue_rules, ends=prefilter.sentences)
    sections = Sections(nlp, headers)
    return Pipeline(nlp, context, sections, lexicon, prefilter, Targets(nlp, rules), cues)


def find(texts: Iterable[str]) -> list[list[Finding]]:
    """The findings in each note, in order; raises :class:`NoteError` for a note that is no text."""
    return pipeline().find(texts)
