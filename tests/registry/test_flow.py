"""The cohort flow on hand-built patients: each step's definition, nesting, and the
data-quality row."""

from __future__ import annotations

import datetime as dt

from cluneal.core.case import Finding
from cluneal.knowledge.loader import default_pack
from cluneal.registry.cohort import BlockRecord, Cohort, Exam, PatientRecord, TreatmentRecord
from cluneal.registry.flow import cohort_flow, flow_table, nerve_steps

PACK = default_pack()
D0 = dt.date(2024, 3, 1)
SUSPECT_SCN = Finding(tender=True, distance_mm=70, reproduces_complaint=True)


def exam(nerve: str, side: str, finding: Finding) -> Exam:
    return Exam(D0, nerve, side, finding)


def block(nerve: str, side: str, after: int, days: int = 0) -> BlockRecord:
    return BlockRecord(D0 + dt.timedelta(days=days), nerve, side, 8, after)


def treat(kind: str, nerve: str = "scn", side: str = "left") -> TreatmentRecord:
    return TreatmentRecord(D0 + dt.timedelta(days=90), kind, nerve, side, "improved")


def test_each_step_follows_its_definition():
    p = PatientRecord(
        "p",
        "A",
        exams=(exam("scn", "left", SUSPECT_SCN), exam("mcn", "left", Finding(tender=False))),
        blocks=(block("scn", "left", 2), block("scn", "left", 3, 7)),
        treatments=(treat("surgical_release"), treat("radiofrequency")),
    )
    assert nerve_steps(p, "scn", PACK) == {
        "assessed",
        "suspected",
        "confirmed",
        "repeated_blocks",
        "operated",
        "radiofrequency",
    }
    assert nerve_steps(p, "mcn", PACK) == {"assessed"}


def test_a_tender_point_outside_the_window_is_assessed_but_not_suspected():
    far = Finding(tender=True, distance_mm=150, reproduces_complaint=True)
    p = PatientRecord("p", "A", exams=(exam("scn", "right", far),))
    assert nerve_steps(p, "scn", PACK) == {"assessed"}
    assert nerve_steps(p, "mcn", PACK) == set()


def test_a_block_counts_as_suspicion_and_a_negative_one_confirms_nothing():
    p = PatientRecord("p", "A", blocks=(block("mcn", "right", 7),))
    assert nerve_steps(p, "mcn", PACK) == {"assessed", "suspected"}


def test_repeated_blocks_must_be_on_a_confirmed_side():
    p = PatientRecord(
        "p",
        "A",
        blocks=(block("scn", "left", 2), block("scn", "right", 7), block("scn", "right", 7, 7)),
    )
    assert "repeated_blocks" not in nerve_steps(p, "scn", PACK)


def test_treatment_without_block_confirmation_is_a_data_quality_row_not_a_step():
    p = PatientRecord(
        "p", "A", exams=(exam("scn", "left", SUSPECT_SCN),), treatments=(treat("neurectomy"),)
    )
    assert nerve_steps(p, "scn", PACK) == {"assessed", "suspected", "treated_unconfirmed"}


def test_counts_per_nerve_and_for_either_nerve():
    both = PatientRecord(
        "both",
        "A",
        exams=(exam("scn", "left", SUSPECT_SCN),),
        blocks=(block("scn", "left", 2), block("mcn", "right", 1)),
    )
    scn_only = PatientRecord("scn", "A", exams=(exam("scn", "right", SUSPECT_SCN),))
    not_examined = PatientRecord("none", "A", visits=(D0,))
    flow = cohort_flow(Cohort((both, scn_only, not_examined)), PACK)
    assert flow.patients == 3
    assert [flow.n("scn", s) for s in ("assessed", "suspected", "confirmed")] == [2, 2, 1]
    assert [flow.n("mcn", s) for s in ("assessed", "suspected", "confirmed")] == [1, 1, 1]
    assert [flow.n("any", s) for s in ("assessed", "suspected", "confirmed")] == [2, 2, 1]
    table = flow_table(flow)
    assert table.cell("Block-confirmed", "scn_pct_parent") == 50.0
    assert table.cell("Block-confirmed", "any_pct_assessed") == 50.0
    assert table.cell("Assessed", "scn_pct_parent") is None


def test_an_empty_cohort_gives_zero_counts_and_no_percentages():
    table = flow_table(cohort_flow(Cohort(()), PACK))
    assert table.column("scn_n") == [0] * 7
    assert set(table.column("any_pct_assessed")) == {None}
