"""One concept found in a note, with where it is and what the note says about it.

The findings of one note are a ``cluneal-notes/1`` document. Each field's annotation is its JSON
form (:mod:`cluneal.knowledge.jsonformat`): the document and the schema that ``POST /api/v1/notes``
publishes both come from these classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from cluneal.knowledge.jsonformat import Format, Record, record_of
from cluneal.knowledge.jsonspec import Boolean, Integer, ListOf, Nullable, OneOf, Text

FORMAT = "cluneal-notes/1"
#: The side a finding is on, when the note says.
SIDES = ("left", "right", "bilateral")


class NoteError(ValueError):
    """A note that cannot be read as text (binary, not UTF-8, too long)."""


@dataclass(frozen=True)
class Finding:
    concept: Annotated[str, Text()]
    text: Annotated[str, Text()]
    #: Character offsets in the note: ``note[start:end] == text``.
    start: Annotated[int, Integer(0)]
    end: Annotated[int, Integer(0)]
    side: Annotated[str | None, Nullable(OneOf(SIDES))]
    negated: Annotated[bool, Boolean()]
    historical: Annotated[bool, Boolean()]
    hypothetical: Annotated[bool, Boolean()]
    uncertain: Annotated[bool, Boolean()]
    family: Annotated[bool, Boolean()]
    #: The medspaCy section category (``past_medical_history`` ...), None before any header.
    section: Annotated[str | None, Nullable(Text())]

    def to_json(self) -> dict[str, Any]:
        return record_of(Finding).dump(self)


@dataclass(frozen=True)
class Notes:
    """The findings of one note, in the order of the note."""

    findings: Annotated[tuple[Finding, ...], ListOf(Record(Finding))]


NOTES = Format(FORMAT, Notes, what="notes document")


def notes_document(findings: list[Finding]) -> dict[str, Any]:
    """The ``cluneal-notes/1`` document for one note."""
    return NOTES.dump(Notes(tuple(findings)))
