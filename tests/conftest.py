"""Shared test fixtures: the example case and the external data beside the checkout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent
#: Real data written by others (CDS Hooks examples, Synthea, SQL-on-FHIR tests), read in place.
SHARED = ROOT.parent / "shared"


@pytest.fixture
def example_path() -> Path:
    """The example case of case-format.md."""
    return TESTS / "data" / "example-case.json"


@pytest.fixture
def example_case(example_path: Path) -> dict[str, Any]:
    return json.loads(example_path.read_text())


@pytest.fixture(scope="session")
def shared() -> Path:
    return SHARED
