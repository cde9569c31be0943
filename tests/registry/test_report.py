"""The whole report: an empty cohort, a single patient and a synthetic registry all give every
table and figure without error; suppression; files written atomically."""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings

import pytest

from cluneal.core.case import Finding
from cluneal.knowledge.loader import default_pack
from cluneal.registry import report, synth
from cluneal.registry.cohort import (
    BlockRecord,
    Cohort,
    Exam,
    PatientRecord,
    Score,
    TreatmentRecord,
)

PACK = default_pack()
D0 = dt.date(2024, 5, 2)
TABLES = {
    "flow",
    "block_relief",
    "block_kuniya",
    "relief_duration",
    "km_summary",
    "km_block",
    "km_surgery",
    "km_radiofrequency",
    "km_block_at_risk",
    "km_surgery_at_risk",
    "km_radiofrequency_at_risk",
    "surgery_by_relief",
    "questionnaires",
}


def one_patient() -> Cohort:
    p = PatientRecord(
        "only",
        "A",
        visits=(D0, D0 + dt.timedelta(days=200)),
        exams=(Exam(D0, "scn", "left", Finding(True, 70, True)),),
        blocks=(BlockRecord(D0, "scn", "left", 8, 2, 30.0, 5.0),),
        treatments=(
            TreatmentRecord(
                D0 + dt.timedelta(days=60),
                "surgical_release",
                "scn",
                "left",
                "improved",
                None,
                D0 + dt.timedelta(days=200),
            ),
        ),
        scores=(Score(D0, "nrs", 8), Score(D0 + dt.timedelta(days=200), "nrs", 2)),
    )
    return Cohort((p,), sites=("A",))


@pytest.mark.parametrize("cohort", [Cohort(()), one_patient()], ids=["empty", "single"])
def test_every_table_and_figure_is_made_without_error(cohort):
    r = report.build(cohort, PACK)
    assert {t.name for t in r.tables} == TABLES
    for t in r.tables:
        assert next(csv.reader(io.StringIO(t.csv()))) == [c.name for c in t.columns]
    for name in report.FIGURE_TITLES:
        svg = r.svg(name)
        assert svg.startswith("<svg") and "<path" in svg and "style=" not in svg
    assert report.summary(r).startswith("Cluneal registry report")


def test_a_single_patient_is_counted_through_the_flow():
    r = report.build(one_patient(), PACK)
    assert [r.flow.n("scn", s) for s in ("assessed", "suspected", "confirmed", "operated")] == [
        1,
        1,
        1,
        1,
    ]
    assert r.curves["block"].n == 1 and r.curves["surgery"].n == 1
    assert r.comparison.verdict.startswith("Not estimable")


def test_the_empty_report_says_there_is_no_data():
    r = report.build(Cohort(()), PACK)
    assert "No data in this selection" in r.svg("km_block")
    assert r.table("km_block").rows == ()


def test_suppression_withholds_small_counts_in_tables_and_figures():
    r = report.build(one_patient(), PACK, min_cell=5)
    assert r.table("flow").cell("Assessed", "scn_n") == "<5"
    assert r.table("flow").cell("Assessed", "scn_pct_assessed") is None
    assert "not shown (small-cell suppression)" in r.svg("km_block")
    exact = report.build(one_patient(), PACK, min_cell=0)
    assert exact.table("flow").cell("Assessed", "scn_n") == 1


def test_suppression_reaches_the_notes_and_the_statistics_resting_on_small_counts():
    r = report.build(one_patient(), PACK, min_cell=5)
    assert (
        r.table("flow").notes[0].startswith("Patients who entered the registry in the period: <5.")
    )
    assert r.comparison.verdict.startswith("Not estimable: <5 operated nerve-sides")
    assert r.table("km_block").rows == ((5.0, "<5", "<5", 0, None, None, None),)
    assert not [n for n in r.table("km_block").notes if n.startswith("At ")]
    assert not [n for n in r.table("relief_duration").notes if n.startswith("Median")]
    exact = report.build(one_patient(), PACK)
    assert (
        exact.table("flow")
        .notes[0]
        .startswith("Patients who entered the registry in the period: 1.")
    )
    assert [n for n in exact.table("km_block").notes if n.startswith("At 1 days: 100.0 %")]


def test_files_are_png_pdf_svg_and_csv():
    content = report.files(report.build(synth.generate(300, 1).cohort, PACK))
    assert content["km_block.png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert content["km_block.pdf"].startswith(b"%PDF-")
    assert b"<svg" in content["km_block.svg"]
    assert content["flow.csv"].startswith(b"step,definition,scn_n")
    assert set(content) >= {f"{n}.{x}" for n in report.FIGURE_TITLES for x in ("png", "pdf")}


def test_rendering_is_reproducible():
    a = report.files(report.build(synth.generate(100, 4).cohort, PACK), formats=("svg", "pdf"))
    b = report.files(report.build(synth.generate(100, 4).cohort, PACK), formats=("svg", "pdf"))
    assert a == b


def test_write_leaves_complete_files_and_no_temporary_ones(tmp_path):
    out = tmp_path / "report"
    written = report.write(report.build(synth.generate(80, 2).cohort, PACK), out)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    assert (out / "summary.txt").read_text().startswith("Cluneal registry report")


def test_a_failure_while_rendering_writes_nothing(tmp_path, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(report.figures, "render", broken)
    out = tmp_path / "report"
    with pytest.raises(RuntimeError):
        report.write(report.build(Cohort(()), PACK), out)
    assert not out.exists() or not list(out.iterdir())


def test_relief_that_ended_at_once_draws_without_warnings():
    p = PatientRecord("a", "A", blocks=(BlockRecord(D0, "scn", "left", 8, 2, 30.0, 0.0),))
    r = report.build(Cohort((p,)), PACK)
    assert r.curves["block"].survival == (0.0,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "<path" in r.svg("km_block")
