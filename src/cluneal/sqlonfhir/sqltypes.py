"""Engine-neutral SQL types: what a parsed resource, a row or a column holds."""

from __future__ import annotations

from dataclasses import dataclass

#: The value kinds a column or an expression can have; dates and times are ``string``.
Kind = str  # "boolean" | "integer" | "decimal" | "string"


@dataclass(frozen=True)
class Prim:
    kind: Kind


@dataclass(frozen=True)
class Raw:
    """JSON text, parsed later (recursive ``repeat`` nodes) or only tested for presence."""


@dataclass(frozen=True)
class ListOf:
    item: SqlType


@dataclass(frozen=True)
class Struct:
    fields: tuple[tuple[str, SqlType], ...]


SqlType = Prim | Raw | ListOf | Struct
