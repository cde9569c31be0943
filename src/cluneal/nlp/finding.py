"""One concept found in a note, with where it is and what the note says about it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

FORMAT = "cluneal-notes/1"


class NoteError(ValueError):
    """A note that cannot be read as text (binary, not UTF-8, too long)."""


@dataclass(frozen=True)
class Finding:
    concept: str
    text: str
    #: Character offsets in the note: ``note[start:end] == text``.
    start: int
    end: int
    side: str | None
    negated: bool
    historical: bool
    hypothetical: bool
    uncertain: bool
    family: bool
    #: The medspaCy section category (``past_medical_history`` ...), None before any header.
    section: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def notes_document(findings: list[Finding]) -> dict[str, Any]:
    """The ``cluneal-notes/1`` document for one note."""
    return {"format": FORMAT, "findings": [f.to_json() for f in findings]}
