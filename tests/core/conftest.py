"""Shared helpers for the core tests: every expected value is worked out from
docs/case-format.md (contract version 1), never read back from the engine."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from cluneal.core import assess, parse_case
from cluneal.knowledge.loader import default_pack
from cluneal.knowledge.model import KnowledgePack
from cluneal.validation import Invalid

FORMAT = "cluneal-case/1"


@pytest.fixture(scope="session")
def pack() -> KnowledgePack:
    return default_pack()


@pytest.fixture(scope="session")
def example_document(pytestconfig: pytest.Config) -> dict[str, Any]:
    path = pytestconfig.rootpath / "tests" / "data" / "example-case.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def example(example_document: dict[str, Any]) -> dict[str, Any]:
    """A fresh, mutable copy of the document's example case."""
    return copy.deepcopy(example_document)


@pytest.fixture
def run(pack: KnowledgePack) -> Callable[..., dict[str, Any]]:
    """Assess a case dict and return the ``cluneal-assessment/1`` JSON."""

    def _run(data: dict[str, Any], with_pack: KnowledgePack | None = None) -> dict[str, Any]:
        return assess(parse_case(data), with_pack or pack).to_json()

    return _run


@pytest.fixture
def nerve() -> Callable[[dict[str, Any], str, str], dict[str, Any]]:
    """The ``nerves`` entry of an assessment for one nerve and side."""

    def _nerve(assessment: dict[str, Any], name: str, side: str) -> dict[str, Any]:
        found = [n for n in assessment["nerves"] if n["nerve"] == name and n["side"] == side]
        assert len(found) == 1, f"expected one entry for {name} {side}, got {len(found)}"
        return found[0]

    return _nerve


@pytest.fixture
def criteria() -> Callable[[dict[str, Any], str, str], dict[str, Any]]:
    """The ``criteria`` entry of an assessment for one set and side."""

    def _criteria(assessment: dict[str, Any], set_id: str, side: str) -> dict[str, Any]:
        found = [c for c in assessment["criteria"] if c["id"] == set_id and c["side"] == side]
        assert len(found) == 1, f"expected one entry for {set_id} {side}, got {len(found)}"
        return found[0]

    return _criteria


@pytest.fixture
def item() -> Callable[[dict[str, Any], str], str]:
    """The status of one item of a criteria entry."""

    def _item(entry: dict[str, Any], item_id: str) -> str:
        found = [i for i in entry["items"] if i["id"] == item_id]
        assert len(found) == 1, f"expected one item {item_id}, got {len(found)}"
        status: str = found[0]["status"]
        return status

    return _item


@pytest.fixture
def problems() -> Callable[[Any], list[str]]:
    """Parse a case that must be invalid; return its problems as ``path: message`` strings."""

    def _problems(data: Any) -> list[str]:
        with pytest.raises(Invalid) as caught:
            parse_case(data)
        assert caught.value.problems, "Invalid was raised without any problem"
        return [str(p) for p in caught.value.problems]

    return _problems


@pytest.fixture
def paths() -> Callable[[Any], list[str]]:
    """Parse a case that must be invalid; return the JSON paths of its problems."""

    def _paths(data: Any) -> list[str]:
        with pytest.raises(Invalid) as caught:
            parse_case(data)
        assert caught.value.problems, "Invalid was raised without any problem"
        return [p.path for p in caught.value.problems]

    return _paths


@pytest.fixture
def block() -> Callable[..., dict[str, Any]]:
    """A valid block; keyword arguments replace or add fields."""

    def _block(**fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = {
            "date": "2026-10-01",
            "nerve": "scn",
            "side": "left",
            "nrs_before": 8,
            "nrs_after": 2,
        }
        out.update(fields)
        return out

    return _block


@pytest.fixture
def treatment() -> Callable[..., dict[str, Any]]:
    """A valid treatment; keyword arguments replace or add fields."""

    def _treatment(**fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = {
            "date": "2026-11-20",
            "kind": "surgical_release",
            "nerve": "scn",
            "side": "left",
            "outcome": "improved",
        }
        out.update(fields)
        return out

    return _treatment


@pytest.fixture
def case() -> Callable[..., dict[str, Any]]:
    """A minimal valid case (``format`` only); keyword arguments add top-level fields."""

    def _case(**fields: Any) -> dict[str, Any]:
        return {"format": FORMAT, **fields}

    return _case
