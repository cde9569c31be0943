"""cluneal screen end to end: the Synthea sample, a planted population, bad input."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cluneal.screening.notes as notes_module
from cluneal.knowledge.loader import default_pack
from cluneal.screening.evaluate import evaluate
from cluneal.screening.export import ScreenError
from cluneal.screening.pipeline import screen

PACK = default_pack()


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
    return subprocess.run(
        [sys.executable, "-m", "cluneal", "screen", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_synthea_sample_lists_its_two_chronic_back_pain_patients(synthea_dir, tmp_path):
    out = tmp_path / "out.csv"
    summary = screen(synthea_dir, out, PACK, as_of=__import__("datetime").date(2023, 3, 23))
    listed = rows(out)
    chronic = set()
    for line in (synthea_dir / "Condition.000.ndjson").read_text().splitlines():
        c = json.loads(line)
        if c["code"]["coding"][0]["code"] == "278860009":
            chronic.add(c["subject"]["reference"].split("/")[1])
    assert {r["patient_id"] for r in listed} == chronic
    assert summary.patients == 13
    notes = (synthea_dir / "DocumentReference.000.ndjson").read_text().splitlines()
    assert summary.notes == f"{len(notes)} clinical note(s) read"


def misplaced(out, population):
    """The listed patients whose tier is not the one the generator planted them in."""
    truth = {r["patient_id"]: r for r in rows(population / "truth.csv")}
    return {
        truth[r["patient_id"]]["kind"]
        for r in rows(out)
        if truth[r["patient_id"]]["expected_tier"] != r["tier"]
    }


def test_the_planted_patients_are_found_in_their_tiers(population, tmp_path):
    out = tmp_path / "out.csv"
    summary = screen(population, out, PACK)
    scores = {s.tier: s for s in evaluate(out, population / "truth.csv")}
    for tier in ("high", "medium", "low", "known"):
        assert (scores[tier].precision, scores[tier].recall) == (1.0, 1.0), tier
    assert misplaced(out, population) == set()
    assert summary.notes.endswith("clinical note(s) read")
    # Only a note names the entrapment of these: the reason quotes its words.
    truth = {r["patient_id"]: r for r in rows(population / "truth.csv")}
    in_note = [r for r in rows(out) if truth[r["patient_id"]]["kind"] == "known_in_note"]
    assert in_note
    assert all("DocumentReference/" in r["evidence"] for r in in_note)


def test_without_notes_the_cases_only_a_note_reveals_are_scored_on_their_codes(
    population, tmp_path
):
    out = tmp_path / "out.csv"
    summary = screen(population, out, PACK, read_notes=False)
    # a red flag only a note shows is missed too: --no-notes says so in the summary
    assert misplaced(out, population) == {"known_in_note", "red_flag_in_note"}
    assert summary.notes == "clinical notes were not read (--no-notes)"


def test_each_row_explains_itself_with_sources_and_evidence(population, tmp_path):
    out = tmp_path / "out.csv"
    screen(population, out, PACK)
    high = [r for r in rows(out) if r["tier"] == "high"]
    assert high
    for r in high:
        assert int(r["score"]) >= 6
        assert all("[" in reason and "]" in reason for reason in r["reasons"].split("; "))
        assert all("/" in ref for ref in r["evidence"].split(" "))
    tiers = [r["tier"] for r in rows(out)]
    flagged = tiers.index("red_flag")
    assert set(tiers[flagged:]) == {"red_flag"}, "red flags come after every candidate"
    scores = [int(r["score"]) for r in rows(out)][:flagged]
    assert scores == sorted(scores, reverse=True)


def test_a_red_flag_stops_the_suggestion_and_names_what_shows_it(population, tmp_path):
    out = tmp_path / "out.csv"
    summary = screen(population, out, PACK)
    truth = {r["patient_id"]: r for r in rows(population / "truth.csv")}
    flagged = [r for r in rows(out) if r["tier"] == "red_flag"]
    assert summary.tiers["red_flag"] == len(flagged) > 0
    for r in flagged:
        kind = truth[r["patient_id"]]["kind"]
        reasons = r["reasons"].split("; ")
        assert all(reason.startswith("Red flag: ") for reason in reasons), r
        assert r["score"] == "0"
        shown = "Condition/" if kind == "red_flag_coded" else "DocumentReference/"
        assert all(shown in reason for reason in reasons), r
        assert all("counts for 1 year" in x or "counts for 5 years" in x for x in reasons)
        assert all(ref.startswith(shown) for ref in r["evidence"].split(" "))
    kinds = {truth[r["patient_id"]]["kind"] for r in flagged}
    assert kinds == {"red_flag_coded", "red_flag_in_note"}
    # a red flag resolved, too old to count, or denied in a note changes nothing
    gone = [r for r in rows(out) if truth[r["patient_id"]]["kind"] == "red_flag_gone"]
    assert gone and {r["tier"] for r in gone} == {"medium"}


def test_parquet_output_holds_the_same_rows_as_csv(population, tmp_path):
    import duckdb

    screen(population, tmp_path / "out.csv", PACK)
    screen(population, tmp_path / "out.parquet", PACK)
    parquet = (
        duckdb.connect()
        .execute(f"SELECT * FROM read_parquet('{tmp_path / 'out.parquet'}')")
        .fetchall()
    )
    assert [tuple(str(x) for x in r) for r in parquet] == [
        tuple(r.values()) for r in rows(tmp_path / "out.csv")
    ]


@pytest.fixture
def broken(synthea_dir, tmp_path) -> Path:
    export = tmp_path / "export"
    shutil.copytree(synthea_dir, export)
    return export


def _append(path: Path, line: str) -> int:
    with path.open("a") as f:
        f.write(line + "\n")
    return len(path.read_text().splitlines())


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"resourceType": "Condition", "id": ', "not valid JSON"),
        (
            '{"resourceType": "Patient", "id": "intruder"}',
            "a 'Patient' resource in a Condition file",
        ),
    ],
)
def test_a_bad_line_stops_the_run_naming_file_and_line(broken, tmp_path, line, problem):
    number = _append(broken / "Condition.000.ndjson", line)
    out = tmp_path / "out.csv"
    result = cli(str(broken), "--out", str(out), "--as-of", "2023-03-23")
    assert result.returncode == 2
    assert f"Condition.000.ndjson:{number}: {problem}" in result.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".out.csv*"))


def test_skip_goes_on_and_counts_what_it_skipped(broken, tmp_path):
    number = _append(broken / "Condition.000.ndjson", "{not json")
    out = tmp_path / "out.csv"
    result = cli(str(broken), "--out", str(out), "--on-error", "skip", "--as-of", "2023-03-23")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["skipped"] == 1
    assert summary["skipped_examples"][0].startswith(f"Condition.000.ndjson:{number}:")
    assert len(rows(out)) == 2


def test_a_reference_to_a_missing_patient_is_bad_input(broken, tmp_path):
    orphan = {
        "resourceType": "Condition",
        "id": "orphan",
        "subject": {"reference": "Patient/ghost"},
        "code": {"text": "Low back pain"},
        "onsetDateTime": "2020-01-01",
    }
    _append(broken / "Condition.000.ndjson", json.dumps(orphan))
    out = tmp_path / "out.csv"
    failed = cli(str(broken), "--out", str(out))
    assert failed.returncode == 2
    assert "Condition/orphan -> Patient/ghost: no such patient in the export" in failed.stderr
    skipped = cli(str(broken), "--out", str(out), "--on-error", "skip")
    assert json.loads(skipped.stdout)["missing_patients"] == 1


def test_an_empty_or_unreadable_file_is_named(broken, tmp_path):
    (broken / "Procedure.001.ndjson").write_text("")
    (broken / "ServiceRequest.000.ndjson.gz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ScreenError) as caught:
        screen(broken, tmp_path / "out.csv", PACK)
    details = "\n".join(caught.value.details)
    assert "Procedure.001.ndjson: the file is empty" in details
    assert "ServiceRequest.000.ndjson.gz:1: cannot be read (not valid gzip" in details


def test_a_directory_that_is_not_an_export_is_refused(tmp_path):
    result = cli(str(tmp_path), "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 2
    assert "no Patient.*.ndjson file" in result.stderr
    assert cli(str(tmp_path / "nope"), "--out", str(tmp_path / "o.csv")).returncode == 2


def test_gzip_exports_are_read(synthea_dir, tmp_path):
    import gzip

    export = tmp_path / "gz"
    export.mkdir()
    for path in synthea_dir.glob("*.ndjson"):
        (export / f"{path.name}.gz").write_bytes(gzip.compress(path.read_bytes()))
    plain, zipped = tmp_path / "a.csv", tmp_path / "b.csv"
    screen(synthea_dir, plain, PACK)
    screen(export, zipped, PACK)
    assert plain.read_bytes() == zipped.read_bytes()


def test_the_result_does_not_depend_on_the_order_the_notes_come_in(
    population, tmp_path, monkeypatch
):
    in_order, shuffled = tmp_path / "in-order.csv", tmp_path / "shuffled.csv"
    screen(population, in_order, PACK)
    read_all = notes_module.read_all

    def read_shuffled(rows, *args, **kwargs):
        rows = list(rows)[::-1]
        return read_all(rows[1::2] + rows[::2], *args, **kwargs)  # reversed, then interleaved

    monkeypatch.setattr(notes_module, "read_all", read_shuffled)
    summary = screen(population, shuffled, PACK)
    assert summary.notes.endswith("clinical note(s) read")
    assert shuffled.read_bytes() == in_order.read_bytes()
