"""The official SQL-on-FHIR v2 test suite, every case on DuckDB and on Spark.

The cases for FHIR R4 (``fhirVersion`` absent or listing 4.0.1) are read in place from
``shared/external/sql-on-fhir-v2-tests``. Rows are compared as a multiset (the suite does not
order them); numbers with a tolerance; ``expectColumns`` in order. An ``expectError`` case must
be rejected by ``parse_view`` or fail when the query runs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest

from cluneal.sqlonfhir import CardinalityError, parse_view
from cluneal.validation import Invalid

from tests.paths import SHARED

SUITE = SHARED / "external" / "sql-on-fhir-v2-tests"
ENGINES = ("duckdb", "spark")


def _cases() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for path in sorted(SUITE.glob("*.json")):
        suite = json.loads(path.read_text())
        versions = suite.get("fhirVersion")
        if versions and "4.0.1" not in versions:
            continue
        for test in suite["tests"]:
            yield path.name, suite, test


CASES = {(name, test["title"]): (suite, test) for name, suite, test in _cases()}


def _params() -> Iterator[Any]:
    for engine in ENGINES:
        for name, title in CASES:
            marks = [pytest.mark.spark] if engine == "spark" else []
            yield pytest.param(name, title, engine, id=f"{engine}-{name}-{title}", marks=marks)


def same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(actual, int | float) and isinstance(expected, int | float):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(map(same, actual, expected))
    return bool(actual == expected)


def unmatched(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[Any]:
    """The expected rows missing from ``actual``, then the rows of ``actual`` left over."""
    left = list(actual)
    missing = []
    for row in expected:
        for i, got in enumerate(left):
            if got.keys() == row.keys() and all(same(got[k], row[k]) for k in row):
                del left[i]
                break
        else:
            missing.append(row)
    return missing + left


def test_the_suite_has_every_r4_case() -> None:
    assert len(CASES) == 134


@pytest.mark.parametrize(("name", "title", "engine"), list(_params()))
def test_the_view_gives_the_rows_the_suite_expects(
    name: str, title: str, engine: str, request: pytest.FixtureRequest
) -> None:
    suite, test = CASES[(name, title)]
    run = request.getfixturevalue(f"{engine}_runner")
    if test.get("expectError"):
        with pytest.raises((Invalid, CardinalityError)):
            run(parse_view(test["view"]), suite["resources"])
        return
    rows = run(parse_view(test["view"]), suite["resources"])
    assert unmatched(rows, test["expect"]) == []
    if "expectColumns" in test and rows:
        assert list(rows[0]) == test["expectColumns"]
