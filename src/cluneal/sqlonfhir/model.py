"""A checked ViewDefinition: the select tree with typed expressions, as :func:`parse_view` gives."""

from __future__ import annotations

from dataclasses import dataclass

from . import ir
from .elements import sql_kind


@dataclass(frozen=True)
class Column:
    name: str
    path: str
    expr: ir.Expr
    #: The FHIR type code of the column: its declared ``type``, else the type of its path.
    type: str
    collection: bool

    @property
    def kind(self) -> str:
        """``boolean``, ``integer``, ``decimal`` or ``string`` (dates stay strings, as in FHIR)."""
        return sql_kind(self.type)


@dataclass(frozen=True)
class Repeat:
    """``repeat``: the nodes reached from the focus by the paths, again and again."""

    #: The schema root of a node: nodes are parsed from JSON text, as recursion needs.
    root: int
    node_type: str
    #: Each path evaluated on the enclosing focus, and on a node.
    seeds: tuple[ir.Expr, ...]
    steps: tuple[ir.Expr, ...]
    #: The last JSON key of each path: their count in the JSON text bounds the depth.
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Select:
    columns: tuple[Column, ...]
    selects: tuple[Select, ...]
    union: tuple[Select, ...]
    for_each: ir.Expr | None = None
    or_null: bool = False
    repeat: Repeat | None = None

    @property
    def iterates(self) -> bool:
        return self.for_each is not None or self.repeat is not None

    def output(self) -> tuple[Column, ...]:
        """Its columns in the order of the specification: ``column``, ``select``, ``unionAll``."""
        out = list(self.columns)
        for sub in self.selects:
            out.extend(sub.output())
        if self.union:
            out.extend(self.union[0].output())
        return tuple(out)


@dataclass(frozen=True)
class View:
    resource: str
    name: str | None
    #: The view's ``select`` list, as the nested selects of a select without columns.
    select: Select
    where: tuple[ir.Expr, ...]
    #: The type of each schema root: 0 is the resource, the others ``repeat`` nodes.
    roots: dict[int, str]
    #: Places in the parsed resource kept as JSON text (``repeat`` nodes).
    raw: frozenset[ir.SPath]

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.select.output()
