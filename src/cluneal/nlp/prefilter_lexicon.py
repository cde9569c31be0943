"""The prefilter of a lexicon: every target rule's required items, the section headers, and
what decides how the note may be cut (whether any rule spans a sentence end or starts with a
comma), derived from the lexicon and the pipeline's tokenizer, never from a second word list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.language import Language

from cluneal.knowledge.lexicon import Lexicon
from cluneal.nlp.prefilter import Item, Prefilter

#: What a target rule is named by: its concept, its kind and its text.
RuleKey = tuple[str, str, object]
TERM, SEQUENCE, ITEM, EXCLUSION = "term", "sequence", "checklist item", "exclusion"


def rule_key(concept: str, kind: str, rule: object) -> RuleKey:
    """The key of one term, sequence, checklist item or (``rule`` None) a concept's exclusions."""
    return (concept, kind, rule)


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


def most_tokens(sequence: Sequence[str]) -> int:
    """The most tokens a match of a lexicon sequence can have (a gap ``~n`` up to n)."""
    return sum(int(item[1:].split("@")[0]) if item.startswith("~") else 1 for item in sequence)


def literal(text: str, nlp: Language) -> list[Item]:
    """A phrase's tokens, as the phrase matcher sees them (lower case, the pipeline's tokens)."""
    return [(token.lower_,) for token in nlp.tokenizer(text.lower()) if not token.is_space]


_SENTENCE_ENDS = frozenset(".?!")


def _spans_sentence_end(words: Iterable[Iterable[str]]) -> bool:
    """Whether a rule of several tokens has one that is a sentence end (it could match across
    the end of a sentence, so pieces must not end there)."""
    items = [set(w) for w in words]
    return len(items) > 1 and any(item & _SENTENCE_ENDS for item in items)


def from_lexicon(lexicon: Lexicon, nlp: Language, headers: Iterable[tuple[str, bool]]) -> Prefilter:
    """The prefilter of a lexicon's target rules, each named by its :func:`rule_key`, and of
    the pipeline's section headers (each a literal, and whether its section runs for a number
    of tokens only)."""
    targets: list[tuple[RuleKey, list[Item], int | None]] = []
    phrases: list[tuple[RuleKey, list[Item]]] = []
    every: list[list[Item]] = []  # every multi-token rule, whatever it does
    for concept in lexicon.concepts:
        phrases += [
            (rule_key(concept.id, TERM, term), literal(term, nlp)) for term in concept.terms
        ]
        listed = tuple(seq for seq, _ in concept.lists)
        sequences = tuple(dict.fromkeys((*concept.sequences, *listed)))
        for kind, group in ((SEQUENCE, sequences), (ITEM, concept.checklist_items)):
            targets += [
                (rule_key(concept.id, kind, seq), required(seq, lexicon.classes), most_tokens(seq))
                for seq in group
            ]
        every += [
            _all_items(seq, lexicon.classes)
            for seq in (*sequences, *concept.checklist_items, *concept.exclusions)
        ]
    sections = [(literal(text, nlp), scoped) for text, scoped in headers]
    every += [items for _, items in phrases] + [items for items, _ in sections]
    for rule in lexicon.context:
        every.append(
            _all_items(rule.pattern, lexicon.classes)
            if rule.pattern
            else literal(rule.literal, nlp)
        )
    prefilter = Prefilter.build(targets, phrases, sections)
    prefilter.abbreviations = frozenset(nlp.tokenizer.rules or ())
    prefilter.sentences = not any(_spans_sentence_end(items) for items in every)
    firsts = [*(items[0] for items in every if items), *_first_items(lexicon)]
    prefilter.commas = not any("," in item for item in firsts)
    prefilter.prefix = nlp.tokenizer.prefix_search
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
