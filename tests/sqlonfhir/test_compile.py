"""Compiled views beyond the official suite: partial dates, deep repeats, errors, types, input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from cluneal.sqlonfhir import (
    CardinalityError,
    compile_view,
    parse_view,
    run_duckdb,
)

ENGINES = [pytest.param("duckdb"), pytest.param("spark", marks=pytest.mark.spark)]


def column(name: str, path: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "path": path, **extra}


def rows(
    request: pytest.FixtureRequest, engine: str, view: dict[str, Any], resources: list[Any]
) -> list[dict[str, Any]]:
    run = request.getfixturevalue(f"{engine}_runner")
    result: list[dict[str, Any]] = run(parse_view(view), resources)
    return sorted(result, key=lambda row: str(row.get("id")))


PATIENTS = [
    {"resourceType": "Patient", "id": "a", "birthDate": "1975-06-01"},
    {"resourceType": "Patient", "id": "b", "birthDate": "1980-03"},
    {"resourceType": "Patient", "id": "c", "birthDate": "1981"},
    {"resourceType": "Patient", "id": "d"},
]


@pytest.mark.parametrize("engine", ENGINES)
def test_partial_dates_compare_at_their_common_precision(
    request: pytest.FixtureRequest, engine: str
) -> None:
    view = {
        "resource": "Patient",
        "select": [
            {
                "column": [
                    column("id", "id"),
                    column("before_1980", "birthDate < @1980"),
                    column("in_march_1980", "birthDate = @1980-03-15"),
                    column("after_1979_12", "birthDate > @1979-12"),
                ]
            }
        ],
    }
    assert rows(request, engine, view, PATIENTS) == [
        {"id": "a", "before_1980": True, "in_march_1980": False, "after_1979_12": False},
        {"id": "b", "before_1980": None, "in_march_1980": None, "after_1979_12": True},
        {"id": "c", "before_1980": False, "in_march_1980": False, "after_1979_12": True},
        {"id": "d", "before_1980": None, "in_march_1980": None, "after_1979_12": None},
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_date_times_with_zones_compare_as_instants(
    request: pytest.FixtureRequest, engine: str
) -> None:
    observations = [
        {
            "resourceType": "Observation",
            "id": "o1",
            "status": "final",
            "code": {"text": "x"},
            "effectiveDateTime": "2020-01-01T10:00:00+02:00",
        },
        {
            "resourceType": "Observation",
            "id": "o2",
            "status": "final",
            "code": {"text": "x"},
            "effectiveDateTime": "2020-01-01T10:00:00Z",
        },
    ]
    view = {
        "resource": "Observation",
        "select": [
            {
                "column": [
                    column("id", "id"),
                    column("at_8_utc", "effective.ofType(dateTime) = @2020-01-01T08:00:00Z"),
                    column("same_day", "effective.ofType(dateTime) = @2020-01-01"),
                ]
            }
        ],
    }
    assert rows(request, engine, view, observations) == [
        {"id": "o1", "at_8_utc": True, "same_day": None},
        {"id": "o2", "at_8_utc": False, "same_day": None},
    ]


def _item(depth: int, label: str) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": label}
    if depth > 1:
        item["item"] = [_item(depth - 1, f"{label}.{i}") for i in (1, 2)]
    return item


@pytest.mark.parametrize("engine", ENGINES)
def test_repeat_reaches_every_depth_in_depth_first_order(
    request: pytest.FixtureRequest, engine: str
) -> None:
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": "qr",
        "status": "completed",
        "item": [_item(6, "1"), {"linkId": "2"}],
    }
    view = {
        "resource": "QuestionnaireResponse",
        "select": [
            {
                "forEach": "item",
                "column": [column("top", "linkId")],
                "select": [
                    {
                        "repeat": ["item"],
                        "column": [column("at", "%rowIndex"), column("id", "linkId")],
                    }
                ],
            }
        ],
    }
    run = request.getfixturevalue(f"{engine}_runner")
    got = run(parse_view(view), [response])
    below_1 = [(row["at"], row["id"]) for row in got if row["top"] == "1"]
    assert len(below_1) == 2 + 4 + 8 + 16 + 32
    assert sorted(below_1)[:4] == [(0, "1.1"), (1, "1.1.1"), (2, "1.1.1.1"), (3, "1.1.1.1.1")]
    assert [row["id"] for row in got if row["top"] == "2"] == []


@pytest.mark.parametrize("engine", ENGINES)
def test_a_single_column_with_several_values_fails_when_run(
    request: pytest.FixtureRequest, engine: str
) -> None:
    patient = {"resourceType": "Patient", "id": "a", "name": [{"family": "X"}, {"family": "Y"}]}
    view = {"resource": "Patient", "select": [{"column": [column("family", "name.family")]}]}
    with pytest.raises(CardinalityError, match="column family has several values"):
        rows(request, engine, view, [patient])


@pytest.mark.parametrize("engine", ENGINES)
def test_strings_with_quotes_and_backslashes_survive_quoting(
    request: pytest.FixtureRequest, engine: str
) -> None:
    name = "O'Brien \\ Jr"
    patients = [
        {"resourceType": "Patient", "id": "a", "name": [{"family": name}]},
        {"resourceType": "Patient", "id": "b", "name": [{"family": "Other"}]},
    ]
    view = {
        "resource": "Patient",
        "constant": [{"name": "family", "valueString": name}],
        "select": [{"column": [column("id", "id"), column("it", "name.family.first()")]}],
        "where": [{"path": "name.where(family = %family).exists()"}],
    }
    assert rows(request, engine, view, patients) == [{"id": "a", "it": name}]


def test_columns_have_the_sql_type_of_their_fhir_type() -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE r (resource JSON)")
    view = parse_view(
        {
            "resource": "Patient",
            "select": [
                {
                    "column": [
                        column("id", "id"),
                        column("active", "active"),
                        column("births", "multipleBirth.ofType(integer)"),
                        column("born", "birthDate"),
                        column("given", "name.given", collection=True),
                        column("as_text", "active", type="string"),
                    ]
                }
            ],
        }
    )
    described = con.execute(f"DESCRIBE {compile_view(view, 'duckdb', 'r')}").fetchall()
    assert [(name, sql_type) for name, sql_type, *_ in described] == [
        ("id", "VARCHAR"),
        ("active", "BOOLEAN"),
        ("births", "INTEGER"),
        ("born", "VARCHAR"),
        ("given", "VARCHAR[]"),
        ("as_text", "VARCHAR"),
    ]


def test_duckdb_reads_resources_from_gzipped_ndjson(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "Patient.ndjson.gz"
    with gzip.open(path, "wt") as out:
        for patient in PATIENTS:
            out.write(json.dumps(patient) + "\n")
    con = duckdb.connect()
    con.execute(
        f"CREATE VIEW patients AS SELECT json AS resource FROM read_ndjson_objects('{path}')"
    )
    view = parse_view({"resource": "Patient", "select": [{"column": [column("id", "id")]}]})
    assert sorted(row["id"] for row in run_duckdb(con, view, "patients")) == ["a", "b", "c", "d"]


def test_the_compiled_query_is_one_select_over_the_relation() -> None:
    view = parse_view({"resource": "Patient", "select": [{"column": [column("id", "id")]}]})
    for sql in (
        compile_view(view, "duckdb", "bulk_patients"),
        compile_view(view, "spark", "bulk_patients"),
    ):
        assert sql.startswith("SELECT ") and ";" not in sql and "bulk_patients" in sql
