"""Every value a view reads, checked against its FHIR type before an engine casts it.

A resource in an export may hold anything: a date that is no calendar date (``2020-02-30``), an
object or a list where a string belongs, a number where a date belongs, a string where a
boolean belongs. Left to the engines, such a value fails a cast (a DuckDB conversion error) or
becomes NULL or JSON text, each engine its own way. So the places a view reads (its
:class:`~.schema.Schema`) are checked first against the JSON form FHIR R4 gives their types
(R4 "JSON representation": the JSON kind of each type, and the regular expressions of the
datatypes page): complex types are objects, repeating elements lists, strings strings,
booleans ``true``/``false``, integers JSON integers within 32 bits, decimals numbers; dates,
date-times, instants and times must match their pattern, and a date's day must exist in its
month. JSON ``null`` counts as absent, as both engines' parsers read it.

:data:`FORMS` is the one table of forms. :func:`problem` applies it in Python and says what is
wrong where; :func:`predicate` compiles it to SQL for DuckDB or Spark, so the engines drop (or
count) exactly the resources that :func:`problem` names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from .dialect import Dialect
from .elements import UNKNOWN, is_primitive
from .model import View
from .schema import Place as SchemaPlace
from .schema import Schema

Json = Literal["string", "number", "integer", "boolean"]

_YEAR = "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
_MONTH = "(0[1-9]|1[0-2])"
_DAY = "(0[1-9]|[1-2][0-9]|3[0-1])"
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?"
_ZONE = "(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
INT32 = (-(2**31), 2**31 - 1)


@dataclass(frozen=True)
class Form:
    """The JSON form of a primitive type: its JSON kind, the pattern a string must match in
    full, and whether its date part (``YYYY-MM-DD`` when given) must be a real day."""

    json: Json
    pattern: str | None = None
    calendar: bool = False
    #: The pattern in words, for the error message.
    shape: str = ""


#: FHIR R4 primitive types whose form is more than "a JSON string" (the others: string, code,
#: id, uri, url, canonical, oid, uuid, markdown, base64Binary, xhtml).
FORMS: dict[str, Form] = {
    "boolean": Form("boolean"),
    "integer": Form("integer"),
    "positiveInt": Form("integer"),
    "unsignedInt": Form("integer"),
    "decimal": Form("number"),
    "integer64": Form("string", "[0]|[-+]?[1-9][0-9]*", shape="a whole number"),
    "date": Form("string", f"{_YEAR}(-{_MONTH}(-{_DAY})?)?", True, "YYYY, YYYY-MM or YYYY-MM-DD"),
    "dateTime": Form(
        "string",
        f"{_YEAR}(-{_MONTH}(-{_DAY}(T{_TIME}{_ZONE})?)?)?",
        True,
        "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.f] with Z or +hh:mm",
    ),
    "instant": Form(
        "string",
        f"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}{_ZONE}",
        True,
        "YYYY-MM-DDThh:mm:ss[.f] with Z or +hh:mm",
    ),
    "time": Form("string", _TIME, shape="hh:mm:ss[.f]"),
}
_STRING = Form("string")


@dataclass(frozen=True)
class Place:
    """A place a view reads: its JSON key, FHIR type, whether it repeats, and the places read
    below it (none for primitives and for places read whole)."""

    key: str
    type: str
    many: bool
    children: tuple[Place, ...]


def places(views: Iterable[View]) -> tuple[Place, ...]:
    """The places read by any of ``views`` (all of one resource type), below the resource."""
    merged: dict[str, Any] = {}
    for view in views:
        _merge(merged, Schema(view).roots[0])
    return _freeze(merged)


def _merge(into: dict[str, Any], place: SchemaPlace) -> None:
    for key, child in place.children.items():
        if child.type == UNKNOWN:
            continue
        type_, many, below = into.get(key, (child.type, child.many, {}))
        if not child.raw:
            _merge(below, child)
        into[key] = (type_, many, below)


def _freeze(tree: dict[str, Any]) -> tuple[Place, ...]:
    return tuple(Place(k, t, many, _freeze(below)) for k, (t, many, below) in tree.items())


def form(fhir_type: str) -> Form | None:
    """The form of a primitive type; ``None`` for complex types (JSON objects)."""
    return FORMS.get(fhir_type, _STRING) if is_primitive(fhir_type) else None


# Python.


def problem(resource: dict[str, Any], read: tuple[Place, ...]) -> str | None:
    """What is wrong with the first malformed value ``resource`` holds at a place read, e.g.
    ``onsetDateTime: "2020-02-30" is not a dateTime (no such day)``; ``None`` if nothing."""
    for place in read:
        found = _check(resource.get(place.key), place, place.key)
        if found:
            return found
    return None


def _check(value: Any, place: Place, path: str) -> str | None:
    if value is None:
        return None
    if not place.many:
        return _one(value, place, path)
    if not isinstance(value, list):
        return f"{path}: {describe(value)} where a list of {place.type} belongs"
    for index, item in enumerate(value):
        found = _one(item, place, f"{path}[{index}]") if item is not None else None
        if found:
            return found
    return None


def _one(value: Any, place: Place, path: str) -> str | None:
    shape = form(place.type)
    if shape is None:
        if not isinstance(value, dict):
            return f"{path}: {describe(value)} where {_a(place.type)} (a JSON object) belongs"
        for child in place.children:
            found = _check(value.get(child.key), child, f"{path}.{child.key}")
            if found:
                return found
        return None
    why = _primitive(value, shape)
    return f"{path}: {describe(value)} is not {_a(place.type)}{why}" if why is not None else None


def _a(name: str) -> str:
    vowel = name[0].lower() in "aeio" or name.startswith("un")  # a uri, an unsignedInt
    return f"an {name}" if vowel else f"a {name}"


def _primitive(value: Any, shape: Form) -> str | None:
    """Why ``value`` does not have the form (``""`` for no further reason), or ``None``."""
    if shape.json == "boolean":
        return None if isinstance(value, bool) else ""
    if shape.json in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return ""
        if shape.json == "integer" and not (
            isinstance(value, int) and INT32[0] <= value <= INT32[1]
        ):
            return " (a whole number within 32 bits)"
        return None
    if not isinstance(value, str):
        return ""
    if shape.pattern is not None and not re.fullmatch(shape.pattern, value):
        return f" (the form is {shape.shape})"
    if shape.calendar and len(value) >= 10 and not _real_day(value):
        return " (no such day)"
    return None


def _real_day(text: str) -> bool:
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = 29 if month == 2 and leap else 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    return day <= last


def describe(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value!r:.40}"
    text = str(value)
    return json.dumps(text if len(text) <= 40 else text[:39] + "\u2026", ensure_ascii=False)


# SQL.


def predicate(read: tuple[Place, ...], d: Dialect, column: str) -> str:
    """SQL, never NULL, that is true when the JSON resource in ``column`` passes
    :func:`problem` (``column`` holds a JSON object with the resource's type)."""
    return _Sql(d).fields_ok(read, d.raw_fields(column, [p.key for p in read], top=True))


class _Sql:
    """The checks as SQL. Each parsed object and each string checked against a pattern is
    bound to a lambda variable once and read through it, so that the text (and the work) grows
    with the places read, not with their depth."""

    def __init__(self, d: Dialect) -> None:
        self.d = d
        self.names = 0

    def var(self) -> str:
        self.names += 1
        return f"_v{self.names}"

    def fields_ok(self, read: tuple[Place, ...], fields: str) -> str:
        var = self.var()
        checks = [self.place_ok(p, self.d.field(var, p.key)) for p in read]
        return self.d.bind(fields, var, " AND ".join(checks) if checks else "TRUE")

    def place_ok(self, place: Place, raw: str) -> str:
        """``raw`` is a field of a bound struct: cheap to read again."""
        d = self.d
        if place.many:
            item = self.var()
            each = f"({d.raw_absent(item)} OR {self.value_ok(place, item)})"
            items = d.all_items(d.raw_items(raw), item, each)
            body = f"CASE WHEN {d.raw_is(raw, 'array')} THEN {items} ELSE FALSE END"
        else:
            body = self.value_ok(place, raw)
        return f"coalesce({d.raw_absent(raw)} OR ({body}), FALSE)"

    def value_ok(self, place: Place, raw: str) -> str:
        """Whether the raw value (a variable, not absent) has the place's form."""
        d, shape = self.d, form(place.type)
        if shape is None:
            if not place.children:
                return d.raw_is(raw, "object")
            below = d.raw_fields(raw, [c.key for c in place.children], top=False)
            return f"({d.raw_is(raw, 'object')} AND {self.fields_ok(place.children, below)})"
        if shape.json != "string":
            test = d.raw_is(raw, shape.json)
            if shape.json == "integer":
                test += f" AND {d.raw_integer(raw)} BETWEEN {INT32[0]} AND {INT32[1]}"
            return f"({test})"
        if shape.pattern is None:
            return d.raw_is(raw, "string")
        text = self.var()
        checks = [d.full_match(text, shape.pattern)]
        if shape.calendar:
            checks.append(_real_day_sql(d, text))
        form_ok = d.bind(d.raw_string(raw), text, " AND ".join(checks))
        return f"({d.raw_is(raw, 'string')} AND coalesce({form_ok}, FALSE))"


def _real_day_sql(d: Dialect, text: str) -> str:
    def part(start: int, length: int) -> str:
        return d.cast(f"substr({text}, {start}, {length})", "integer")

    year, month, day = part(1, 4), part(6, 2), part(9, 2)
    leap = f"({year} % 4 = 0 AND ({year} % 100 <> 0 OR {year} % 400 = 0))"
    last = (
        f"CASE WHEN {month} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
        f"WHEN {month} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    )
    return f"(length({text}) < 10 OR {day} <= {last})"
