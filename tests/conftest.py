"""Shared test fixtures: the example case, the checkout, and the external data beside it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.paths import DATA, ROOT, SHARED


@pytest.fixture(scope="session")
def checkout() -> Path:
    """The root folder of the checkout (README.md, docs/, src/)."""
    return ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The tests' own data."""
    return DATA


@pytest.fixture(scope="session")
def shared() -> Path:
    return SHARED


@pytest.fixture(scope="session")
def synthea_dir(shared: Path) -> Path:
    """The Synthea sample beside the checkout: a small FHIR Bulk Data export."""
    return shared / "external" / "synthea-bulk-10"


@pytest.fixture
def example_path(data_dir: Path) -> Path:
    """The example case of case-format.md."""
    return data_dir / "example-case.json"


@pytest.fixture
def example_case(example_path: Path) -> dict[str, Any]:
    return json.loads(example_path.read_text())
