"""ConText applied to the sentences around the findings only, with medspaCy's rules and logic.

medspaCy's ``ConText`` matches its cue rules over the whole document, then weighs every pair of
cues against each other; a cue acts within its own sentence only. :meth:`Cues.apply` gives the
findings exactly the cues ``ConText`` would give them, matching the cue rules only in the
*windows* around the findings: runs of whole sentences cut where no cue rule can match across
(after a whitespace token, which no rule matches; and after a sentence end when no rule of
several tokens holds one, :attr:`Cues.ends`). No cue outside a finding's window can reach it,
and the cues inside are matched, pruned and scoped as ``ConText`` does
(``tests/nlp/test_prefilter.py`` holds the two equal on every corpus the project has).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from medspacy.common.util import prune_overlapping_matches
from medspacy.context import ConText, ConTextGraph, ConTextModifier, ConTextRule
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token

from cluneal.knowledge.lexicon import Lexicon
from cluneal.nlp.anchored import Anchored
from cluneal.nlp.targets import token_patterns

_ENDS = frozenset(".?!")


def excepted(span: Span, exceptions: Iterable[tuple[str, ...]]) -> bool:
    """Whether a finding holds one of the lexicon's exception words (``exception_words``) after
    its first word: what it names after the word is the exception to the negation before it,
    so it is asserted ("no tenderness except over the right PSIS")."""
    words = [t.lower_ for t in span]
    return any(tuple(words[i : i + len(w)]) == w for w in exceptions for i in range(1, len(words)))


def context_rules(lexicon: Lexicon) -> list[ConTextRule]:
    """The lexicon's cue rules as medspaCy's, one per token pattern of each."""
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


class Cues:
    """The cue rules of a ``ConText`` component, matched window by window, each rule led by a
    word only where the word is (:mod:`~cluneal.nlp.anchored`). The order of matches of the
    same tokens decides which of them medspaCy keeps: it is the order within one call of one
    matcher, as in medspaCy's; were such matches ever to come from two calls, the window is
    matched again by one matcher of every rule."""

    def __init__(
        self, nlp: Language, context: ConText, rules: Sequence[ConTextRule], ends: bool
    ) -> None:
        self.context = context
        #: Whether a window may end at a sentence end (no rule of several tokens holds one).
        self.ends = ends
        self.every = Matcher(nlp.vocab)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.anchored = Anchored(nlp.vocab)
        self.rules: dict[int, ConTextRule] = {}
        for n, rule in enumerate(rules):
            key = f"cue_{n}"
            self.rules[nlp.vocab.strings.add(key)] = rule
            if rule.pattern is None:  # as medspaCy's matcher reads a literal
                self.phrases.add(key, [nlp.tokenizer(rule.literal.lower())])
            else:
                self.every.add(key, [rule.pattern])
                self.anchored.add(key, rule.pattern)

    def matches(
        self, doc: Doc, start: int, end: int, lowers: list[int]
    ) -> list[tuple[int, int, int]]:
        """The cue matches (rule id, first token, end) in tokens ``start:end``, in medspaCy's
        order for matches of the same tokens."""
        found = sorted(self.anchored(doc, start, end, lowers))
        # matches of the same tokens all come from one call, unless some were found anywhere
        if len({(m.start, m.end, m.anywhere) for m in found}) > len({m[:2] for m in found}):
            return [(key, start + s, start + e) for key, s, e in self.every(doc[start:end])]
        return [(m.key, m.start, m.end) for m in found]

    def windows(self, doc: Doc, spans: Sequence[Span]) -> list[tuple[int, int]]:
        """The token ranges, in order, that hold the findings' sentences and every cue that
        could touch them."""
        out: list[tuple[int, int]] = []
        for span in sorted(spans, key=lambda s: s.start):
            if out and span.start < out[-1][1]:
                continue
            sentence = span.sent
            start, end = sentence.start, sentence.end
            while start > 0 and not self._cut(doc[start - 1]):
                start = doc[start - 1].sent.start
            while end < len(doc) and not self._cut(doc[end - 1]):
                end = doc[end].sent.end
            out.append((start, end))
        return out

    def _cut(self, last: Token) -> bool:
        """Whether no cue can match across the end of a sentence ending in token ``last``."""
        return last.is_space or (self.ends and last.text in _ENDS)

    def apply(self, doc: Doc, spans: Sequence[Span]) -> None:
        """Set ``span._.modifiers`` of each finding as ``ConText`` would (sentences set)."""
        matches: list[tuple[int, int, int]] = []
        lowers = doc.to_array(LOWER).tolist()
        for start, end in self.windows(doc, spans):
            matches += self.matches(doc, start, end, lowers)
            matches += self.phrases(doc[start:end])
        context = self.context
        graph = ConTextGraph(prune_on_modifier_overlap=context.prune_on_target_overlap)
        graph.targets = list(spans)
        if context.prune_on_modifier_overlap:
            matches = prune_overlapping_matches(matches)
        graph.modifiers = [
            ConTextModifier(self.rules[key], start, end, doc, max_scope=context.max_scope)
            for key, start, end in matches
        ]
        graph.update_scopes()
        graph.apply_modifiers()
        for target, modifier in graph.edges:
            target._.modifiers += (modifier,)
        if context.context_attributes_mapping:
            context.set_context_attributes(graph.edges)
