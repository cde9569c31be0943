"""The lexicon's target rules as spaCy patterns, and matching them only where they can match.

Each rule (a concept's term, sequence or checklist item) has a key, :func:`rule_key`, by which
the prefilter says in which pieces of a note it may match
(:meth:`~cluneal.nlp.prefilter.Prefilter.regions`). :class:`Targets` keeps the patterns of each
key apart and runs in each piece only those of the rules that may match there, with the
exclusions of their concepts, each only where its first word is: the matches of one matcher of
every rule run over the whole text, since a rule matches nowhere else (spaCy's ``Matcher`` costs
time per token for every pattern it holds, so this is where the time of reading a note went).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from medspacy.target_matcher import TargetRule
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from cluneal.knowledge.lexicon import Lexicon
from cluneal.nlp import lists
from cluneal.nlp.anchored import Anchored
from cluneal.nlp.prefilter_lexicon import EXCLUSION, ITEM, SEQUENCE, TERM, RuleKey, rule_key

#: The label of a match that vetoes its concept's matches inside it.
EXCLUDE = "exclude:"
#: The label of a match that counts only as a checklist entry's item.
ITEM_LABEL = "item:"
#: A gap in a sequence never crosses the end of a clause, a contrast, a negation or a
#: whitespace token (a tab, a line break, a run of spaces: each one starts a sentence).
_GAP_STOPS = [".", "?", "!", ";", ":", "but", "however", "not", "no", "without", "denies"]


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


def keyed_rules(lexicon: Lexicon) -> dict[RuleKey, list[TargetRule]]:
    """Every target rule of the lexicon, under its key (a concept's exclusions under one)."""
    rules: dict[RuleKey, list[TargetRule]] = {}
    for concept in lexicon.concepts:
        cid = concept.id
        for term in concept.terms:
            rules.setdefault(rule_key(cid, TERM, term), []).append(TargetRule(term, cid))
        for seq, where in concept.lists:
            rules.setdefault(rule_key(cid, SEQUENCE, seq), []).extend(
                TargetRule(" ".join(seq), lists.label(cid, where), pattern=pattern)
                for pattern in token_patterns(seq, lexicon.classes)
            )
        listed = {seq for seq, _ in concept.lists}
        for kind, label, sequences in (
            (SEQUENCE, cid, tuple(seq for seq in concept.sequences if seq not in listed)),
            (EXCLUSION, EXCLUDE + cid, concept.exclusions),
            (ITEM, ITEM_LABEL + cid, concept.checklist_items),
        ):
            for seq in sequences:
                key = rule_key(cid, kind, None if kind == EXCLUSION else seq)
                rules.setdefault(key, []).extend(
                    TargetRule(" ".join(seq), label, pattern=pattern)
                    for pattern in token_patterns(seq, lexicon.classes)
                )
    return rules


class Targets:
    """Per rule key, its patterns kept by first word (:mod:`~cluneal.nlp.anchored`) and its
    phrases; :meth:`__call__` matches the rules of each piece in it."""

    def __init__(self, nlp: Language, rules: dict[RuleKey, list[TargetRule]]) -> None:
        self.matchers: dict[RuleKey, tuple[Anchored | None, PhraseMatcher | None]] = {}
        for key, group in rules.items():
            anchored, phrases = Anchored(nlp.vocab), PhraseMatcher(nlp.vocab, attr="LOWER")
            for rule in group:
                if rule.pattern is None:  # as medspaCy's matcher reads a literal
                    phrases.add(rule.category, [nlp.tokenizer(rule.literal.lower())])
                else:
                    anchored.add(rule.category, rule.pattern)
            self.matchers[key] = (
                anchored if len(anchored) else None,
                phrases if len(phrases) else None,
            )

    def __call__(
        self, doc: Doc, regions: Iterable[tuple[int, int, Iterable[RuleKey]]]
    ) -> list[Span]:
        """The matches in each piece (a range of characters of ``doc`` that holds whole
        tokens) of the rules whose keys it lists, and of their concepts' exclusions."""
        out: list[Span] = []
        lowers = doc.to_array(LOWER).tolist()
        for start, end, keys in regions:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or not keys:
                continue
            concepts = {key[0] for key in keys}
            for key in (*keys, *(rule_key(c, EXCLUSION, None) for c in sorted(concepts))):
                anchored, phrases = self.matchers.get(key, (None, None))
                if anchored is not None:
                    found = anchored(doc, span.start, span.end, lowers)
                    out += [Span(doc, m.start, m.end, label=m.key) for m in found]
                if phrases is not None:
                    out += phrases(span, as_spans=True)
        return out
