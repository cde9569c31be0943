"""Every value a view reads is checked against its FHIR type, the same way in Python and in the
SQL of both engines: malformed values of every kind are named, well-formed ones pass."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cluneal.sqlonfhir import parse_view
from cluneal.sqlonfhir.duckdb_sql import DuckDB
from cluneal.sqlonfhir.spark_sql import Spark
from cluneal.sqlonfhir.validate import places, predicate, problem

VIEW = parse_view(
    {
        "resourceType": "ViewDefinition",
        "name": "checked",
        "resource": "Patient",
        "status": "active",
        "select": [
            {
                "column": [
                    {"name": "id", "path": "getResourceKey()", "type": "string"},
                    {"name": "birth", "path": "birthDate", "type": "date"},
                    {"name": "gender", "path": "gender", "type": "code"},
                    {"name": "active", "path": "active", "type": "boolean"},
                    {"name": "births", "path": "multipleBirth.ofType(integer)", "type": "integer"},
                    {"name": "died", "path": "deceased.ofType(dateTime)", "type": "dateTime"},
                    {"name": "family", "path": "name.family.first()", "type": "string"},
                    {"name": "since", "path": "meta.lastUpdated", "type": "instant"},
                ]
            }
        ],
    }
)
READ = places([VIEW])
GOOD = {
    "resourceType": "Patient",
    "id": "p1",
    "birthDate": "1970-02-28",
    "gender": "female",
    "active": True,
    "multipleBirthInteger": 2,
    "deceasedDateTime": "2020-02-29T10:00:00+01:00",
    "name": [{"family": "Doe", "given": ["Jane"]}],
    "meta": {"lastUpdated": "2021-01-01T00:00:00Z"},
}

#: (path, value, what the problem says), for values that are not of the place's type.
MALFORMED = [
    ("birthDate", "2020-02-30", 'birthDate: "2020-02-30" is not a date (no such day)'),
    ("birthDate", "2021-13-01", 'birthDate: "2021-13-01" is not a date (the form is'),
    ("birthDate", "2019-02-29", "(no such day)"),
    ("birthDate", "2000-04-31", "(no such day)"),
    ("birthDate", "1970-01-01T00:00:00Z", "is not a date (the form is"),
    ("birthDate", "", 'birthDate: "" is not a date'),
    ("birthDate", "0000", "is not a date"),
    ("birthDate", "2020-2-3", "is not a date"),
    ("birthDate", "2020-02-03\n", "is not a date"),
    ("birthDate", {"y": 2020}, "birthDate: an object is not a date"),
    ("birthDate", ["2020-01-01"], "birthDate: a list is not a date"),
    ("birthDate", 20200101, "birthDate: the number 20200101 is not a date"),
    ("birthDate", True, "birthDate: true is not a date"),
    ("deceasedDateTime", "2020-02-30T10:00:00Z", "(no such day)"),
    ("deceasedDateTime", "2020-02-03T10:00", "is not a dateTime (the form is"),
    ("deceasedDateTime", "2020-02-03T10:00:00+15:00", "is not a dateTime"),
    ("deceasedDateTime", "2020-02-03T24:00:00Z", "is not a dateTime"),
    ("deceasedDateTime", {"value": "2020"}, "deceasedDateTime: an object is not a dateTime"),
    ("meta.lastUpdated", "2020-02", 'meta.lastUpdated: "2020-02" is not an instant'),
    ("meta.lastUpdated", "2020-02-03", "is not an instant"),
    ("gender", {"code": "female"}, "gender: an object is not a code"),
    ("gender", ["female"], "gender: a list is not a code"),
    ("gender", 1, "gender: the number 1 is not a code"),
    ("gender", False, "gender: false is not a code"),
    ("id", 12, "id: the number 12 is not an id"),
    ("active", "true", 'active: "true" is not a boolean'),
    ("active", 1, "active: the number 1 is not a boolean"),
    ("active", [True], "active: a list is not a boolean"),
    ("multipleBirthInteger", "2", 'multipleBirthInteger: "2" is not an integer'),
    ("multipleBirthInteger", 2.5, "is not an integer"),
    ("multipleBirthInteger", 1e2, "is not an integer"),
    ("multipleBirthInteger", 2**31, "(a whole number within 32 bits)"),
    ("multipleBirthInteger", True, "multipleBirthInteger: true is not an integer"),
    ("name", {"family": "Doe"}, "name: an object where a list of HumanName belongs"),
    ("name", "Doe", 'name: "Doe" where a list of HumanName belongs'),
    ("name", ["Doe"], 'name[0]: "Doe" where a HumanName (a JSON object) belongs'),
    ("name", [{"family": "Doe"}, {"family": ["Roe"]}], "name[1].family: a list is not a string"),
    ("name", [{"family": 7}], "name[0].family: the number 7 is not a string"),
    ("meta", "2021", 'meta: "2021" where a Meta (a JSON object) belongs'),
    ("meta", [{"lastUpdated": "2021-01-01T00:00:00Z"}], "meta: a list where a Meta"),
]

#: Values that are well formed, partial dates and JSON null (read as absent) among them.
WELL_FORMED = [
    ("birthDate", "2020"),
    ("birthDate", "2020-02"),
    ("birthDate", "2020-02-29"),
    ("birthDate", "2000-02-29"),
    ("birthDate", None),
    ("deceasedDateTime", "2020-02-03T23:59:60.123Z"),
    ("deceasedDateTime", "2020-02-03T10:00:00-14:00"),
    ("deceasedDateTime", "2020-12"),
    ("multipleBirthInteger", -(2**31)),
    ("multipleBirthInteger", 0),
    ("name", []),
    ("name", [None, {"given": ["x"]}]),
    ("gender", "a code with spaces"),
    ("meta", {}),
]


def resource(path: str, value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    target = out
    for key in parents:
        target = target[key]
    target[last] = value
    return out


CASES = [(resource(path, value), said) for path, value, said in MALFORMED] + [
    (resource(path, value), None) for path, value in WELL_FORMED
]
IDS = [f"{p}={json.dumps(v)}" for p, v, _ in MALFORMED] + [
    f"{p}={json.dumps(v)}" for p, v in WELL_FORMED
]


@pytest.mark.parametrize(("value", "said"), CASES, ids=IDS)
def test_it_names_each_malformed_value_and_passes_well_formed_ones(value, said):
    found = problem(value, READ)
    if said is None:
        assert found is None
    else:
        assert found is not None and said in found, found


def test_it_passes_the_good_resource():
    assert problem(GOOD, READ) is None


def test_duckdb_drops_exactly_the_resources_python_names():
    import duckdb

    con = duckdb.connect()
    sql = predicate(READ, DuckDB(), "resource")
    rows = [[json.dumps(value)] for value, _ in CASES]
    con.execute("CREATE TABLE t (n INTEGER, resource JSON)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [[i, *r] for i, r in enumerate(rows)])
    kept = [ok for _, ok in con.execute(f"SELECT n, {sql} FROM t ORDER BY n").fetchall()]
    assert kept == [said is None for _, said in CASES]


@pytest.mark.spark
def test_spark_drops_exactly_the_resources_python_names(spark_session):
    sql = predicate(READ, Spark(), "resource")
    rows = [(i, json.dumps(value)) for i, (value, _) in enumerate(CASES)]
    spark_session.createDataFrame(rows, "n int, resource string").createOrReplaceTempView("v")
    kept = [r[1] for r in spark_session.sql(f"SELECT n, {sql} FROM v ORDER BY n").collect()]
    assert kept == [said is None for _, said in CASES]
