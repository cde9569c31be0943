"""The struct type each resource is parsed into: only the elements the view reads.

Parsing the JSON once into a typed struct, then reading struct fields, is what makes the compiled
query fast: no JSON path is evaluated per column. Places marked raw (``repeat`` nodes, whose
nesting no struct type can express) stay JSON text and are parsed where they are read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from . import ir
from .elements import is_primitive, sql_kind
from .model import Select, View
from .sqltypes import ListOf, Prim, Raw, SqlType, Struct


@dataclass
class Place:
    """One place in the parsed resource: an element, the elements read below it."""

    type: str
    many: bool = False
    raw: bool = False
    children: dict[str, Place] = field(default_factory=dict)


class Schema:
    def __init__(self, view: View) -> None:
        self.roots = {root: Place(fhir_type) for root, fhir_type in view.roots.items()}
        self.roots[0].children["resourceType"] = Place("string")
        for expr in _expressions(view):
            for node in ir.walk(expr):  # parents before children
                if isinstance(node, ir.Get) and node.spath is not None:
                    self._add(node.spath, node.type, node.elem_many)
        for spath in view.raw:
            place = self.place(spath)
            if place is not None:
                place.raw = True

    def _add(self, spath: ir.SPath, fhir_type: str, many: bool) -> None:
        place = self.roots[int(spath[0])]
        for key in spath[1:-1]:
            place = place.children[str(key)]
        last = str(spath[-1])
        if last not in place.children:
            place.children[last] = Place(fhir_type, many)

    def place(self, spath: ir.SPath | None) -> Place | None:
        if spath is None:
            return None
        place: Place | None = self.roots.get(int(spath[0]))
        for key in spath[1:]:
            if place is None:
                return None
            place = place.children.get(str(key))
        return place

    def is_raw(self, spath: ir.SPath | None) -> bool:
        place = self.place(spath)
        return place is not None and _is_raw(place)

    def struct(self, spath: ir.SPath) -> SqlType:
        """The type JSON text at ``spath`` is parsed into, for the reads below it."""
        place = self.place(spath)
        if place is None or not place.children:
            return Raw()
        return Struct(tuple((key, _type(child)) for key, child in place.children.items()))


def _is_raw(place: Place) -> bool:
    return place.raw or (not is_primitive(place.type) and not place.children)


def _type(place: Place) -> SqlType:
    if _is_raw(place):
        item: SqlType = Raw()
    elif is_primitive(place.type):
        item = Prim(sql_kind(place.type))
    else:
        item = Struct(tuple((key, _type(child)) for key, child in place.children.items()))
    return ListOf(item) if place.many else item


def _expressions(view: View) -> Iterator[ir.Expr]:
    yield from view.where
    yield from _select_expressions(view.select)


def _select_expressions(select: Select) -> Iterator[ir.Expr]:
    if select.for_each is not None:
        yield select.for_each
    if select.repeat is not None:
        yield from select.repeat.seeds
        yield from select.repeat.steps
    for column in select.columns:
        yield column.expr
    for sub in (*select.selects, *select.union):
        yield from _select_expressions(sub)
