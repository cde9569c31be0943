"""The typed form of a FHIRPath expression, which the SQL emitters read.

Every node knows its FHIR ``type`` and whether it may hold several values (``many``). Values read
from the resource also know their place in the parsed resource (``spath``: the schema root, then
the JSON keys), from which :mod:`.schema` derives the one struct type each resource is parsed into.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .elements import Choice
from .syntax import LiteralValue

SPath = tuple[int | str, ...]


@dataclass(frozen=True)
class Focus:
    """The focus: the resource, a ``forEach`` item, a ``where()`` item or a ``repeat`` node."""

    type: str
    spath: SPath | None
    many: bool = False


@dataclass(frozen=True)
class Root:
    """``%resource``: the resource a row comes from."""

    type: str
    spath: SPath = (0,)
    many: bool = False


@dataclass(frozen=True)
class Get:
    """The element ``key`` of each item of ``src``; ``elem_many`` when the element repeats."""

    src: Expr
    key: str
    type: str
    many: bool
    elem_many: bool
    spath: SPath | None


@dataclass(frozen=True)
class ChoiceRef:
    """A choice element (``value``) before ``ofType()`` picks one of its types."""

    src: Expr
    choice: Choice
    type: str = "choice"
    many: bool = False


@dataclass(frozen=True)
class Nothing:
    """The empty collection, typed."""

    type: str
    many: bool = False


@dataclass(frozen=True)
class Const:
    value: LiteralValue
    type: str
    many: bool = False


@dataclass(frozen=True)
class RowIndex:
    type: str = "integer"
    many: bool = False


@dataclass(frozen=True)
class At:
    """``src[index]``."""

    src: Expr
    index: Expr
    type: str
    many: bool = False


@dataclass(frozen=True)
class Where:
    """The items of ``src`` for which ``cond`` (with the item as focus) is true."""

    src: Expr
    cond: Expr
    type: str
    many: bool


@dataclass(frozen=True)
class Exists:
    """``exists()``, or ``empty()`` when ``negate``."""

    src: Expr
    negate: bool
    type: str = "boolean"
    many: bool = False


@dataclass(frozen=True)
class Count:
    src: Expr
    type: str = "integer"
    many: bool = False


@dataclass(frozen=True)
class First:
    src: Expr
    type: str
    last: bool = False
    many: bool = False


@dataclass(frozen=True)
class Not:
    src: Expr
    type: str = "boolean"
    many: bool = False


@dataclass(frozen=True)
class Join:
    src: Expr
    separator: str
    type: str = "string"
    many: bool = False


@dataclass(frozen=True)
class RefKey:
    """``getReferenceKey()`` of the ``reference`` strings in ``src``."""

    src: Expr
    resource: str | None
    many: bool
    type: str = "string"


@dataclass(frozen=True)
class Boundary:
    """``lowBoundary()`` or ``highBoundary()``."""

    src: Expr
    high: bool
    type: str
    many: bool = False


@dataclass(frozen=True)
class Binary:
    """An operator; its operands are single values (several raise an error at run time)."""

    op: str
    left: Expr
    right: Expr
    type: str
    many: bool = False


@dataclass(frozen=True)
class Negate:
    src: Expr
    type: str
    many: bool = False


Expr = (
    Focus
    | Root
    | Get
    | ChoiceRef
    | Nothing
    | Const
    | RowIndex
    | At
    | Where
    | Exists
    | Count
    | First
    | Not
    | Join
    | RefKey
    | Boundary
    | Binary
    | Negate
)


def spath_of(expr: Expr) -> SPath | None:
    """Where in the parsed resource the values of ``expr`` sit, if they are read from it."""
    if isinstance(expr, Focus | Root | Get):
        return expr.spath
    if isinstance(expr, Where | First | At):
        return spath_of(expr.src)
    return None


def last_key(expr: Expr) -> str | None:
    """The JSON key of the last element that ``expr`` reads."""
    if isinstance(expr, Get):
        return expr.key
    if isinstance(expr, Where | First | At):
        return last_key(expr.src)
    return None


def children(expr: Expr) -> tuple[Expr, ...]:
    """The sub-expressions of ``expr``, for walks over the tree."""
    if isinstance(expr, Binary):
        return (expr.left, expr.right)
    if isinstance(expr, At):
        return (expr.src, expr.index)
    if isinstance(expr, Where):
        return (expr.src, expr.cond)
    if isinstance(expr, Get | ChoiceRef | Exists | Count | First | Not | Join | RefKey):
        return (expr.src,)
    if isinstance(expr, Boundary | Negate):
        return (expr.src,)
    return ()


def walk(expr: Expr) -> Iterator[Expr]:
    """``expr`` and all its sub-expressions, sub-expressions first."""
    for child in children(expr):
        yield from walk(child)
    yield expr
