"""Lists that share one head noun ("low back, left buttock and leg pain"), as lexicon sequences.

Notes name several sites with one head noun: the head comes after the list ("low back, left
buttock and leg pain") or before it ("pain in the low back, left buttock and thigh";
"tenderness over the iliac crest, PSIS and SI joint"). The lexicon's ``lists`` section names the
joiners (``,`` ``and`` ``or`` ...), the prepositions that follow a head, and the word classes
that may stand between the items; each concept names its ``parts`` (the words that name its
site: ``low back``, ``@buttock``, ``@limb``) and its ``heads`` (a word class: pain words,
tenderness words). From these, every part gets two derived sequences:

* *before* - the part, one or two joiners (", and"), a word that is no joiner and up to
  ``gap - 1`` more list words (another item), up to three words of the ``copula`` class when
  the lexicon names one ("the SI joints and the iliac crests *are all* tender"), then a head:
  ``[low|lower, back, @joiner, @joiner?, @list_item_word, ~8@list_word, ~3@list_copula,
  @pain_word]``;
* *after* - a head, up to two verbs ("radiating"), a preposition, one to ``gap`` list words, a
  joiner, up to two modifiers (or side words), then the part:
  ``[@pain_word, ~2@list_verb, @list_preposition, @list_item_word, ~8@list_word, @joiner,
  ~2@list_modifier_word, @limb]``.

A gap ``~N@class`` matches only words of its class, so a list never runs across other words, a
sentence end or a whitespace token. The derived sequences are ordinary sequences of the concept
(the prefilter and the matcher see them like any other), and the pipeline keeps of a list match
only its part (the words before the first joiner, or after the last one).
"""

from __future__ import annotations

from dataclasses import dataclass

from cluneal.validation import Node

#: The synthetic classes of the words a list may hold between its items, and of the modifiers
#: (with the side words) that may lead an item after the head.
LIST_WORD = "list_word"
LIST_ITEM = "list_item_word"
LIST_MODIFIER = "list_modifier_word"
BEFORE, AFTER = "before", "after"


@dataclass(frozen=True)
class Lists:
    joiner: str
    preposition: str
    verb: str
    modifier: str
    fillers: tuple[str, ...]
    gap: int
    #: The class of the words that may stand between the last item and a head after it.
    copula: str | None = None


def read_lists(node: Node, classes: dict[str, tuple[str, ...]]) -> Lists | None:
    """The ``lists`` section: class names (checked against ``classes``) and the gap."""
    keys = ("joiner", "preposition", "verb", "modifier", "copula", "fillers", "gap", "note")
    if node.missing or not node.obj(keys):
        return None
    names: dict[str, str] = {}
    for key in ("joiner", "preposition", "verb", "modifier"):
        value = node.get(key).string(non_empty=True)
        node.get(key).required()
        if value is not None and value not in classes:
            node.get(key).fail(f"unknown word class {value!r}")
        elif value is not None:
            names[key] = value
    fillers = node.get("fillers").strings(allowed=sorted(classes)) or []
    node.get("fillers").required()
    node.get("gap").required()
    gap = node.get("gap").integer(2, 10)
    copula = node.get("copula").string(non_empty=True)
    if copula is not None and copula not in classes:
        node.get("copula").fail(f"unknown word class {copula!r}")
        copula = None
    if len(names) != 4 or gap is None:
        return None
    return Lists(
        names["joiner"],
        names["preposition"],
        names["verb"],
        names["modifier"],
        tuple(fillers),
        gap,
        copula,
    )


def list_word_class(
    lists: Lists,
    classes: dict[str, tuple[str, ...]],
    sides: dict[str, tuple[str, ...]],
    parts: list[tuple[str, ...]],
) -> tuple[str, ...]:
    """Every word a list may hold between its items: the filler classes, the joiners, the
    modifiers, the side words and every word of every concept's parts."""
    words: set[str] = set()
    for name in (*lists.fillers, lists.joiner, lists.modifier):
        words.update(classes[name])
    for side_words in sides.values():
        words.update(side_words)
    for part in parts:
        for item in part:
            body = item.removesuffix("?")
            alternatives = classes[body[1:]] if body.startswith("@") else body.split("|")
            words.update(a for a in alternatives if not a.endswith("*"))
    return tuple(sorted(words))


def list_modifier_class(
    lists: Lists, classes: dict[str, tuple[str, ...]], sides: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """The modifiers that may lead an item after the head: the modifier class and the sides."""
    words = set(classes[lists.modifier]).union(*sides.values())
    return tuple(sorted(words))


def derived(lists: Lists, part: tuple[str, ...], heads: str) -> list[tuple[tuple[str, ...], str]]:
    """The two list sequences of one part, each with where its part stands."""
    # another item: a word that is no joiner, then list words
    gap = (f"@{LIST_ITEM}", f"~{lists.gap - 1}@{LIST_WORD}")
    copula = (f"~3@{lists.copula}",) if lists.copula else ()
    before = (*part, f"@{lists.joiner}", f"@{lists.joiner}?", *gap, *copula, f"@{heads}")
    after: tuple[str, ...] = (f"@{heads}", f"~2@{lists.verb}", f"@{lists.preposition}", *gap)
    after += (f"@{lists.joiner}", f"~2@{LIST_MODIFIER}", *part)
    return [(before, BEFORE), (after, AFTER)]
