"""The patient pages, in one list: the URL map and the pages' menu are both derived from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cluneal.knowledge.model import KnowledgePack
from cluneal.web.learn.content import condition, exam, treatment
from cluneal.web.learn.content.text import Page


@dataclass(frozen=True)
class PageSpec:
    name: str  # URL name
    path: str  # under /learn/
    menu: str
    build: Callable[[KnowledgePack], Page] | None  # None: a page with a view of its own

    @property
    def url(self) -> str:
        return f"/learn/{self.path}"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("learn", "", "What it is", condition.build),
    PageSpec("learn-exam", "exam", "Examination and nerve block", exam.build),
    PageSpec("learn-treatment", "treatment", "Treatment", treatment.build),
    PageSpec("learn-self-check", "self-check", "Self-check", None),
)
BY_NAME = {p.name: p for p in PAGES}
