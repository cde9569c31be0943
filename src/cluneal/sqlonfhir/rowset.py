"""The rows of a select while it is compiled."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Select


@dataclass(frozen=True)
class Rows:
    """The rows of a select: one row of column expressions, or a list of row structs."""

    names: tuple[str, ...]
    single: tuple[str, ...] | None = None
    array: str | None = None
    #: For a ``forEach``: the items (with a NULL one for ``forEachOrNull``), their kind, the select.
    each: tuple[str, str, Select] | None = None
