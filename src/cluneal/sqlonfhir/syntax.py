"""The FHIRPath syntax tree, as :mod:`.fhirpath` parses it."""

from __future__ import annotations

from dataclasses import dataclass

LiteralValue = str | int | float | bool


@dataclass(frozen=True)
class Lit:
    """A literal; ``type`` is the FHIR type code of its value (``string``, ``dateTime``...)."""

    value: LiteralValue
    type: str


@dataclass(frozen=True)
class EmptyLit:
    """``{}``, the empty collection."""


@dataclass(frozen=True)
class Name:
    """An identifier: an element name, or a type name where a type is expected."""

    name: str


@dataclass(frozen=True)
class Var:
    """An external constant, ``%name``."""

    name: str


@dataclass(frozen=True)
class Special:
    """``$this``, ``$index`` or ``$total``."""

    name: str


@dataclass(frozen=True)
class Call:
    """A function invocation; ``target`` is ``None`` when it applies to the focus."""

    target: Node | None
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Member:
    """``target.name``."""

    target: Node
    name: str


@dataclass(frozen=True)
class Index:
    """``target[index]``."""

    target: Node
    index: Node


@dataclass(frozen=True)
class Op:
    """A binary operator."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    """Unary minus."""

    operand: Node


@dataclass(frozen=True)
class TypeOp:
    """``operand is Type`` or ``operand as Type``."""

    op: str
    operand: Node
    type_name: str


Node = Lit | EmptyLit | Name | Var | Special | Call | Member | Index | Op | Neg | TypeOp
