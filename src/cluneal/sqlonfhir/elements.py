"""The FHIR R4 element table: the type and cardinality of every element, as packaged data.

``data/r4_elements.json`` is written by :mod:`.typegen` from the ``fhir.resources`` models; its
``source`` field names them. Types are FHIR type codes (``boolean``, ``dateTime``, ``HumanName``)
or, for backbone elements, the model's name (``PatientContact``). ``UNKNOWN`` types a path that no
element matches: FHIRPath evaluates it to the empty collection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

UNKNOWN = "unknown"

Kind = Literal["boolean", "integer", "decimal", "string", "date", "dateTime", "time", "complex"]

_KINDS: dict[str, Kind] = {
    "boolean": "boolean",
    "integer": "integer",
    "positiveInt": "integer",
    "unsignedInt": "integer",
    "integer64": "integer",
    "decimal": "decimal",
    "date": "date",
    "dateTime": "dateTime",
    "instant": "dateTime",
    "time": "time",
    **dict.fromkeys(
        (
            "string",
            "code",
            "id",
            "uri",
            "url",
            "canonical",
            "oid",
            "uuid",
            "markdown",
            "base64Binary",
            "xhtml",
        ),
        "string",
    ),
}

#: FHIRPath's System types, as written in ``ofType()``, and their FHIR counterparts.
SYSTEM_TYPES = {
    "Boolean": "boolean",
    "Integer": "integer",
    "Decimal": "decimal",
    "String": "string",
    "Date": "date",
    "DateTime": "dateTime",
    "Time": "time",
}


def kind(fhir_type: str) -> Kind:
    """The value kind of a type; complex types and :data:`UNKNOWN` are ``complex``."""
    return _KINDS.get(fhir_type, "complex")


def sql_kind(fhir_type: str) -> str:
    """How a value of the type is held in SQL: ``boolean``, ``integer``, ``decimal`` or ``string``
    (dates and times stay strings in their FHIR form)."""
    value = kind(fhir_type)
    return value if value in ("boolean", "integer", "decimal") else "string"


def is_primitive(fhir_type: str) -> bool:
    return fhir_type in _KINDS


@dataclass(frozen=True)
class Element:
    """One element of a type: its JSON key, type code and whether it repeats."""

    key: str
    type: str
    many: bool


@dataclass(frozen=True)
class Choice:
    """A choice element ``value[x]``: the JSON key of each allowed type."""

    name: str
    keys: dict[str, str]


@dataclass(frozen=True)
class Table:
    source: str
    resources: frozenset[str]
    types: dict[str, dict[str, str]]

    def has_type(self, name: str) -> bool:
        return name in self.types or name in _KINDS

    def element(self, owner: str, name: str) -> Element | Choice | None:
        """The element ``name`` of type ``owner``: a plain element, a choice, or ``None``.

        A choice's typed key (``valueQuantity``) is also found, as the plain element it names.
        """
        elements = self.types.get(owner)
        if elements is None:
            return None
        spec = elements.get(name)
        if spec is not None:
            return Element(name, spec.rstrip("*"), spec.endswith("*"))
        choice = elements.get(f"{name}[x]")
        if choice is not None:
            return Choice(name, {code: name + _capital(code) for code in choice.split("|")})
        for key, spec in elements.items():
            if key.endswith("[x]"):
                stem = key[:-3]
                for code in spec.split("|"):
                    if name == stem + _capital(code):
                        return Element(name, code, False)
        return None


def _capital(code: str) -> str:
    return code[0].upper() + code[1:]


@cache
def r4() -> Table:
    """The packaged R4 table (read once)."""
    text = resources.files(__package__).joinpath("data", "r4_elements.json").read_text("utf-8")
    data = json.loads(text)
    return Table(
        source=str(data["source"]),
        resources=frozenset(data["resources"]),
        types={str(name): dict(elements) for name, elements in data["types"].items()},
    )
