"""The JSON form of values, one spec each: how a value is read, written and described.

Specs read through :class:`~cluneal.validation.Node`, so their problems carry its messages and
JSON paths. They are put together into records and documents by :mod:`cluneal.knowledge.jsonformat`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from typing import Any

from cluneal.validation import Node

Schema = dict[str, Any]


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def obj_schema(props: dict[str, Schema], required: Collection[str] = ()) -> Schema:
    out: Schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    return out


class Spec(ABC):
    """The JSON form of one value: how it is read, written and described (each kind of value
    says how it is read and its schema; a value is its own JSON unless it says otherwise)."""

    #: A ``null`` is allowed where the format needs a value (a list item; see :class:`Nullable`).
    accepts_null = False

    @property
    def plain(self) -> bool:
        """Whether the value is its own JSON (a record writes such a field without a call)."""
        return type(self).dump is Spec.dump

    #: The problem reported for a ``null`` list item when it is not allowed.
    null_message = "must not be null"

    @abstractmethod
    def read(self, node: Node) -> Any:
        """The value at ``node`` (never null), or ``None`` with a problem recorded."""

    def dump(self, value: Any) -> Any:
        """The JSON of a value that is not ``None``."""
        return value

    @abstractmethod
    def schema(self) -> Schema:
        """The JSON Schema of the value."""


def _bounded(kind: str, low: float | None, high: float | None) -> Schema:
    out: Schema = {"type": kind}
    if low is not None:
        out["minimum"] = low
    if high is not None:
        out["maximum"] = high
    return out


class Text(Spec):
    def read(self, node: Node) -> str | None:
        return node.string()

    def schema(self) -> Schema:
        return {"type": "string"}


class Boolean(Spec):
    def read(self, node: Node) -> bool | None:
        return node.boolean()

    def schema(self) -> Schema:
        return {"type": "boolean"}


class Integer(Spec):
    """An integer; as in JSON Schema, ``36.0`` is the integer 36."""

    def __init__(self, low: int | None = None, high: int | None = None) -> None:
        self.low, self.high = low, high

    def read(self, node: Node) -> int | None:
        return node.integer(self.low, self.high)

    def schema(self) -> Schema:
        return _bounded("integer", self.low, self.high)


class Number(Spec):
    def __init__(self, low: float | None = None) -> None:
        self.low = low

    def read(self, node: Node) -> float | None:
        return node.number(self.low)

    def schema(self) -> Schema:
        return _bounded("number", self.low, None)


class OneOf(Spec):
    """One of a controlled vocabulary's values."""

    def __init__(self, values: tuple[str, ...]) -> None:
        self.values = values

    def read(self, node: Node) -> str | None:
        return node.enum(self.values)

    def schema(self) -> Schema:
        return {"enum": list(self.values)}


class Date(Spec):
    """A calendar date written ``YYYY-MM-DD``."""

    def read(self, node: Node) -> Any:
        return node.date()

    def dump(self, value: Any) -> Any:
        return value.isoformat()

    def schema(self) -> Schema:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


class AnyObject(Spec):
    """An object this format does not describe further (the assessment's ``scores``)."""

    def read(self, node: Node) -> dict[str, Any] | None:
        if isinstance(node.value, dict):
            return node.value
        node.fail("must be an object")
        return None

    def schema(self) -> Schema:
        return {"type": "object"}


class Nullable(Spec):
    """``inner`` or ``null``, where ``null`` is a value of its own (an unanswered ODI section)."""

    accepts_null = True

    def __init__(self, inner: Spec) -> None:
        self.inner = inner

    @property
    def plain(self) -> bool:
        return self.inner.plain

    def read(self, node: Node) -> Any:
        return self.inner.read(node)

    def dump(self, value: Any) -> Any:
        return self.inner.dump(value)

    def schema(self) -> Schema:
        return nullable(self.inner.schema())


class ListOf(Spec):
    """A list read as a tuple; ``prefix`` gives the first items' specs (then ``each``)."""

    def __init__(
        self,
        each: Spec,
        *,
        min_len: int = 0,
        max_len: int | None = None,
        prefix: tuple[Spec, ...] = (),
        null_item: str | None = None,
    ) -> None:
        self.each, self.prefix = each, prefix
        self.min_len, self.max_len = min_len, max_len
        self.null_item = null_item
        self._each_plain = each.plain and all(spec.plain for spec in prefix)

    def _at(self, i: int) -> Spec:
        return self.prefix[i] if i < len(self.prefix) else self.each

    def read(self, node: Node) -> tuple[Any, ...]:
        out: list[Any] = []
        for i, item in enumerate(node.items(min_len=self.min_len, max_len=self.max_len)):
            spec = self._at(i)
            if not item.missing:
                out.append(spec.read(item))
            elif spec.accepts_null:
                out.append(None)
            else:
                item.fail(self.null_item or spec.null_message)
        return tuple(out)

    def dump(self, value: Any) -> Any:
        if self._each_plain:
            return list(value)
        if not self.prefix:
            each = self.each.dump
            return [None if item is None else each(item) for item in value]
        return [None if item is None else self._at(i).dump(item) for i, item in enumerate(value)]

    def schema(self) -> Schema:
        out: Schema = {"type": "array"}
        if self.prefix:
            out["prefixItems"] = [spec.schema() for spec in self.prefix]
        if len(self.prefix) != self.max_len:  # else the prefix already covers every item
            out["items"] = self.each.schema()
        if self.min_len:
            out["minItems"] = self.min_len
        if self.max_len is not None:
            out["maxItems"] = self.max_len
        return out


_DROP: Any = object()


class Keyed(Spec):
    """An object whose keys are a fixed set (sides, nerves), each optional, read as a dict.

    An absent or ``null`` key is left out, or set to ``absent`` when that is given; left out too
    is an object that then holds nothing, as nothing in it is known.
    """

    def __init__(self, keys: tuple[str, ...], each: Spec, *, absent: Any = _DROP) -> None:
        self.keys, self.each, self.absent = keys, each, absent

    def read(self, node: Node) -> dict[str, Any] | None:
        if not node.obj(self.keys):
            return None
        out: dict[str, Any] = {}
        for key in self.keys:
            child = node.get(key)
            value = None if child.missing else self.each.read(child)
            if value is not None:
                out[key] = value
            elif self.absent is not _DROP:
                out[key] = self.absent
        return out or None

    def dump(self, value: Any) -> Any:
        return {key: self.each.dump(item) for key, item in value.items()}

    def schema(self) -> Schema:
        return obj_schema({key: nullable(self.each.schema()) for key in self.keys})
