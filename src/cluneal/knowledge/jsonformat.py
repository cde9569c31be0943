"""Declarative JSON formats: one definition gives the strict reader, the writer and the JSON Schema.

A format is a frozen dataclass whose fields are annotated with the spec of their JSON value
(:mod:`cluneal.knowledge.jsonspec`)::

    @dataclass(frozen=True)
    class Block:
        date: Annotated[dt.date, Date()]
        nrs_before: Annotated[int, Integer(0, 10)]
        relief_days: Annotated[float | None, Number(0)] = None

A field without a default is required. A field with one is optional: absent or ``null`` reads as the
default (``None`` meaning "not known"), and a value that writes as the default's JSON is left out.
``Format("cluneal-case/1", Case, what="case")`` then reads a document, listing every problem by
its JSON path, writes one, and describes it as a JSON Schema (draft 2020-12) for OpenAPI.

Why not pydantic (installed with django-ninja, and allowed in the pure layers): the messages and
paths of :class:`~cluneal.validation.Node` (``blocks[0].nrs_before: must be an integer from
0 to 10``) are part of the contract, and pydantic's (``Input should be less than or equal to 10``
at ``('blocks', 0, 'nrs_before')``) would have to be translated back, error type by error type;
neither of its modes reads numbers as JSON Schema does (lax takes ``"36"`` and ``true`` for
integers, strict refuses ``36.0``); its schemas carry ``$defs`` and titles that the published ones
have not; and the case's frozen dataclasses, a public API with many callers, would be written a
second time as models. The specs here are small, and they read through ``Node``, so every message
stays as it was.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from cluneal.knowledge.jsonspec import Schema, Spec, nullable, obj_schema
from cluneal.validation import Invalid, Node, Problems, join_key

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    spec: Spec
    required: bool
    #: The JSON of the field's default (``None`` for none or a ``None`` default).
    default_json: Any
    has_default: bool


class Record(Spec, Generic[T]):
    """An object with the fields of the dataclass ``cls``, each annotated with its spec.

    ``fields`` keeps some of them (in that order); ``required`` and ``optional`` override whether
    a field must be given. ``tag`` is a constant first key: ``("format", "cluneal-case/1")``.
    """

    null_message = "must be an object"

    def __init__(
        self,
        cls: type[T],
        *,
        fields: tuple[str, ...] | None = None,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
        tag: tuple[str, str] | None = None,
    ) -> None:
        self.cls, self.tag = cls, tag
        self._names, self._required, self._optional = fields, required, optional

    @functools.cached_property
    def fields(self) -> tuple[_Field, ...]:
        hints = typing.get_type_hints(self.cls, include_extras=True)
        by_name = {f.name: f for f in dataclasses.fields(self.cls)}  # type: ignore[arg-type]
        out = []
        for name in self._names or tuple(by_name):
            specs = [m for m in getattr(hints[name], "__metadata__", ()) if isinstance(m, Spec)]
            if len(specs) != 1:
                raise TypeError(f"{self.cls.__name__}.{name}: annotate it with one spec")
            f, spec = by_name[name], specs[0]
            if f.default is not dataclasses.MISSING:
                default = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = dataclasses.MISSING
            has_default = default is not dataclasses.MISSING
            out.append(
                _Field(
                    name,
                    spec,
                    (not has_default or name in self._required) and name not in self._optional,
                    None if default is None or not has_default else spec.dump(default),
                    has_default,
                )
            )
        return tuple(out)

    @functools.cached_property
    def _keys(self) -> tuple[str, ...]:
        return (*(self.tag or ())[:1], *(f.name for f in self.fields))

    def read(self, node: Node) -> T | None:
        if not node.obj(self._keys):
            return None
        if self.tag:
            tag = node.get(self.tag[0])
            if tag.required() and tag.value != self.tag[1]:
                tag.fail(f'must be "{self.tag[1]}"')
        data, fields = node.value, self.fields
        lacking = False
        for f in fields:  # what an entry lacks is listed before what is wrong in it
            if f.required and data.get(f.name) is None:
                node.get(f.name).fail("is required")
                lacking = True
        values: dict[str, Any] = {}
        for f in fields:  # a node for each value given only: most optional ones are absent
            raw = data.get(f.name)
            if raw is not None:
                value = f.spec.read(Node(raw, join_key(node.path, f.name), node.problems))
                if value is not None:
                    values[f.name] = value
        if lacking or any(f.required and f.name not in values for f in fields):
            return None
        return self.cls(**values)

    @functools.cached_property
    def _writer(self) -> Callable[[Any], dict[str, Any]]:
        """The record's writer, compiled once from its fields (as :mod:`dataclasses` compiles
        ``__init__``): a record is written many times over (every criterion item, every step),
        and a loop over field descriptions costs several times a plain function."""
        names: dict[str, Any] = {}
        lines = ["def dump(value):"]
        lines.append(
            f"    out = {{{self.tag[0]!r}: {self.tag[1]!r}}}" if self.tag else "    out = {}"
        )
        for i, f in enumerate(self.fields):
            lines.append(f"    item = value.{f.name}")
            if not f.spec.plain:
                names[f"write_{i}"] = f.spec.dump
                lines.append(f"    if item is not None: item = write_{i}(item)")
            if f.has_default:
                names[f"default_{i}"] = f.default_json
                lines.append(f"    if item != default_{i}: out[{f.name!r}] = item")
            else:
                lines.append(f"    out[{f.name!r}] = item")
        lines.append("    return out")
        exec("\n".join(lines), names)  # noqa: S102 (source built from field names only)
        writer: Callable[[Any], dict[str, Any]] = names["dump"]
        return writer

    def dump(self, value: Any) -> dict[str, Any]:
        return self._writer(value)

    def schema(self) -> Schema:
        props: dict[str, Schema] = {self.tag[0]: {"const": self.tag[1]}} if self.tag else {}
        for f in self.fields:
            schema = f.spec.schema()
            optional = f.has_default and not f.required
            props[f.name] = nullable(schema) if optional and not f.spec.accepts_null else schema
        required = [f.name for f in self.fields if f.required]
        return obj_schema(props, [self.tag[0], *required] if self.tag else required)


@functools.cache
def record_of(cls: type[T]) -> Record[T]:
    """The record of all the fields of ``cls``, made once."""
    return Record(cls)


class Format(Record[T]):
    """A versioned document: a record whose first key ``format`` names the format."""

    def __init__(self, name: str, cls: type[T], *, what: str) -> None:
        super().__init__(cls, tag=("format", name))
        self.name, self.what = name, what

    def parse(self, data: Any) -> T:
        """Read a document, or raise :class:`Invalid` listing every problem by its JSON path."""
        problems = Problems()
        root = Node(data, "", problems)
        if not isinstance(data, dict):
            root.fail(f"a {self.what} must be a JSON object")
            raise Invalid(problems.found, self.what)
        value = self.read(root)
        problems.raise_if_any(self.what)
        if value is None:  # pragma: no cover - a record not built always has a problem
            raise Invalid(problems.found, self.what)
        return value

    def schema(self) -> Schema:
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": self.name,
            **super().schema(),
        }
