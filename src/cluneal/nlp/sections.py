"""The section each finding is in, as medspaCy's Sectionizer assigns it, for the findings only.

medspaCy's Sectionizer sets an extension attribute on every token of a note, which costs more
than everything else it does; the pipeline needs the category of a few findings. This module
runs the same matcher on the same rules and applies the same logic: headers are matched case-
insensitively and overlapping matches pruned to the longest; a section runs from its header to
the next one (or, for a rule with ``max_scope``, that many tokens past its header at most);
text before the first header, or past a scoped section, is in no section. A test holds it equal
to medspaCy's Sectionizer on every corpus (``tests/nlp/test_sections.py``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

import spacy
from medspacy.common.medspacy_matcher import MedspacyMatcher
from medspacy.section_detection import Sectionizer, SectionRule
from spacy.language import Language
from spacy.tokens import Doc, Span

from cluneal.knowledge.lexicon import Lexicon


class Sections:
    """Section categories by the pipeline's section rules; build once per pipeline."""

    def __init__(self, nlp: Language, rules: Sequence[SectionRule]) -> None:
        self.nlp = nlp
        self.matcher = MedspacyMatcher(nlp, name="cluneal_sections", phrase_matcher_attr="LOWER")
        self.matcher.add(list(rules))

    def headers(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The section headers in a doc: (rule id, first token, end token) each, in order."""
        return self.matcher(doc)  # type: ignore[no-any-return]

    def of(
        self,
        doc: Doc,
        spans: Sequence[Span],
        matches: list[tuple[int, int, int]] | None = None,
    ) -> list[str | None]:
        """The section category of each span (None outside every section); ``matches``: the
        doc's :meth:`headers`, when already found."""
        if matches is None:
            matches = self.headers(doc)
        if not matches:
            return [None] * len(spans)
        # (start, end, category) per section, in order; a later one wins where they overlap
        sections: list[tuple[int, int, str | None]] = []
        if matches[0][1] != 0:
            sections.append((0, matches[0][1], None))
        strings, rules = self.nlp.vocab.strings, self.matcher.rule_map
        for i, (match_id, start, end) in enumerate(matches):
            rule = rules[strings[match_id]]
            stop = matches[i + 1][1] if i + 1 < len(matches) else len(doc)
            if rule.max_scope is not None:
                stop = min(end + rule.max_scope, stop)
            sections.append((start, stop, rule.category))
        starts = [s for s, _, _ in sections]
        out: list[str | None] = []
        for span in spans:  # sections never overlap: only the last one started can hold it
            k = bisect_right(starts, span.start) - 1
            out.append(sections[k][2] if k >= 0 and span.start < sections[k][1] else None)
        return out


def section_rules(lexicon: Lexicon) -> list[SectionRule]:
    """medspaCy's default section rules, with the lexicon's replacing those of the same literal."""
    default_path = Sectionizer(spacy.blank("en"), rules=None).DEFAULT_RULES_FILEPATH
    replaced = {header.literal.lower() for header in lexicon.sections}
    rules = [r for r in SectionRule.from_json(default_path) if r.literal.lower() not in replaced]
    return rules + [
        SectionRule(h.literal, h.category, max_scope=h.max_scope) for h in lexicon.sections
    ]
