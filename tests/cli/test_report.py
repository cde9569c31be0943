"""``cluneal report --synthetic``, run as a user runs it: as a subprocess, no database."""

from __future__ import annotations

import os
import subprocess
import sys


def cluneal(*args: str, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
    return subprocess.run(
        [sys.executable, "-m", "cluneal", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
        cwd=cwd,
    )


def test_it_prints_a_summary_and_writes_tables_and_figures(tmp_path):
    out = tmp_path / "out"
    result = cluneal("report", "--synthetic", "400", "--seed", "9", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Patients: 400" in result.stdout
    assert "Cohort flow (patients)" in result.stdout
    assert f"files written to {out}" in result.stdout
    names = {p.name for p in out.iterdir()}
    assert {"flow.csv", "km_block.png", "km_block.pdf", "km_block.svg", "summary.txt"} <= names


def test_it_selects_a_synthetic_site_and_a_period():
    result = cluneal(
        "report",
        "--synthetic",
        "300",
        "--site",
        "North Clinic (synthetic)",
        "--from",
        "2020-01-01",
        "--to",
        "2020-12-31",
    )
    assert result.returncode == 0, result.stderr
    assert "North Clinic (synthetic); entry 2020-01-01 to 2020-12-31" in result.stdout


def test_suppression_can_be_asked_for():
    result = cluneal("report", "--synthetic", "200", "--min-cell", "5")
    assert result.returncode == 0, result.stderr
    assert "shown as <5" in result.stdout


def test_bad_input_exits_2_naming_the_option(tmp_path):
    cases = [
        (("--from", "2020-02-30"), "--from"),
        (("--to", "yesterday"), "--to"),
        (("--from", "2021-01-01", "--to", "2020-01-01"), "--to"),
        (("--site", "Nowhere"), "--site"),
        (("--min-cell", "-1"), "--min-cell"),
    ]
    for args, option in cases:
        result = cluneal("report", "--synthetic", "10", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert option in result.stderr, (args, result.stderr)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    result = cluneal("report", "--synthetic", "10", "--out", str(a_file))
    assert result.returncode == 2 and "--out" in result.stderr
