"""The ``constant`` list of a ViewDefinition: named primitive values for ``%name``."""

from __future__ import annotations

import re
from collections.abc import Callable

from . import ir

#: Column and constant names: what SQL engines accept unquoted.
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CONSTANT_TYPES = frozenset(
    [
        "base64Binary",
        "boolean",
        "canonical",
        "code",
        "date",
        "dateTime",
        "decimal",
        "id",
        "instant",
        "integer",
        "integer64",
        "oid",
        "string",
        "positiveInt",
        "time",
        "unsignedInt",
        "uri",
        "url",
        "uuid",
    ]
)


def _valid(fhir_type: str, value: object) -> bool:
    if fhir_type == "boolean":
        return isinstance(value, bool)
    if fhir_type in ("integer", "integer64", "positiveInt", "unsignedInt"):
        return isinstance(value, int) and not isinstance(value, bool)
    if fhir_type == "decimal":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)


def read_constants(value: object, add: Callable[[str, str], None]) -> dict[str, ir.Const]:
    """The ``constant`` list of a ViewDefinition, by name; problems go to ``add(path, message)``."""
    out: dict[str, ir.Const] = {}
    if value is None:
        return out
    if not isinstance(value, list):
        add("constant", "must be a list")
        return out
    for i, item in enumerate(value):
        path = f"constant[{i}]"
        if not isinstance(item, dict):
            add(path, "must be an object")
            continue
        name = item.get("name")
        if not isinstance(name, str) or not NAME.fullmatch(name):
            add(f"{path}.name", "must be a name (a letter, then letters, digits or _)")
            continue
        values = [key for key in item if key.startswith("value")]
        for key in item:
            if key != "name" and key not in values:
                add(f"{path}.{key}", "unknown key")
        fhir_type = values[0][5:6].lower() + values[0][6:] if len(values) == 1 else ""
        if len(values) != 1 or fhir_type not in CONSTANT_TYPES:
            add(path, "needs exactly one value[x] of a primitive type")
        elif not _valid(fhir_type, item[values[0]]):
            add(f"{path}.{values[0]}", f"is not a valid {fhir_type}")
        elif name in out:
            add(f"{path}.name", f"constant {name} is defined twice")
        else:
            out[name] = ir.Const(item[values[0]], fhir_type)
    return out
