"""The data dictionary describes the files exactly, and the documentation shows the dictionary."""

from __future__ import annotations

from pathlib import Path

import pytest

from cluneal.registry import dictionary

TABLES = ("patients", "visits", "blocks", "treatments")
#: How each dictionary type reads back through DuckDB.
DUCKDB = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
}


@pytest.fixture
def files(cast, export_as, unzip):
    return unzip(export_as(cast.client("rita"), cast.site_a).content)


@pytest.mark.django_db
def test_the_dictionary_file_lists_every_column_of_every_csv_in_order(files, csv_rows):
    listed = csv_rows(files["data_dictionary.csv"])
    for table in TABLES:
        header = files[f"{table}.csv"].decode().splitlines()[0].split(",")
        assert header == [r["column"] for r in listed if r["file"] == table]
    assert {r["file"] for r in listed} == set(TABLES)
    assert all(r["type"] and r["description"] for r in listed)


@pytest.mark.django_db
def test_parquet_columns_have_the_dictionarys_types(files, csv_rows, parquet_table):
    listed = csv_rows(files["data_dictionary.csv"])
    for table in TABLES:
        schema, _rows = parquet_table(files[f"{table}.parquet"])
        expected = [(r["column"], DUCKDB[r["type"]]) for r in listed if r["file"] == table]
        assert schema == expected, table


@pytest.mark.django_db
def test_csv_and_parquet_hold_the_same_values(files, csv_rows, parquet_table):
    def text(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value).lower()
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    for table in TABLES:
        _schema, rows = parquet_table(files[f"{table}.parquet"])
        from_csv = [list(r.values()) for r in csv_rows(files[f"{table}.csv"])]
        assert [[text(v) for v in row] for row in rows] == from_csv, table
        assert rows, table


@pytest.fixture
def documentation(checkout: Path) -> str:
    return (checkout / "docs" / "research-exports.md").read_text(encoding="utf-8")


def test_the_documentation_shows_the_current_dictionary(documentation):
    text = documentation
    start, end = "<!-- data-dictionary:start -->\n", "<!-- data-dictionary:end -->"
    assert start in text and end in text
    shown = text.split(start, 1)[1].split(end, 1)[0]
    assert shown == dictionary.markdown(), "run: cluneal research dictionary --markdown"


def test_the_documentation_maps_all_18_safe_harbor_identifiers(documentation):
    text = documentation
    rows = [
        line for line in text.splitlines() if line[:4] in {f"| {c} " for c in "ABCDEFGHIJKLMNOPQR"}
    ]
    assert [row[2] for row in rows] == list("ABCDEFGHIJKLMNOPQR")
