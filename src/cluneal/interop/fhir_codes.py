"""A FHIR resource's codes as the pack's EHR rules see them, decided once per distinct code.

:func:`facts_of` reads a resource's ``code`` (its (system, code) pairs, displays and words);
:class:`CodeIndex` indexes every code list of a pack for look-up (ICD-10-CM codes with or
without the dot, a code standing for its descendants where the list says so) and keeps what
the rules say of each distinct code as a :class:`Verdict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack, Matcher, RedFlagRule

SYSTEM_KEYS = {url: key for key, url in v.CODE_SYSTEMS.items()}
#: Distinct codes whose verdicts a process keeps (a few hundred bytes each).
VERDICTS = 50_000


def _normal(system: str, code: str) -> str:
    # ICD-10-CM codes arrive with or without the dot.
    return code.replace(".", "").upper() if system == "icd10cm" else code


@dataclass(frozen=True)
class Facts:
    """What a resource's code says, computed once: its (system, code) pairs in order, their
    displays, and its words in lower case."""

    keys: tuple[tuple[str, str], ...]
    displays: Mapping[tuple[str, str], str]
    text: str
    lowered: str


def facts_of(resource: Mapping[str, Any]) -> Facts:
    code = resource.get("code")
    if not isinstance(code, Mapping):
        return NO_FACTS
    keys: list[tuple[str, str]] = []
    displays: dict[tuple[str, str], str] = {}
    parts = [str(code.get("text", ""))]
    codings = code.get("coding")
    for coding in codings if isinstance(codings, list) else ():
        if not isinstance(coding, Mapping):
            continue
        display = coding.get("display", "")
        parts.append(str(display))
        system = SYSTEM_KEYS.get(str(coding.get("system", "")))
        code_value = coding.get("code")
        if system is None or not isinstance(code_value, str):
            continue
        key = (system, _normal(system, code_value))
        keys.append(key)
        displays.setdefault(key, str(display or f"{system} {code_value}"))
    text = " | ".join(p for p in parts if p)
    return Facts(tuple(keys), displays, text, text.lower())


NO_FACTS = Facts((), {}, "", "")


@dataclass(frozen=True)
class Verdict:
    """What the pack's EHR rules say of a resource's code, decided once per distinct code: the
    red-flag rule it matches (with the words that matched), and the words that show a cluneal
    evaluation, back pain, each feature and each excluding match (None where nothing matched)."""

    red_flag: tuple[RedFlagRule, str] | None
    evaluation: str | None
    back_pain: str | None
    features: tuple[str | None, ...]
    excluded: tuple[bool, ...]

    @property
    def anything(self) -> bool:
        return bool(
            self.red_flag or self.evaluation or self.back_pain or any(self.features)
        ) or any(self.excluded)


def _raw_key(code: Any) -> tuple[Any, ...] | None:
    """A resource's ``code`` as it came, when it is plain (strings only): the same key means
    the same facts, so the verdict is found without working the facts out again."""
    if code is None:
        return ()
    if type(code) is not dict:
        return None
    text, codings = code.get("text"), code.get("coding")
    if not (text is None or type(text) is str):
        return None
    key: list[Any] = [text]
    if codings is not None:
        if type(codings) is not list:
            return None
        for c in codings:
            if type(c) is not dict:
                return None
            parts = (c.get("system"), c.get("code"), c.get("display"))
            if not all(x is None or type(x) is str for x in parts):
                return None
            key.append(parts)
    return tuple(key)


class CodeIndex:
    """Every code list of the pack, indexed for look-up by (system, code); built once per pack."""

    _built: dict[int, tuple[KnowledgePack, CodeIndex]] = {}

    def __init__(self, pack: KnowledgePack) -> None:
        self.lists: dict[str, frozenset[tuple[str, str]]] = {
            name: frozenset((c.system, _normal(c.system, c.code)) for c in cl.codes)
            for name, cl in pack.code_lists.items()
        }
        self.prefixes: dict[str, frozenset[tuple[str, str]]] = {
            name: frozenset(
                (c.system, _normal(c.system, c.code)) for c in cl.codes if c.descendants
            )
            for name, cl in pack.code_lists.items()
        }
        self._codes: dict[tuple[str, ...], frozenset[tuple[str, str]]] = {}
        self._prefixes: dict[tuple[str, ...], frozenset[tuple[str, str]]] = {}
        self.ignored_words = pack.red_flag_rules.ignored_words
        self.pack = pack
        self._verdicts: dict[tuple[tuple[tuple[str, str], ...], str], Verdict] = {}
        self._raw: dict[tuple[Any, ...], Verdict] = {}

    @classmethod
    def of(cls, pack: KnowledgePack) -> CodeIndex:
        held = cls._built.get(id(pack))
        if held is None or held[0] is not pack:
            held = (pack, cls(pack))
            cls._built[id(pack)] = held
        return held[1]

    def codes(self, lists: tuple[str, ...]) -> frozenset[tuple[str, str]]:
        found = self._codes.get(lists)
        if found is None:
            found = frozenset().union(*(self.lists.get(name, frozenset()) for name in lists))
            self._codes[lists] = found
        return found

    def descendants_of(self, lists: tuple[str, ...]) -> frozenset[tuple[str, str]]:
        """The codes of these lists that also stand for every code below them."""
        found = self._prefixes.get(lists)
        if found is None:
            found = frozenset().union(*(self.prefixes.get(name, frozenset()) for name in lists))
            self._prefixes[lists] = found
        return found

    def coded(self, lists: tuple[str, ...], facts: Facts) -> str | None:
        """The display of the first code of ``facts`` in these lists, or None."""
        wanted, prefixes = self.codes(lists), self.descendants_of(lists)
        for key in facts.keys:
            system, code = key
            if key in wanted or (
                prefixes and any((system, code[:n]) in prefixes for n in range(3, len(code)))
            ):
                return facts.displays[key]
        return None

    def verdict(self, facts: Facts) -> Verdict:
        """Every EHR rule's answer for these facts; kept, since the same codes come again and
        again (at most :data:`VERDICTS` distinct codes; then the store starts anew)."""
        key = (facts.keys, facts.text)
        found = self._verdicts.get(key)
        if found is None:
            found = self._decide(facts)
            if len(self._verdicts) >= VERDICTS:
                self._verdicts = {}
            self._verdicts[key] = found
        return found

    def verdict_of(self, resource: Mapping[str, Any]) -> Verdict:
        """:meth:`verdict` of a resource's facts, found by its ``code`` as it came when that is
        plain (no facts worked out for a code seen before)."""
        key = _raw_key(resource.get("code"))
        if key is None:
            return self.verdict(facts_of(resource))
        found = self._raw.get(key)
        if found is None:
            found = self.verdict(facts_of(resource))
            if len(self._raw) >= VERDICTS:
                self._raw = {}
            self._raw[key] = found
        return found

    def _decide(self, facts: Facts) -> Verdict:
        ehr, red_flag = self.pack.ehr, None
        for rule in self.pack.red_flag_rules.rules:
            text = self.matches(rule.match, facts, guarded=True)
            if text is not None:
                red_flag = (rule, text)
                break
        return Verdict(
            red_flag,
            self.matches(ehr.evaluation, facts),
            self.matches(ehr.back_pain, facts),
            tuple(self.matches(f.match, facts) for f in ehr.features),
            tuple(
                f.excluded_by is not None and self.matches(f.excluded_by, facts) is not None
                for f in ehr.features
            ),
        )

    def matches(
        self, matcher: Matcher, resource: Mapping[str, Any] | Facts, *, guarded: bool = False
    ) -> str | None:
        """The words that matched (a display, or the resource's text), or None. ``guarded``: a
        keyword counts only when none of the pack's red-flag ``ignored_words`` is there."""
        facts = resource if isinstance(resource, Facts) else facts_of(resource)
        if matcher.code_lists and (display := self.coded(matcher.code_lists, facts)):
            return display
        if any(keyword in facts.lowered for keyword in matcher.keywords):
            if guarded and any(word in facts.lowered for word in self.ignored_words):
                return None
            return facts.text
        return None
