"""Checks of single values of an incoming bundle, each recording its problem at the value's
JSON path (shared by every resource reader, so one kind of mistake reads the same everywhere)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cluneal.interop.fhir_record.codes import MAX_DECIMAL
from cluneal.validation import Node


def fixed(node: Node, expected: Any) -> bool:
    """The value must be exactly ``expected`` (a code, a system, a whole concept)."""
    if node.value is None:
        node.fail("is required")
        return False
    if node.value != expected:
        node.fail(f"must be {json.dumps(expected)}")
        return False
    return True


def absent(node: Node, why: str) -> None:
    if node.value is not None:
        node.fail(f"must be left out {why}")


def concept_key(node: Node, table: Mapping[str, Mapping[str, Any]], system: str) -> str | None:
    """The key of ``table`` whose CodeableConcept ``node`` is; the problem otherwise."""
    if not node.required():
        return None
    for key, concept in table.items():
        if node.value == concept:
            return key
    if not isinstance(node.value, dict):
        node.fail("must be an object (a CodeableConcept)")
        return None
    by_code = {
        c["code"]: key
        for key, concept in table.items()
        for c in concept["coding"]
        if c["system"] == system
    }
    if not isinstance(node.value.get("coding"), list):
        node.get("coding").fail("must be a list of codings")
        return None
    for coding in node.get("coding").items():
        if isinstance(coding.value, dict) and coding.value.get("system") == system:
            code = coding.get("code")
            found = by_code.get(code.value) if isinstance(code.value, str) else None
            if found is None:
                names = (c if c == k else f"{c} ({k})" for c, k in by_code.items())
                code.fail("must be one of " + ", ".join(names))
                return None
            node.fail(f"must be exactly {json.dumps(table[found])}")
            return None
    node.get("coding").fail(f"must include a coding of {system}")
    return None


def one_decimal(node: Node) -> Decimal | None:
    """A number the database can keep (five digits, one after the point)."""
    value = node.number(0, MAX_DECIMAL)
    if value is None:
        return None
    exact = Decimal(str(value))
    rounded = exact.quantize(Decimal("0.1"))
    if rounded != exact:
        node.fail("must have at most one decimal place")
        return None
    return rounded


def bounded_text(node: Node, limit: int) -> str | None:
    """A non-empty string no longer than its database column."""
    value = node.string(non_empty=True)
    if value is not None and len(value) > limit:
        node.fail(f"must be at most {limit} characters")
        return None
    return value
