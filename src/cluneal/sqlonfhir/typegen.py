"""Writes ``data/r4_elements.json``, the FHIR R4 element table, from the ``fhir.resources`` models.

Development-time only: ``fhir.resources`` is no dependency of Cluneal. Run it from a separate
environment that has it::

    python -m venv /tmp/fhirgen && /tmp/fhirgen/bin/pip install fhir.resources==8.3.0
    PYTHONPATH=src /tmp/fhirgen/bin/python -m cluneal.sqlonfhir.typegen

The R4B models (FHIR 4.3.0) are used: R4B changed no element of the resources and datatypes that
Cluneal reads (Patient, Observation, Condition, Procedure, Encounter, ServiceRequest,
DocumentReference, MedicationRequest, Practitioner and their datatypes) from R4 (4.0.1).

Each element is written as ``"name": "Type"`` (``"Type*"`` when it repeats); a choice element as
``"name[x]": "type1|type2|..."``.
"""

from __future__ import annotations

import importlib
import json
import typing
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "data" / "r4_elements.json"
PACKAGE = "fhir.resources.R4B"
ABSTRACT = {"Resource", "DomainResource"}


def _leaves(annotation: Any) -> tuple[bool, list[Any]]:
    """``(repeats, leaf annotations)`` of a pydantic field annotation."""
    origin = typing.get_origin(annotation)
    if origin in (list, typing.List):  # noqa: UP006 - the models spell it typing.List
        return True, _leaves(typing.get_args(annotation)[0])[1]
    if origin is typing.Annotated:
        return False, [annotation]
    if origin is not None:
        many = False
        leaves: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is type(None):
                continue
            arg_many, arg_leaves = _leaves(arg)
            many = many or arg_many
            leaves.extend(arg_leaves)
        return many, leaves
    return False, [annotation]


def _type_code(leaf: Any) -> str:
    if leaf is bool:
        return "boolean"
    if typing.get_origin(leaf) is typing.Annotated:
        for meta in reversed(typing.get_args(leaf)[1:]):
            name = type(meta).__name__
            if name == "UuidVersion":  # pydantic's UUID4 marker on the FHIR uuid type
                return "uuid"
            if name[:1].isupper() and not name.endswith("Encoder"):
                return name[0].lower() + name[1:]
        raise ValueError(f"no FHIR primitive in {leaf!r}")
    name = getattr(leaf, "__name__", repr(leaf))
    return name[: -len("Type")] if name.endswith("Type") else name


def _elements(model: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    choices: dict[str, list[str]] = {}
    for field in model.model_fields.values():
        extra = field.json_schema_extra or {}
        if not extra.get("element_property"):
            continue
        many, leaves = _leaves(field.annotation)
        (code,) = {_type_code(leaf) for leaf in leaves}
        choice = extra.get("one_of_many")
        if choice:
            choices.setdefault(f"{choice}[x]", []).append(code)
        else:
            out[field.alias] = code + ("*" if many else "")
    for name, codes in choices.items():
        out[name] = "|".join(codes)
    return dict(sorted(out.items()))


def build() -> dict[str, Any]:
    package = importlib.import_module(PACKAGE)
    fhirtypes = importlib.import_module(f"{PACKAGE}.fhirtypes")
    resource = package.get_fhir_model_class("Resource")
    types: dict[str, dict[str, str]] = {}
    resources: list[str] = []
    for attr in sorted(dir(fhirtypes)):
        if not attr.endswith("Type") or attr == "FHIRPrimitiveExtensionType":
            continue
        try:
            model = package.get_fhir_model_class(attr[: -len("Type")])
        except (ValueError, AttributeError):
            continue
        name = model.__name__
        types[name] = _elements(model)
        if issubclass(model, resource) and name not in ABSTRACT:
            resources.append(name)
    return {
        "source": f"{PACKAGE} models of fhir.resources "
        f"{importlib.import_module('fhir.resources').__version__} (FHIR 4.3.0)",
        "resources": sorted(resources),
        "types": dict(sorted(types.items())),
    }


def main() -> None:
    OUT.write_text(json.dumps(build(), indent=0, sort_keys=False) + "\n")


if __name__ == "__main__":
    main()
