"""The pure de-identification: offsets, research ids, ages, coded values and scores."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest

from cluneal.core.record import (
    BlockData,
    DiaryDay,
    LinkData,
    PatientData,
    Record,
    TreatmentData,
    VisitData,
)
from cluneal.knowledge.loader import default_pack
from cluneal.registry import dictionary
from cluneal.registry.deid import (
    age_label,
    date_offset,
    deidentify,
    new_secret,
    research_id,
)

SECRET = "ab" * 32


def record(key: str, birth_year: int | None = None, sex: str = "male", **parts) -> Record:
    return Record(PatientData(key, "site", "P-1", birth_year, sex), **parts)


def visit(day: dt.date, **fields) -> VisitData:
    return VisitData(f"visit {day}", day, **fields)


def block(day: dt.date, **fields) -> BlockData:
    values = {"minutes_after": 30, "relief_days": Decimal("4.0")}
    values.update(fields)
    return BlockData(f"block {day}", day, "scn", "left", 8, 2, **values)


def export(*records: Record) -> dict:
    return deidentify(records, SECRET, default_pack())


def test_offsets_take_every_value_from_minus_182_to_182_except_0():
    offsets = {date_offset(SECRET, str(uuid.UUID(int=n))) for n in range(20_000)}
    assert offsets == set(range(-182, 0)) | set(range(1, 183))


def test_the_offset_and_the_id_depend_on_the_secret_and_the_key():
    key = str(uuid.UUID(int=1))
    other = new_secret()
    assert research_id(SECRET, key) != research_id(other, key)
    assert research_id(SECRET, key) != research_id(SECRET, str(uuid.UUID(int=2)))
    assert [date_offset(SECRET, str(uuid.UUID(int=n))) for n in range(8)] != [
        date_offset(other, str(uuid.UUID(int=n))) for n in range(8)
    ]


def test_a_research_id_is_r_and_16_hex_digits_and_not_the_key():
    key = str(uuid.uuid4())
    rid = research_id(SECRET, key)
    assert re.fullmatch(r"R[0-9a-f]{16}", rid)
    assert rid[1:] not in key.replace("-", "")


def test_new_secrets_are_256_random_bits():
    a, b = new_secret(), new_secret()
    assert len(bytes.fromhex(a)) == 32 and a != b


@pytest.mark.parametrize(
    ("birth_year", "on", "label"),
    [
        (1936, dt.date(2025, 12, 31), "89"),
        (1935, dt.date(2025, 1, 1), "90+"),
        (1900, dt.date(2025, 6, 1), "90+"),
        (2025, dt.date(2025, 6, 1), "0"),
        (2026, dt.date(2025, 6, 1), None),
        (None, dt.date(2025, 6, 1), None),
    ],
)
def test_ages_come_from_the_year_of_birth_and_stop_at_90_plus(birth_year, on, label):
    assert age_label(birth_year, on) == label


def test_rows_are_ordered_by_research_id_not_by_input():
    keys = [str(uuid.UUID(int=n)) for n in range(10)]
    tables = export(*(record(key=k, birth_year=None, sex="male") for k in keys))
    ids = [r["research_id"] for r in tables["patients"]]
    assert ids == sorted(research_id(SECRET, k) for k in keys)


def test_events_are_numbered_in_date_order_and_the_first_contact_is_the_earliest():
    late, early = dt.date(2025, 5, 1), dt.date(2024, 12, 30)
    patient = record(
        key="k",
        birth_year=1935,
        sex="female",
        visits=(visit(late, current_nrs=4), visit(dt.date(2025, 1, 2), current_nrs=6)),
        blocks=(block(early),),
    )
    tables = export(patient)
    assert [r["current_nrs"] for r in tables["visits"]] == [6, 4]
    assert [r["visit_number"] for r in tables["visits"]] == [1, 2]
    assert [r["age"] for r in tables["visits"]] == ["90+", "90+"]
    assert tables["patients"][0]["age_at_first_contact"] == "89"  # 2024 - 1935
    assert tables["patients"][0]["visits"] == 2


def test_scores_are_those_of_the_case_format_example():
    questionnaires = {
        "startback": [1, 0, 1, 1, 0, 1, 1, 0, 4],
        "odi": [2, 1, 3, 2, 2, None, 1, 0, 2, 3],
        "rmdq": [True, False, True],
    }
    patient = record(
        "k", None, "male", visits=(visit(dt.date(2025, 1, 1), questionnaires=questionnaires),)
    )
    row = export(patient)["visits"][0]
    # STarT Back: 1+0+1+1+0+1+1+0 and item 9 (4) counts 1 -> 6; items 5-9 -> 3; medium
    assert (row["startback_total"], row["startback_psychosocial"], row["startback_risk"]) == (
        6,
        3,
        "medium",
    )
    # ODI: 16 points over 9 answered sections of 5 -> 35.56 % -> 35.6
    assert (row["odi_percent"], row["odi_answered"]) == (35.6, 9)
    assert row["rmdq_score"] == 2


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        (["sitting", "walking"], "walking;sitting"),  # in the vocabulary's order
        ([], "none"),
        (["walking", "walking"], "walking"),
        (["walking", "Mr Smith's garden"], None),
        ("walking", None),
        ([1], None),
    ],
)
def test_a_list_of_codes_is_exported_only_when_every_item_is_a_code(value, exported):
    patient = record(
        "k", None, "male", visits=(visit(dt.date(2025, 1, 1), history={"aggravated_by": value}),)
    )
    assert export(patient)["visits"][0]["aggravated_by"] == exported


def test_the_pain_drawing_joins_both_views_and_the_recorded_pain_sites():
    drawn = {"back": {"left": ["buttock"]}, "front": {"left": ["knee", "groin"]}}
    history = {"pain_sites": {"left": ["low_back"], "right": []}}
    patient = record(
        "k", None, "male", visits=(visit(dt.date(2025, 1, 1), body_map=drawn, history=history),)
    )
    row = export(patient)["visits"][0]
    assert row["pain_left"] == "low_back;buttock;groin;knee"
    assert row["pain_right"] == "none"


def test_exam_values_of_the_wrong_type_are_left_out():
    exam = {"left": {"scn": {"tender": "yes", "distance_mm": True, "reproduces_complaint": 1}}}
    patient = record("k", None, "male", visits=(visit(dt.date(2025, 1, 1), exam=exam),))
    row = export(patient)["visits"][0]
    assert row["exam_left_scn_tender"] is None
    assert row["exam_left_scn_distance_mm"] is None
    assert row["exam_left_scn_reproduces_complaint"] is None


def test_treatment_codes_outside_the_vocabulary_are_left_out():
    treatment = TreatmentData("t", dt.date(2025, 1, 1), "acupuncture", "scn", "both", "")
    row = export(record("k", None, "male", treatments=(treatment,)))["treatments"][0]
    assert (row["kind"], row["nerve"], row["side"], row["outcome"]) == (None, "scn", None, None)


def test_a_block_s_decimal_volume_and_relief_are_exported_as_numbers():
    row = export(record("k", blocks=(block(dt.date(2025, 1, 1), volume_ml=Decimal("2.5")),)))
    assert (row["blocks"][0]["volume_ml"], row["blocks"][0]["relief_days"]) == (2.5, 4.0)


def test_nothing_identifying_in_the_record_is_read():
    day = dt.date(2025, 1, 1)
    identified = Record(
        PatientData("k", "site-uuid", "MRN-4411", 1960, "female", "Ada Quist", "555-0199"),
        visits=(visit(day, notes="Lives at 12 Elm Road", history={"duration_months": 6}),),
        blocks=(block(day, agent="Dr Finch's mix", guidance="ultrasound"),),
        links=(LinkData("link-uuid", "diary", f"block {day}", (DiaryDay(day, 3),)),),
    )
    text = repr(export(identified))
    for value in (
        "MRN-4411",
        "Ada Quist",
        "555-0199",
        "Elm Road",
        "Finch",
        "site-uuid",
        "link-uuid",
    ):
        assert value not in text


def _row(table: str, **changes) -> dict:
    row = {c.name: None for c in dictionary.columns(table)}
    row["research_id"] = "R" + "0" * 16
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("table", "changes"),
    [
        ("patients", {"sex": "Zebulon"}),
        ("patients", {"research_id": "3f2c9a7e-uuid"}),
        ("patients", {"age_at_first_contact": "95"}),
        ("patients", {"visits": True}),
        ("patients", {"visits": -1}),
        ("visits", {"current_nrs": 11}),
        ("visits", {"current_nrs": 5.5}),
        ("visits", {"aggravated_by": "walking;call 555-0100"}),
        ("visits", {"visit_date": dt.datetime(2025, 1, 1, 10, 0)}),
        ("visits", {"odi_percent": float("nan")}),
        ("blocks", {"guidance": "see notes"}),
    ],
)
def test_the_dictionary_gate_refuses_values_it_does_not_define(table, changes):
    with pytest.raises(ValueError, match=table):
        dictionary.check_row(table, _row(table, **changes))


def test_the_dictionary_gate_refuses_a_column_it_does_not_define():
    row = _row("patients")
    row["notes"] = None
    with pytest.raises(ValueError, match="notes"):
        dictionary.check_row("patients", row)


def test_the_dictionary_gate_accepts_a_valid_row():
    dictionary.check_row("patients", _row("patients", sex="female", age_at_first_contact="90+"))


def test_every_string_column_is_coded_or_patterned():
    for table, (columns, _what) in dictionary.TABLES.items():
        for c in columns:
            if c.kind == "string":
                assert c.codes or c.pattern is not None, f"{table}.{c.name}"
