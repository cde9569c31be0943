"""The notes lexicon: concepts with their terms, and the ConText rules tuned for them.

The lexicon is a knowledge-pack section (``lexicon``, in ``data/lexicon.json``) read by the
same strict loader as every other section, so a site pack may replace it and a bad term, class
or source id is an error naming the file and path. :mod:`cluneal.nlp.pipeline` builds the
medspaCy pipeline from it; reading it here needs no spaCy.

A concept is found by its ``terms`` (phrases matched case-insensitively; ``abbreviations`` and
``misspellings`` are terms kept apart for review) and by ``sequences``: token patterns written
as a list of items, each one of

* ``word`` - the token, case-insensitive; ``prefix*`` - a token starting with ``prefix``;
* ``a|b*|c`` - any one of these;
* ``@class`` - any word of the lexicon's word class ``class`` (or one of its phrases,
  :mod:`cluneal.knowledge.lexicon_phrases`);
* ``~N`` - up to N tokens that are not sentence punctuation; ``~N@class`` - up to N words of
  the class (a list's items, :mod:`cluneal.knowledge.lexicon_lists`);
* ``,`` ``;`` ``:`` ``+`` ``-`` ``–`` ``—`` ``'s`` - that punctuation token (alone or as an
  alternative);

and any word, alternative or class item may end in ``?`` to make it optional.

Notes hold checklists as well as prose ("Saddle anaesthesia: none", "Fever\tno\tRetention\tyes"):
the ``checklist`` section names the separators and the negative and positive values, and the
pipeline makes each "item separator value" entry a sentence of its own, so that a value speaks
for its own item only. A concept's ``checklist_items`` are sequences that count only as the item
of such an entry ("Bladder/bowel: normal"), being too vague in prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from cluneal.knowledge.lexicon_lists import (
    LIST_ITEM,
    LIST_MODIFIER,
    LIST_WORD,
    Lists,
    derived,
    list_modifier_class,
    list_word_class,
    read_lists,
)
from cluneal.knowledge.lexicon_phrases import read_classes, with_phrases
from cluneal.knowledge.lexicon_sections import (
    SectionHeader,
    read_headers,
    read_section_attributes,
)
from cluneal.knowledge.refs import SourceRefs
from cluneal.validation import Node

CONTEXT_CATEGORIES = (
    "NEGATED_EXISTENCE",
    "POSSIBLE_EXISTENCE",
    "HISTORICAL",
    "HYPOTHETICAL",
    "FAMILY",
    "TERMINATE",
    "PSEUDO",
)
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")
SIDES = ("left", "right", "bilateral")
_WORD = r"[a-z0-9][a-z0-9'/.&-]*"
_PUNCT = "(?:[,;:+\\-–—]|'s|’s)"
_ALT = rf"(?:{_WORD}\*?|/|{_PUNCT})"
_ITEM = re.compile(rf"(~[1-9](?:@[a-z_]+)?)|(@[a-z_]+\??)|({_ALT}(?:\|{_ALT})*\??)")
_ID = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Concept:
    id: str
    label: str
    terms: tuple[str, ...]
    sequences: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...]
    #: Patterns whose matches overrule this concept's ("mid back pain" is no low back pain).
    exclusions: tuple[tuple[str, ...], ...] = ()
    #: Concepts whose findings inside this one's are dropped (a cluneal block names the nerve).
    suppresses: tuple[str, ...] = ()
    note: str | None = None
    #: Patterns found only as the item of a checklist entry ("Bladder/bowel: normal").
    checklist_items: tuple[tuple[str, ...], ...] = ()
    #: The words that name the concept's site in a list sharing one head noun, the head's
    #: word class, and the list sequences derived from them (also in ``sequences``), each
    #: with where its part stands (``before`` or ``after`` the head).
    parts: tuple[tuple[str, ...], ...] = ()
    heads: str | None = None
    lists: tuple[tuple[tuple[str, ...], str], ...] = ()


@dataclass(frozen=True)
class Checklist:
    """How notes write an item's answer: "Fever: no", "Retention - yes", "Fever\tnil"."""

    #: Punctuation between an item and its value (runs of spaces and tabs always separate).
    separators: frozenset[str]
    #: Values that deny the item, each a tuple of lower-case words ("not", "present").
    negative: tuple[tuple[str, ...], ...]
    #: Values that affirm it; they leave the item asserted.
    positive: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ContextRule:
    literal: str
    category: str
    direction: str
    pattern: tuple[str, ...] | None = None
    max_scope: int | None = None
    #: The concepts the rule may modify (all when None): "screening for" makes a cancer
    #: uncertain, but "evaluation for back pain" is the complaint itself.
    concepts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Lexicon:
    concepts: tuple[Concept, ...]
    classes: dict[str, tuple[str, ...]]
    sides: dict[str, tuple[str, ...]]
    context: tuple[ContextRule, ...]
    #: Section categories whose findings all carry an attribute (``family_history``: family).
    section_attributes: dict[str, str]
    side_window: int
    #: Section header rules that replace medspaCy's default ones of the same literal.
    sections: tuple[SectionHeader, ...] = ()
    #: Words that negate the finding whose text they are part of ("iliac crests nontender").
    negating_words: frozenset[str] = frozenset()
    checklist: Checklist | None = None
    #: Section categories whose attribute applies to some concepts only (``plan``: procedures).
    section_concepts: dict[str, tuple[str, ...]] | None = None
    #: The words that join a list's items (``,`` ``and`` ...), when the lexicon has lists.
    joiners: frozenset[str] = frozenset()
    #: Words that give a side to the finding they are part of only, never to one near them
    #: ("BLE numbness" is bilateral; "low back pain with BLE weakness" is not).
    own_sides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Words after which a negated finding's site is the exception, asserted ("no tenderness
    #: except over the right PSIS"), each as its tokens.
    exception_words: tuple[tuple[str, ...], ...] = ()


