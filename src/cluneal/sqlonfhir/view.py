"""Strict reading of a SQL-on-FHIR v2 ViewDefinition into a checked :class:`~.model.View`.

Every problem is reported with its JSON path (``select[0].column[1].name``) in one
:class:`cluneal.validation.Invalid`: unknown keys, bad names, unparsable or ill-typed
FHIRPath, undefined constants, ``unionAll`` branches whose columns differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cluneal.validation import Invalid, Problem

from . import ir
from .constants import NAME, read_constants
from .elements import UNKNOWN, Table, is_primitive, r4
from .fhirpath import FhirPathSyntaxError, parse
from .model import Column, Repeat, Select, View
from .typecheck import Scope, TypeProblem, check, is_boolean, item_focus

_VIEW_KEYS = frozenset(
    [
        "resourceType",
        "id",
        "meta",
        "implicitRules",
        "language",
        "text",
        "extension",
        "modifierExtension",
        "url",
        "identifier",
        "version",
        "name",
        "title",
        "status",
        "experimental",
        "date",
        "publisher",
        "contact",
        "description",
        "useContext",
        "copyright",
        "resource",
        "fhirVersion",
        "constant",
        "select",
        "where",
    ]
)
_SELECT_KEYS = frozenset(["column", "select", "forEach", "forEachOrNull", "repeat", "unionAll"])
_COLUMN_KEYS = frozenset(["name", "path", "description", "collection", "type", "tag"])
_STATUSES = ("draft", "active", "retired", "unknown")


class _Reader:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.problems: list[Problem] = []
        self.roots: dict[int, str] = {}
        self.raw: set[ir.SPath] = set()

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def keys(self, obj: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
        for key in obj:
            if key not in allowed:
                self.add(f"{path}.{key}" if path else key, "unknown key")

    def expression(self, text: object, scope: Scope, path: str) -> ir.Expr | None:
        if not isinstance(text, str):
            self.add(path, "must be a FHIRPath string")
            return None
        try:
            return check(parse(text), scope)
        except FhirPathSyntaxError as error:
            self.add(path, f"invalid FHIRPath {text!r}: {error}")
        except TypeProblem as error:
            self.add(path, f"{text!r}: {error}")
        return None

    def select(self, obj: object, scope: Scope, path: str) -> Select | None:
        if not isinstance(obj, dict):
            self.add(path, "must be an object")
            return None
        self.keys(obj, _SELECT_KEYS, path)
        iterators = [key for key in ("forEach", "forEachOrNull", "repeat") if key in obj]
        if len(iterators) > 1:
            self.add(path, f"has both {iterators[0]} and {iterators[1]}")
        if not any(key in obj for key in ("column", "select", "unionAll")):
            self.add(path, "needs column, select or unionAll")
        for_each = repeat = None
        inner = scope
        if "forEach" in obj or "forEachOrNull" in obj:
            key = "forEach" if "forEach" in obj else "forEachOrNull"
            for_each = self.expression(obj[key], scope, f"{path}.{key}")
            if for_each is not None:
                inner = replace(scope, focus=item_focus(for_each))
        elif "repeat" in obj:
            repeat = self.repeat(obj["repeat"], scope, f"{path}.repeat")
            if repeat is not None:
                inner = replace(scope, focus=ir.Focus(repeat.node_type, (repeat.root,)))
        columns = self.columns(obj.get("column"), inner, f"{path}.column")
        selects = self.selects(obj.get("select"), inner, f"{path}.select")
        union = self.selects(obj.get("unionAll"), inner, f"{path}.unionAll")
        self.same_columns(union, f"{path}.unionAll")
        return Select(
            columns=tuple(columns),
            selects=tuple(selects),
            union=tuple(union),
            for_each=for_each,
            or_null="forEachOrNull" in obj,
            repeat=repeat,
        )

    def selects(self, value: object, scope: Scope, path: str) -> list[Select]:
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.add(path, "must be a non-empty list")
            return []
        found = [self.select(item, scope, f"{path}[{i}]") for i, item in enumerate(value)]
        return [select for select in found if select is not None]

    def repeat(self, value: object, scope: Scope, path: str) -> Repeat | None:
        if not isinstance(value, list) or not value:
            self.add(path, "must be a non-empty list of FHIRPath strings")
            return None
        root = len(self.roots)
        seeds = [self.expression(text, scope, f"{path}[{i}]") for i, text in enumerate(value)]
        known = [seed.type for seed in seeds if seed is not None and seed.type != UNKNOWN]
        node_type = known[0] if known else UNKNOWN
        self.roots[root] = node_type
        node_scope = replace(scope, focus=ir.Focus(node_type, (root,)))
        steps = [self.expression(text, node_scope, f"{path}[{i}]") for i, text in enumerate(value)]
        keys: list[str] = []
        for i, expr in enumerate([*seeds, *steps]):
            if expr is None or isinstance(expr, ir.Nothing):
                continue
            key, spath = ir.last_key(expr), ir.spath_of(expr)
            if key is None or spath is None or expr.type not in (node_type, UNKNOWN):
                self.add(f"{path}[{i % len(value)}]", f"must reach elements of type {node_type}")
                continue
            keys.append(key)
            self.raw.add(spath)
        if len(seeds) + len(steps) != 2 * len(value) or None in seeds or None in steps:
            return None
        return Repeat(
            root,
            node_type,
            tuple(s for s in seeds if s is not None),
            tuple(s for s in steps if s is not None),
            tuple(sorted(set(keys))),
        )

    def columns(self, value: object, scope: Scope, path: str) -> list[Column]:
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.add(path, "must be a non-empty list")
            return []
        out = []
        for i, item in enumerate(value):
            column = self.column(item, scope, f"{path}[{i}]")
            if column is not None:
                out.append(column)
        return out

    def column(self, obj: object, scope: Scope, path: str) -> Column | None:
        if not isinstance(obj, dict):
            self.add(path, "must be an object")
            return None
        self.keys(obj, _COLUMN_KEYS, path)
        name, declared, collection = obj.get("name"), obj.get("type"), obj.get("collection", False)
        if not isinstance(name, str) or not NAME.fullmatch(name):
            self.add(f"{path}.name", "must be a name (a letter, then letters, digits or _)")
        if declared is not None and not (isinstance(declared, str) and is_primitive(declared)):
            self.add(f"{path}.type", "must be a FHIR primitive type")
            declared = None
        if not isinstance(collection, bool):
            self.add(f"{path}.collection", "must be true or false")
        if "path" not in obj:
            self.add(f"{path}.path", "is required")
            return None
        expr = self.expression(obj["path"], scope, f"{path}.path")
        if expr is None or not isinstance(name, str) or not isinstance(collection, bool):
            return None
        fhir_type = declared or (expr.type if expr.type != UNKNOWN else "string")
        if not is_primitive(expr.type) and expr.type != UNKNOWN:
            self.add(f"{path}.path", f"returns {expr.type}, not a primitive value")
            return None
        return Column(name, str(obj["path"]), expr, fhir_type, collection)

    def same_columns(self, branches: list[Select], path: str) -> None:
        shapes = [[(c.name, c.kind, c.collection) for c in b.output()] for b in branches]
        for i, shape in enumerate(shapes[1:], start=1):
            if shape != shapes[0]:
                names = ", ".join(name for name, _, _ in shape)
                first = ", ".join(name for name, _, _ in shapes[0])
                self.add(f"{path}[{i}]", f"columns ({names}) differ from unionAll[0] ({first})")


def parse_view(view: Mapping[str, Any], table: Table | None = None) -> View:
    """Check ``view`` strictly and type every expression; raises ``Invalid`` listing problems."""
    reader = _Reader(table or r4())
    if not isinstance(view, Mapping):
        raise Invalid([Problem("", "a ViewDefinition must be a JSON object")], "ViewDefinition")
    reader.keys(view, _VIEW_KEYS, "")
    if view.get("resourceType", "ViewDefinition") != "ViewDefinition":
        reader.add("resourceType", "must be ViewDefinition")
    if "status" in view and view["status"] not in _STATUSES:
        reader.add("status", f"must be one of {', '.join(_STATUSES)}")
    resource = view.get("resource")
    if resource is None:
        reader.add("resource", "is required")
    elif not isinstance(resource, str) or resource not in reader.table.resources:
        reader.add("resource", f"unknown resource type {resource}")
        resource = None
    constants = read_constants(view.get("constant"), reader.add)
    if "select" not in view:
        reader.add("select", "is required")
    if not isinstance(resource, str):
        raise Invalid(reader.problems, "ViewDefinition")
    root = ir.Root(resource)
    scope = Scope(ir.Focus(resource, (0,)), root, constants, reader.table)
    reader.roots[0] = resource
    selects = reader.selects(view.get("select"), scope, "select")
    where = _where(reader, view.get("where"), scope)
    top = Select(columns=(), selects=tuple(selects), union=())
    seen: set[str] = set()
    for column in top.output():
        # SQL engines compare unquoted names ignoring case.
        if column.name.lower() in seen:
            reader.add("select", f"column name {column.name} is used twice")
        seen.add(column.name.lower())
    if reader.problems:
        raise Invalid(reader.problems, "ViewDefinition")
    name = view.get("name")
    return View(
        resource=resource,
        name=name if isinstance(name, str) else None,
        select=top,
        where=tuple(where),
        roots=dict(reader.roots),
        raw=frozenset(reader.raw),
    )


def _where(reader: _Reader, value: object, scope: Scope) -> list[ir.Expr]:
    if value is None:
        return []
    if not isinstance(value, list):
        reader.add("where", "must be a list")
        return []
    out = []
    for i, item in enumerate(value):
        path = f"where[{i}]"
        if not isinstance(item, dict) or "path" not in item:
            reader.add(path, "must be an object with a path")
            continue
        reader.keys(item, frozenset(["path", "description"]), path)
        expr = reader.expression(item["path"], scope, f"{path}.path")
        if expr is not None and not is_boolean(expr):
            reader.add(f"{path}.path", f"{item['path']!r} returns {expr.type}, not a boolean")
        elif expr is not None:
            out.append(expr)
    return out
