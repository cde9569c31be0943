"""Section headers of the notes lexicon, and the attribute a section gives its findings.

A header (``literal``, matched case-insensitively, and its ``category``) replaces medspaCy's
default rule of the same literal; the categories are normalised (past history, family history,
plan, assessment, review of systems, risks) so that many spellings of a header ("PMH:", "PAST
MEDICAL CONDITIONS:", "Surgical Hx:") give one category. ``section_attributes`` maps a category
to the ConText attribute every finding in it carries, or to one that only some concepts carry
("Plan: SCN block" is planned; "Plan: physiotherapy for low back pain" treats a current pain).
"""

from __future__ import annotations

from dataclasses import dataclass

from cluneal.validation import Node

ATTRIBUTES = ("negated", "historical", "hypothetical", "uncertain", "family")


@dataclass(frozen=True)
class SectionHeader:
    literal: str
    category: str
    #: Tokens the section runs for at most (a list under "Potential complications include:").
    max_scope: int | None = None


def read_headers(node: Node) -> tuple[SectionHeader, ...]:
    sections = []
    for n in node.items():
        if n.obj(("literal", "category", "max_scope", "note")):
            literal = n.get("literal").string(non_empty=True)
            category = n.get("category").string(non_empty=True)
            n.get("literal").required()
            n.get("category").required()
            scope = n.get("max_scope").integer(1, 500)
            if literal and category:
                sections.append(SectionHeader(literal, category, scope))
        else:
            n.required()
    return tuple(sections)


def read_section_attributes(
    node: Node, known: set[str]
) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Per section category its attribute: ``"historical"``, or ``{"attribute": ...,
    "concepts": [...], "note": why}`` for one that applies to some concepts only."""
    attributes: dict[str, str] = {}
    concepts: dict[str, tuple[str, ...]] = {}
    for key, value in node.mapping().items():
        if isinstance(value.value, dict):
            if not value.obj(("attribute", "concepts", "note")):
                continue
            for field in ("attribute", "concepts", "note"):
                value.get(field).required()
            attribute = value.get("attribute").enum(ATTRIBUTES)
            only = value.get("concepts").strings(allowed=sorted(known))
            value.get("note").string(non_empty=True)
            if attribute is not None and only:
                attributes[key], concepts[key] = attribute, tuple(only)
        else:
            attribute = value.enum(ATTRIBUTES)
            if attribute is not None:
                attributes[key] = attribute
    return attributes, concepts
