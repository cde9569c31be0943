"""parse_view: strict checking of ViewDefinitions, every problem reported with its JSON path."""

from __future__ import annotations

from typing import Any

import pytest

from cluneal.sqlonfhir import parse_view
from cluneal.validation import Invalid


def problems(view: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(Invalid) as raised:
        parse_view(view)
    return {problem.path: problem.message for problem in raised.value.problems}


def patient(*selects: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"resource": "Patient", "select": list(selects), **extra}


ID = {"column": [{"name": "id", "path": "id"}]}


def test_it_reads_a_valid_view_with_typed_columns_in_order() -> None:
    view = parse_view(
        patient(
            {"column": [{"name": "id", "path": "getResourceKey()"}]},
            {"forEach": "name", "column": [{"name": "family", "path": "family"}]},
            {"column": [{"name": "born", "path": "birthDate"}]},
            {"column": [{"name": "alive", "path": "deceased.ofType(boolean).not()"}]},
        )
    )
    assert [(c.name, c.type, c.kind) for c in view.columns] == [
        ("id", "id", "string"),
        ("family", "string", "string"),
        ("born", "date", "string"),
        ("alive", "boolean", "boolean"),
    ]


def test_it_rejects_unknown_keys_at_each_level() -> None:
    found = problems(
        patient({"column": [{"name": "id", "path": "id", "colour": "red"}], "each": "x"}, selct=[])
    )
    assert found == {
        "selct": "unknown key",
        "select[0].each": "unknown key",
        "select[0].column[0].colour": "unknown key",
    }


def test_it_rejects_bad_column_names() -> None:
    found = problems(
        patient({"column": [{"name": "1st", "path": "id"}, {"name": "a-b", "path": "id"}]})
    )
    assert set(found) == {"select[0].column[0].name", "select[0].column[1].name"}
    assert "a letter" in found["select[0].column[0].name"]


def test_it_rejects_invalid_fhirpath_with_the_offset() -> None:
    found = problems(patient({"column": [{"name": "id", "path": "name.where(use = )"}]}))
    assert "offset 17" in found["select[0].column[0].path"]


def test_it_rejects_an_unknown_resource_type() -> None:
    assert problems({"resource": "Patiente", "select": [ID]}) == {
        "resource": "unknown resource type Patiente",
    }


def test_it_requires_resource_and_select() -> None:
    assert problems({}) == {"resource": "is required", "select": "is required"}


def test_it_rejects_an_undefined_constant() -> None:
    found = problems(patient({"forEach": "name.where(use = %nope)", "column": ID["column"]}))
    assert "undefined constant %nope" in found["select[0].forEach"]


def test_it_rejects_a_constant_of_the_wrong_type() -> None:
    found = problems(patient(ID, constant=[{"name": "n", "valueInteger": "1"}]))
    assert found == {"constant[0].valueInteger": "is not a valid integer"}


def test_it_rejects_a_where_path_that_is_not_boolean() -> None:
    found = problems(patient(ID, where=[{"path": "name.family"}]))
    assert "returns string, not a boolean" in found["where[0].path"]


def test_it_rejects_union_branches_whose_columns_differ() -> None:
    a_b = {"column": [{"name": "a", "path": "id"}, {"name": "b", "path": "id"}]}
    b_a = {"column": [{"name": "b", "path": "id"}, {"name": "a", "path": "id"}]}
    found = problems(patient({"unionAll": [a_b, b_a]}))
    assert found == {"select[0].unionAll[1]": "columns (b, a) differ from unionAll[0] (a, b)"}


def test_it_rejects_a_column_name_used_twice() -> None:
    assert problems(patient(ID, ID)) == {"select": "column name id is used twice"}


def test_it_rejects_two_iterations_on_one_select() -> None:
    found = problems(patient({"forEach": "name", "forEachOrNull": "name", "column": ID["column"]}))
    assert found == {"select[0]": "has both forEach and forEachOrNull"}


def test_it_rejects_a_column_of_a_complex_type() -> None:
    found = problems(patient({"column": [{"name": "n", "path": "name.first()"}]}))
    assert found == {"select[0].column[0].path": "returns HumanName, not a primitive value"}


def test_it_rejects_a_choice_element_without_of_type() -> None:
    found = problems(
        {"resource": "Observation", "select": [{"column": [{"name": "v", "path": "value"}]}]}
    )
    assert "needs ofType()" in found["select[0].column[0].path"]


def test_it_rejects_unsupported_functions() -> None:
    found = problems(patient({"column": [{"name": "n", "path": "name.descendants()"}]}))
    assert "unsupported FHIRPath function descendants()" in found["select[0].column[0].path"]


def test_it_reports_every_problem_at_once() -> None:
    found = problems(
        patient(
            {"column": [{"name": "ok", "path": "id"}, {"name": "", "path": "@@"}]},
            {"forEach": 1, "column": ID["column"]},
            status="done",
        )
    )
    assert set(found) == {
        "status",
        "select[0].column[1].name",
        "select[0].column[1].path",
        "select[1].forEach",
    }


def test_unknown_elements_are_empty_not_errors() -> None:
    view = parse_view(patient({"column": [{"name": "x", "path": "nothingHere.at.all"}]}))
    assert view.columns[0].type == "string"
