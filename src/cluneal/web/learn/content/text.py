"""The shape of a patient page: sections of short paragraphs, each naming its sources.

Patient wording is kept apart from the knowledge pack, which speaks to clinicians; every
paragraph that states a clinical fact carries the pack's source ids, so the page can show the
citations and a reference list, and a test can check that each id exists in the pack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cluneal.knowledge.model import GRADE_LABELS, KnowledgePack


@dataclass(frozen=True)
class Para:
    text: str
    sources: tuple[str, ...] = ()


def para(text: str, *sources: str) -> Para:
    return Para(text, sources)


@dataclass(frozen=True)
class Section:
    heading: str
    paras: tuple[Para, ...] = ()
    bullets: tuple[Para, ...] = ()
    after: tuple[Para, ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # (href, text)
    figure: str | None = None  # a figure template under learn/, e.g. "pelvis"
    grades: bool = False  # show how strong the evidence behind the section is

    @property
    def all_paras(self) -> tuple[Para, ...]:
        return self.paras + self.bullets + self.after

    @property
    def sources(self) -> tuple[str, ...]:
        return unique(s for p in self.all_paras for s in p.sources)


@dataclass(frozen=True)
class Page:
    title: str
    lede: Para
    sections: tuple[Section, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        return unique([*self.lede.sources, *(s for sec in self.sections for s in sec.sources)])


def unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def grade_labels(sources: Iterable[str], pack: KnowledgePack) -> list[str]:
    """The grades of evidence behind some sources, strongest first, in the pack's own words."""
    found = {pack.sources[s].grade for s in sources if s in pack.sources}
    return [label for grade, label in GRADE_LABELS.items() if grade in found]
