"""The medspaCy pipeline built once from the lexicon, and :func:`find` that runs it on notes.

:meth:`Pipeline.find` first asks the :mod:`~cluneal.nlp.prefilter` which pieces of each note
can hold a finding at all (most notes hold none, and in those that do most sentences hold
none), and runs spaCy on those pieces only: exactly the findings of :meth:`Pipeline.find_full`,
which reads every note whole (kept for the equivalence test and ``cluneal notes --full``).
In both, only the tokenizer and the target matcher run on all the text read, batched with
``nlp.pipe``; the rest (sentences and checklist entries, :mod:`cluneal.nlp.sentences`;
ConText; sections) runs only where a concept was found.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import spacy
from loguru import logger
from medspacy.context import ConText, ConTextRule
from medspacy.section_detection import Sectionizer, SectionRule
from medspacy.target_matcher import TargetRule
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Span

from cluneal.knowledge.lexicon import Lexicon
from cluneal.knowledge.loader import active_pack
from cluneal.knowledge.model import KnowledgePack
from cluneal.nlp import lists
from cluneal.nlp.finding import Finding
from cluneal.nlp.pieces import joined, original
from cluneal.nlp.prefilter import Prefilter
from cluneal.nlp.prefilter_lexicon import from_lexicon
from cluneal.nlp.sections import Sections
from cluneal.nlp.sentences import Entry, split_sentences
from cluneal.nlp.text import check_text

GROUP = "cluneal"
EXCLUDE = "exclude:"
#: The label of a match that counts only as a checklist entry's item.
ITEM = "item:"
#: A gap in a sequence never crosses the end of a clause, a contrast, a negation or a
#: whitespace token (a tab, a line break, a run of spaces: each one starts a sentence).
_GAP_STOPS = [".", "?", "!", ";", ":", "but", "however", "not", "no", "without", "denies"]
_ATTRIBUTES = {
    "NEGATED_EXISTENCE": "negated",
    "HISTORICAL": "historical",
    "HYPOTHETICAL": "hypothetical",
    "POSSIBLE_EXISTENCE": "uncertain",
    "FAMILY": "family",
}


def _token(item: str, classes: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    if item.startswith("~") and "@" in item:  # a gap of a word class's words only
        size, name = item[1:].split("@")
        return {"LOWER": {"IN": list(classes[name])}, "OP": f"{{0,{size}}}"}
    if item.startswith("~"):
        return {"LOWER": {"NOT_IN": _GAP_STOPS}, "IS_SPACE": False, "OP": f"{{0,{item[1:]}}}"}
    body = item.removesuffix("?")
    alternatives = list(classes[body[1:]]) if body.startswith("@") else body.split("|")
    prefixes = [a[:-1] for a in alternatives if a.endswith("*")]
    words = [a for a in alternatives if not a.endswith("*")]
    if prefixes:
        parts = [re.escape(p) for p in prefixes] + [re.escape(w) + "$" for w in words]
        token: dict[str, Any] = {"LOWER": {"REGEX": "^(?:" + "|".join(parts) + ")"}}
    else:
        token = {"LOWER": words[0]} if len(words) == 1 else {"LOWER": {"IN": words}}
    if item.endswith("?"):
        token["OP"] = "?"
    return token


def token_patterns(
    items: Sequence[str], classes: dict[str, tuple[str, ...]]
) -> list[list[dict[str, Any]]]:
    """spaCy Matcher patterns for a lexicon sequence (syntax: :mod:`cluneal.knowledge.lexicon`).

    The Matcher tests every pattern's first token at every token of a note, and a set or regex
    test there is a Python call: so a leading ``a|b|c`` becomes one pattern per word (a plain
    attribute comparison) and a leading optional item becomes a pattern with it and one without.
    """
    first, rest = items[0], [_token(item, classes) for item in items[1:]]
    patterns = []
    if first.endswith("?"):
        patterns += token_patterns(items[1:], classes)
        first = first[:-1]
    body = list(classes[first[1:]]) if first.startswith("@") else first.split("|")
    if any(word.endswith("*") for word in body):
        return [*patterns, [_token(first, classes), *rest]]
    return patterns + [[{"LOWER": word}, *rest] for word in body]


def _target_rules(lexicon: Lexicon) -> list[TargetRule]:
    rules: list[TargetRule] = []
    for concept in lexicon.concepts:
        rules += [TargetRule(term, concept.id) for term in concept.terms]
        listed = {seq for seq, _ in concept.lists}
        for seq, where in concept.lists:
            for pattern in token_patterns(seq, lexicon.classes):
                rules.append(TargetRule(" ".join(seq), lists.label(concept.id, where), pattern))
        for label, sequences in (
            (concept.id, tuple(seq for seq in concept.sequences if seq not in listed)),
            (EXCLUDE + concept.id, concept.exclusions),
            (ITEM + concept.id, concept.checklist_items),
        ):
            for seq in sequences:
                for pattern in token_patterns(seq, lexicon.classes):
                    rules.append(TargetRule(" ".join(seq), label, pattern=pattern))
    return rules


def _context_rules(lexicon: Lexicon) -> list[ConTextRule]:
    rules: list[ConTextRule] = []
    for rule in lexicon.context:
        patterns = token_patterns(rule.pattern, lexicon.classes) if rule.pattern else [None]
        rules += [
            ConTextRule(
                rule.literal,
                rule.category,
                pattern=pattern,
                direction=rule.direction,
                max_scope=rule.max_scope,
                allowed_types=rule.concepts,
            )
            for pattern in patterns
        ]
    return rules


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
    items = [s for s in spans if s.label_.startswith(ITEM)]
    if not items:
        return spans
    kept = [s for s in spans if not s.label_.startswith(ITEM)]
    for span in items:
        concept = span.label_[len(ITEM) :]
        if any(e.start <= span.start and span.end <= e.separator for e in entries) and not any(
            k.label_ == concept and k.start < span.end and span.start < k.end for k in kept
        ):
            kept.append(Span(span.doc, span.start, span.end, label=concept))
    return sorted(kept, key=lambda s: (s.start, s.end, s.label_))


def _prune(spans: Iterable[Span], suppresses: dict[str, tuple[str, ...]]) -> list[Span]:
    """Longest non-overlapping match per concept, less excluded and suppressed ones."""
    by_label: dict[str, list[Span]] = {}
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        kept = by_label.setdefault(span.label_, [])
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    out: list[Span] = []
    for label, kept in by_label.items():
        if label.startswith(EXCLUDE):
            continue
        concept = label.removeprefix(ITEM)
        vetoes = list(by_label.get(EXCLUDE + concept, ()))
        vetoes += [
            s
            for other, ids in suppresses.items()
            if concept in ids
            for s in by_label.get(other, ())
        ]
        out += [s for s in kept if not any(v.start <= s.start and s.end <= v.end for v in vetoes)]
    return sorted(out, key=lambda s: (s.start, s.end, s.label_))


@dataclass
class Pipeline:
    """The loaded pipeline; build it with :func:`pipeline` (once per process)."""

    nlp: Language
    context: ConText
    sections: Sections
    lexicon: Lexicon
    prefilter: Prefilter

    def __post_init__(self) -> None:
        self.suppresses = {c.id: c.suppresses for c in self.lexicon.concepts if c.suppresses}
        self.side_of = {w: side for side, words in self.lexicon.sides.items() for w in words}

    def find(self, texts: Iterable[str], batch_size: int = 64) -> list[list[Finding]]:
        """The findings of each note, reading only the pieces the prefilter chooses."""
        texts = list(_checked(texts))
        out: list[list[Finding]] = [[] for _ in texts]
        jobs: list[tuple[int, list[tuple[int, int]] | None]] = []
        read: list[str] = []
        for i, text in enumerate(texts):
            plan = self.prefilter.plan(text)
            if plan is None:
                jobs.append((i, None))
                read.append(text)
            elif plan:
                part, offsets = joined(text, plan)
                jobs.append((i, offsets))
                read.append(part)
        for (i, offsets), found in zip(jobs, self._read(read, batch_size), strict=True):
            out[i] = found if offsets is None else [_moved(f, offsets) for f in found]
        return out

    def find_full(self, texts: Iterable[str], batch_size: int = 64) -> list[list[Finding]]:
        """The findings of each note, read whole (no prefilter)."""
        return self._read(_checked(texts), batch_size)

    def _read(self, texts: Iterable[str], batch_size: int) -> list[list[Finding]]:
        out: list[list[Finding]] = []
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            matches = lists.parts(doc.spans.get(GROUP, ()), self.lexicon.joiners)
            spans = _prune(matches, self.suppresses)
            if not spans:
                out.append([])
                continue
            entries = split_sentences(doc, self.lexicon.checklist)
            if entries:
                spans = _prune(_inside_entries(matches, entries), self.suppresses)
            spans = _checklist_items(spans, entries)
            if not spans:
                out.append([])
                continue
            doc.spans[GROUP] = spans
            self.context(doc)
            categories = self.sections.of(doc, spans)
            denied = [(e.start, e.separator) for e in entries if e.negative]
            out.append(
                [
                    self._finding(span, spans, denied, section)
                    for span, section in zip(spans, categories, strict=True)
                ]
            )
        return out

    def _side(self, span: Span, spans: list[Span]) -> str | None:
        """The side said in the finding, else the nearest one said near it in its sentence
        (not in another finding, nor nearer to one)."""
        sent = span.sent
        spans = [s for s in spans if sent.start <= s.start and s.end <= sent.end]
        taken = {i for other in spans if other is not span for i in range(other.start, other.end)}
        sides = {self.side_of[t.lower_] for t in span if t.lower_ in self.side_of}
        if not sides:
            doc, sent, window = span.doc, span.sent, self.lexicon.side_window
            nearest = window + 1
            for token in doc[
                max(sent.start, span.start - window) : min(sent.end, span.end + window)
            ]:
                side = None if token.i in taken else self.side_of.get(token.lower_)
                distance = _distance(token.i, span)
                if side is not None and any(_distance(token.i, o) < distance for o in spans):
                    continue  # the side word belongs to a nearer finding
                if side is not None and distance < nearest:
                    sides, nearest = {side}, distance
                elif side is not None and distance == nearest:
                    sides.add(side)
        if "bilateral" in sides or {"left", "right"} <= sides:
            return "bilateral"
        return sides.pop() if sides else None

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


_PREFIX = re.compile(r"""^[\[({"'“‘`*#<~?]""")
_SUFFIX = re.compile(r"""(?:[\])}"'”’.,;:!?*>%]|'s|’s)$""")
_INFIX = re.compile(
    r"(?<=[A-Za-z])[-/](?=[A-Za-z])|(?<=[0-9])-(?=[a-z])|[,;:](?=\S)|(?<=[A-Za-z])\.(?=[,A-Z])"
)
_ABBREVIATIONS = (
    *("Dr.", "Mr.", "Mrs.", "Ms.", "vs.", "e.g.", "i.e.", "St.", "approx.", "No."),
    *("r/o", "R/O", "s/p", "S/P", "h/o", "H/O", "c/o", "C/O", "b/l", "B/L", "w/", "n/v"),
    *("S/p", "H/o", "R/o", "C/o"),
)


def clinical_tokenizer(nlp: Language) -> Tokenizer:
    """A tokenizer with short affix rules: about four times faster than spaCy's English one.

    spaCy's rules are written for every script and every kind of text; notes need only
    brackets, quotes, a leading "?" ("?Tinel", a query), end punctuation, "'s", and splits
    inside "bowel/bladder" and "low-back"
    (but not inside "L4-L5", one token).
    """
    rules = {abbreviation: [{ORTH: abbreviation}] for abbreviation in _ABBREVIATIONS}
    return Tokenizer(
        nlp.vocab,
        rules=rules,
        prefix_search=_PREFIX.search,
        suffix_search=_SUFFIX.search,
        infix_finditer=_INFIX.finditer,
    )


def section_rules(lexicon: Lexicon) -> list[SectionRule]:
    """medspaCy's default section rules, with the lexicon's replacing those of the same literal."""
    default_path = Sectionizer(spacy.blank("en"), rules=None).DEFAULT_RULES_FILEPATH
    replaced = {header.literal.lower() for header in lexicon.sections}
    rules = [r for r in SectionRule.from_json(default_path) if r.literal.lower() not in replaced]
    return rules + [
        SectionRule(h.literal, h.category, max_scope=h.max_scope) for h in lexicon.sections
    ]


_built: dict[tuple[str, str, str], Pipeline] = {}
_building = threading.Lock()


def pipeline(pack: KnowledgePack | None = None) -> Pipeline:
    """The pipeline for a pack's lexicon (default: the active pack), built once per process."""
    pack = pack or active_pack()
    key = (pack.origin, pack.name, pack.version)
    with _building:
        if key not in _built:
            _built[key] = _build(pack.lexicon)
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
    matcher.add(_target_rules(lexicon))
    context = ConText(nlp, rules=None, input_span_type="group", span_group_name=GROUP)
    context.add(_context_rules(lexicon))
    rules = section_rules(lexicon)
    headers = [(r.literal, r.max_scope is not None) for r in rules]
    prefilter = from_lexicon(lexicon, nlp, headers)
    return Pipeline(nlp, context, Sections(nlp, rules), lexicon, prefilter)


def find(texts: Iterable[str]) -> list[list[Finding]]:
    """The findings in each note, in order; raises :class:`NoteError` for a note that is no text."""
    return pipeline().find(texts)
