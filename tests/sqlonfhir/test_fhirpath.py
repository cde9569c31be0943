"""The FHIRPath parser: precedence, literals, invocations, and errors with their offsets."""

from __future__ import annotations

import pytest

from cluneal.sqlonfhir.fhirpath import FhirPathSyntaxError, parse
from cluneal.sqlonfhir.syntax import (
    Call,
    EmptyLit,
    Index,
    Lit,
    Member,
    Name,
    Neg,
    Op,
    Special,
    TypeOp,
    Var,
)


def test_member_access_chains_left_to_right() -> None:
    assert parse("name.given") == Member(Name("name"), "given")


def test_functions_take_their_target_and_arguments() -> None:
    assert parse("name.where(use = 'official').exists()") == Call(
        Call(Name("name"), "where", (Op("=", Name("use"), Lit("official", "string")),)),
        "exists",
        (),
    )


def test_a_function_without_target_applies_to_the_focus() -> None:
    assert parse("getResourceKey()") == Call(None, "getResourceKey", ())


def test_and_binds_tighter_than_or_and_comparison_tighter_than_and() -> None:
    assert parse("a = 1 or b and c") == Op(
        "or", Op("=", Name("a"), Lit(1, "integer")), Op("and", Name("b"), Name("c"))
    )


def test_multiplication_binds_tighter_than_addition() -> None:
    assert parse("1 + 2 * 3") == Op(
        "+", Lit(1, "integer"), Op("*", Lit(2, "integer"), Lit(3, "integer"))
    )


def test_operators_of_one_level_associate_left() -> None:
    assert parse("5 - 2 - 1") == Op(
        "-", Op("-", Lit(5, "integer"), Lit(2, "integer")), Lit(1, "integer")
    )


def test_implies_binds_loosest() -> None:
    assert parse("a implies b or c") == Op("implies", Name("a"), Op("or", Name("b"), Name("c")))


def test_indexes_constants_and_specials() -> None:
    assert parse("name[%i].given") == Member(Index(Name("name"), Var("i")), "given")
    assert parse("$this") == Special("this")
    assert parse("%`rowIndex`") == Var("rowIndex")


def test_literals_keep_their_types() -> None:
    assert parse("1.50") == Lit(1.5, "decimal")
    assert parse("true") == Lit(True, "boolean")
    assert parse("@2020-01") == Lit("2020-01", "date")
    assert parse("@2020-01-02T10:00:00Z") == Lit("2020-01-02T10:00:00Z", "dateTime")
    assert parse("@T12:30") == Lit("12:30", "time")
    assert parse("{}") == EmptyLit()


def test_strings_unescape() -> None:
    assert parse(r"'it\'s \u00e9\n'") == Lit("it's é\n", "string")


def test_unary_minus_and_type_operators() -> None:
    assert parse("-x") == Neg(Name("x"))
    assert parse("value is Quantity") == TypeOp("is", Name("value"), "Quantity")


def test_backticks_quote_identifiers() -> None:
    assert parse("`div`.x") == Member(Name("div"), "x")


@pytest.mark.parametrize(
    ("text", "offset"),
    [("@@", 0), ("name.", 5), ("name.where(use = )", 17), ("a b", 2), ("'open", 0), ("(a", 2)],
)
def test_it_reports_where_it_stopped(text: str, offset: int) -> None:
    with pytest.raises(FhirPathSyntaxError) as raised:
        parse(text)
    assert raised.value.offset == offset