def _words(node: Node, *, single: bool) -> tuple[str, ...]:
    out: list[str] = []
    for item in node.items():
        text = item.string(non_empty=True)
        if text is None:
            item.required()
            continue
        if text != text.lower() or text != text.strip():
            item.fail("must be lower case without surrounding spaces")
        elif single and " " in text:
            item.fail("must be a single word")
        else:
            out.append(text)
    return tuple(out)


def _sequence(node: Node, classes: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    items = node.strings()
    if items is None:
        node.required()
        return None
    ok = True
    if not items:
        node.fail("must not be empty")
        ok = False
    for i, item in enumerate(items):
        match = _ITEM.fullmatch(item)
        where = Node(item, f"{node.path}[{i}]", node.problems)
        if match is None:
            where.fail("must be a word, prefix*, a|b, @class or ~N (optionally ending in ?)")
            ok = False
        elif match.group(1) and "@" in match.group(1):
            name = match.group(1).split("@")[1]
            if name not in classes and name not in (LIST_WORD, LIST_ITEM, LIST_MODIFIER):
                where.fail(f"unknown word class {name!r}")
                ok = False
        elif match.group(2) and match.group(2).rstrip("?")[1:] not in classes:
            where.fail(f"unknown word class {item.rstrip('?')[1:]!r}")
            ok = False
    if items and (items[0].startswith("~") or items[-1].startswith("~")):
        node.fail("must not begin or end with a gap")
        ok = False
    return tuple(items) if ok else None


def _rule(node: Node, classes: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """A sequence, or ``{"pattern": sequence, "note": why}`` for one that needs its reason."""
    if isinstance(node.value, dict):
        if not node.obj(("pattern", "note")):
            return None
        node.get("pattern").required()
        node.get("note").required()
        node.get("note").string(non_empty=True)
        return _sequence(node.get("pattern"), classes) if not node.get("pattern").missing else None
    return _sequence(node, classes)


def _concepts(
    section: Node, refs: SourceRefs, classes: dict[str, tuple[str, ...]]
) -> list[Concept]:
    allowed = (
        "id",
        "label",
        "terms",
        "abbreviations",
        "misspellings",
        "sequences",
        "exclusions",
        "checklist_items",
        "suppresses",
        "sources",
        "parts",
        "heads",
    )
    out: list[Concept] = []
    seen: set[str] = set()
    for n in section.items(min_len=1):
        if not n.obj((*allowed, "note")):
            n.required()
            continue
        cid, label = n.get("id").string(non_empty=True), n.get("label").string(non_empty=True)
        for key in ("id", "label", "terms"):
            n.get(key).required()
        if cid is not None and not _ID.fullmatch(cid):
            n.get("id").fail("must be a lower-case identifier")
        if cid in seen:
            n.get("id").fail(f"duplicate id {cid!r}")
        terms = [
            term
            for key in ("terms", "abbreviations", "misspellings")
            for term in _words(n.get(key), single=False)
        ]
        sequences = [_rule(s, classes) for s in n.get("sequences").items()]
        exclusions = [_rule(s, classes) for s in n.get("exclusions").items()]
        items = [_rule(s, classes) for s in n.get("checklist_items").items()]
        parts = [_sequence(s, classes) for s in n.get("parts").items()]
        heads = n.get("heads").enum(sorted(classes)) if not n.get("heads").missing else None
        if parts and heads is None:
            n.get("heads").fail("a concept with parts needs the word class of their heads")
        sources = refs.read(n.get("sources"))
        if cid and label and terms:
            seen.add(cid)
            out.append(
                Concept(
                    cid,
                    label,
                    tuple(terms),
                    tuple(s for s in sequences if s is not None),
                    sources,
                    tuple(s for s in exclusions if s is not None),
                    tuple(n.get("suppresses").strings() or ()),
                    n.get("note").string(),
                    tuple(s for s in items if s is not None),
                    tuple(p for p in parts if p is not None),
                    heads,
                )
            )
    known = {c.id for c in out}
    for n in section.items():
        for item in n.get("suppresses").items():
            if isinstance(item.value, str) and item.value not in known:
                item.fail(f"unknown concept {item.value!r}")
    return out


def _context(
    section: Node, classes: dict[str, tuple[str, ...]], known: set[str]
) -> list[ContextRule]:
    out: list[ContextRule] = []
    for n in section.items():
        keys = ("literal", "category", "direction", "pattern", "max_scope", "concepts", "note")
        if not n.obj(keys):
            n.required()
            continue
        concepts = n.get("concepts").strings(allowed=sorted(known))
        literal = n.get("literal").string(non_empty=True)
        category = n.get("category").enum(CONTEXT_CATEGORIES)
        direction = n.get("direction").enum(DIRECTIONS)
        for key in ("literal", "category", "direction"):
            n.get(key).required()
        pattern = _sequence(n.get("pattern"), classes) if not n.get("pattern").missing else None
        max_scope = n.get("max_scope").integer(1, 50)
        if literal and category and direction:
            only = tuple(concepts) if concepts else None
            out.append(ContextRule(literal, category, direction, pattern, max_scope, only))
    return out


def _values(node: Node) -> tuple[tuple[str, ...], ...]:
    node.required()
    return tuple(tuple(v.split()) for v in _words(node, single=False))


def _checklist(node: Node) -> Checklist | None:
    if not node.obj(("separators", "negative", "positive", "note")):
        return None
    separators = node.get("separators")
    separators.required()
    for item in separators.items():
        if not (isinstance(item.value, str) and re.fullmatch(_PUNCT, item.value)):
            item.fail("must be one of , ; : + - – —")
    return Checklist(
        frozenset(separators.strings() or ()),
        _values(node.get("negative")),
        _values(node.get("positive")),
    )


def read_lexicon(node: Node, refs: SourceRefs) -> Lexicon | None:
    """Read the ``lexicon`` section; None (with the problems recorded) when it is invalid."""
    allowed = (
        "classes",
        "concepts",
        "sides",
        "context",
        "section_attributes",
        "side_window",
        "negating_words",
        "exception_words",
        "sections",
        "checklist",
        "lists",
        "own_sides",
    )
    if not node.obj((*allowed, "note")):
        node.required()
        return None
    classes, phrases = read_classes(node.get("classes"))
    for key, value in node.get("classes").mapping().items():
        if not _ID.fullmatch(key) or not value.items(min_len=1):
            value.fail("must be a lower-case identifier with at least one word")
    sides: dict[str, tuple[str, ...]] = {}
    side_node = node.get("sides")
    if side_node.obj(SIDES):
        sides = {side: _words(side_node.get(side), single=True) for side in SIDES}
        for side in SIDES:
            side_node.get(side).required()
    else:
        side_node.required()
    own: dict[str, tuple[str, ...]] = {}
    own_node = node.get("own_sides")
    if own_node.obj(SIDES):
        own = {side: _words(own_node.get(side), single=True) for side in SIDES}
    concepts = _concepts(node.get("concepts"), refs, classes)
    lists = read_lists(node.get("lists"), classes)
    if lists is not None:
        parts = [p for c in concepts for p in c.parts]
        words = list_word_class(lists, classes, sides, parts)
        classes = {
            **classes,
            LIST_WORD: words,
            LIST_ITEM: tuple(w for w in words if w not in classes[lists.joiner]),
            LIST_MODIFIER: list_modifier_class(lists, classes, sides),
        }
        concepts = [_with_lists(c, lists) for c in concepts]
    elif any(c.parts for c in concepts):
        node.get("lists").fail("concepts have parts but the lexicon has no lists section")
    concepts = [with_phrases(c, phrases) for c in concepts] if phrases else concepts
    known = {c.id for c in concepts}
    context = _context(node.get("context"), classes, known)
    section_attributes, section_concepts = read_section_attributes(
        node.get("section_attributes"), known
    )
    node.get("side_window").required()
    window = node.get("side_window").integer(0, 20)
    if not concepts or window is None or len(sides) != len(SIDES):
        return None
    negating = frozenset(_words(node.get("negating_words"), single=True))
    sections = read_headers(node.get("sections"))
    return Lexicon(
        tuple(concepts),
        classes,
        sides,
        tuple(context),
        section_attributes,
        window,
        sections,
        negating,
        _checklist(node.get("checklist")),
        section_concepts,
        frozenset(classes[lists.joiner]) if lists else frozenset(),
        own,
        tuple(tuple(w.split()) for w in _words(node.get("exception_words"), single=False)),
    )


def _with_lists(concept: Concept, lists: Lists) -> Concept:
    if not concept.parts or concept.heads is None:
        return concept
    found = [x for part in concept.parts for x in derived(lists, part, concept.heads)]
    sequences = (*concept.sequences, *(seq for seq, _ in found))
    return replace(concept, sequences=sequences, lists=tuple(found))
