"""Declarative JSON formats: one annotated dataclass gives the reader, the writer and the schema."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

import jsonschema
import pytest

from cluneal.knowledge.jsonformat import Format, Record
from cluneal.knowledge.jsonspec import Date, Integer, Keyed, ListOf, Nullable, OneOf, Text
from cluneal.validation import Invalid

SIDES = ("left", "right")


@dataclass(frozen=True)
class Visit:
    date: Annotated[dt.date, Date()]
    side: Annotated[str, OneOf(SIDES)]
    pain: Annotated[int | None, Integer(0, 10)] = None


@dataclass(frozen=True)
class Chart:
    name: Annotated[str | None, Text()] = None
    visits: Annotated[tuple[Visit, ...], ListOf(Record(Visit))] = ()
    scores: Annotated[tuple[int | None, ...] | None, ListOf(Nullable(Integer(0, 5)), max_len=3)] = (
        None
    )
    sites: Annotated[dict[str, tuple[str, ...]] | None, Keyed(SIDES, ListOf(Text()), absent=())] = (
        None
    )
    exam: Annotated[dict[str, dict[str, int]], Keyed(SIDES, Keyed(("scn",), Integer()))] = field(
        default_factory=dict
    )


CHART = Format("chart/1", Chart, what="chart")
DOCUMENT = {
    "format": "chart/1",
    "name": "A",
    "visits": [{"date": "2026-01-02", "side": "left", "pain": 3}],
    "scores": [1, None],
    "sites": {"left": ["back"], "right": []},
    "exam": {"right": {"scn": 3}},
}


def problems(data: Any) -> list[str]:
    with pytest.raises(Invalid) as caught:
        CHART.parse(data)
    return [str(p) for p in caught.value.problems]


def test_it_reads_a_document_into_its_dataclass() -> None:
    assert CHART.parse(DOCUMENT) == Chart(
        "A",
        (Visit(dt.date(2026, 1, 2), "left", 3),),
        (1, None),
        {"left": ("back",), "right": ()},
        {"right": {"scn": 3}},
    )


def test_it_writes_the_document_it_read() -> None:
    assert CHART.dump(CHART.parse(DOCUMENT)) == DOCUMENT


def test_it_reads_36_0_as_the_integer_36_as_json_schema_does() -> None:
    visit = {"date": "2026-01-02", "side": "left", "pain": 6.0}
    (read,) = CHART.parse({"format": "chart/1", "visits": [visit]}).visits
    assert read.pain == 6 and isinstance(read.pain, int)


def test_absent_or_null_reads_as_the_default() -> None:
    absent = CHART.parse({"format": "chart/1"})
    null = CHART.parse({"format": "chart/1", "name": None, "visits": None, "exam": None})
    assert absent == null == Chart()


def test_it_leaves_out_what_writes_as_the_default_and_keeps_an_empty_list_apart_from_none() -> None:
    assert CHART.dump(Chart()) == {"format": "chart/1"}
    assert CHART.dump(Chart(scores=())) == {"format": "chart/1", "scores": []}


def test_a_key_set_to_absent_is_filled_and_an_object_with_nothing_known_is_left_out() -> None:
    chart = CHART.parse({"format": "chart/1", "sites": {}, "exam": {"left": {}}})
    assert chart.sites == {"left": (), "right": ()}
    assert chart.exam == {}


def test_it_lists_every_problem_by_its_path_with_what_is_missing_first() -> None:
    assert problems(
        {
            "format": "chart/2",
            "extra": 1,
            "visits": [{"side": "middle", "pain": 11}, None],
            "scores": [6, None, 1, 2],
            "exam": {"left": {"scn": "x"}},
        }
    ) == [
        "extra: unknown field",
        'format: must be "chart/1"',
        "visits[0].date: is required",
        "visits[0].side: must be one of left, right",
        "visits[0].pain: must be an integer from 0 to 10",
        "visits[1]: must be an object",
        "scores: must have at most 3 items (has 4)",
        "scores[0]: must be an integer from 0 to 5",
        "exam.left.scn: must be an integer",
    ]


def test_a_document_that_is_not_an_object_is_one_problem() -> None:
    assert problems([]) == ["a chart must be a JSON object"]


def test_a_document_without_its_format_is_refused() -> None:
    assert problems({"name": "A"}) == ["format: is required"]


def test_the_schema_accepts_and_refuses_what_the_reader_does() -> None:
    schema = CHART.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(DOCUMENT, schema)
    jsonschema.validate({"format": "chart/1", "name": None, "exam": {"left": None}}, schema)
    for bad in ({"format": "chart/1", "visits": [{"side": "left"}]}, {"format": "chart/2"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
        with pytest.raises(Invalid):
            CHART.parse(bad)


def test_the_schema_requires_fields_without_a_default_and_lets_the_others_be_null() -> None:
    visit = Record(Visit).schema()
    assert visit["required"] == ["date", "side"]
    assert visit["properties"]["pain"] == {
        "anyOf": [{"type": "integer", "minimum": 0, "maximum": 10}, {"type": "null"}]
    }
    assert visit["additionalProperties"] is False


def test_fields_required_and_optional_choose_the_shape_of_one_use() -> None:
    dated = Record(Visit, fields=("side", "date"), optional=("date",))
    schema = dated.schema()
    assert list(schema["properties"]) == ["side", "date"]
    assert schema["required"] == ["side"]


def test_a_field_without_a_spec_is_a_mistake_of_the_definition() -> None:
    @dataclass(frozen=True)
    class Bare:
        name: str

    with pytest.raises(TypeError, match=r"Bare\.name"):
        Record(Bare).schema()
