"""``cluneal assess`` and ``cluneal knowledge`` run as a user runs them: as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def cluneal(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    full_env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cluneal", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )


def test_it_prints_the_assessment_json_of_a_valid_case(example_path: Path):
    result = cluneal("assess", str(example_path))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["format"] == "cluneal-assessment/1"
    scn_left = next(n for n in out["nerves"] if n["nerve"] == "scn" and n["side"] == "left")
    assert (scn_left["status"], scn_left["stage"]) == ("confirmed", "radiofrequency")


def test_it_reads_the_case_from_stdin_with_a_dash(example_path: Path):
    result = cluneal("assess", "-", stdin=example_path.read_text())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["case_id"] == "any string"


def test_it_prints_a_readable_summary_with_text(example_path: Path):
    result = cluneal("assess", "--text", str(example_path))
    assert result.returncode == 0
    assert "not a diagnosis" in result.stdout
    assert "SCN left" in result.stdout and "radiofrequency" in result.stdout
    assert "E7" in result.stdout  # every step cites its source


def test_it_exits_2_and_lists_every_problem_of_an_invalid_case(tmp_path: Path, example_path: Path):
    bad: dict[str, Any] = json.loads(example_path.read_text())
    bad["blocks"][0]["nrs_before"] = 11
    bad["patient"]["sex"] = "x"
    bad["history"]["colour"] = "blue"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = cluneal("assess", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "blocks[0].nrs_before: must be an integer from 0 to 10" in result.stderr
    assert "patient.sex: must be one of female, male, other, unknown" in result.stderr
    assert "history.colour: unknown field" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_exits_2_on_malformed_json_naming_line_and_column(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "cluneal-case/1",\n "id": }')
    result = cluneal("assess", str(path))
    assert result.returncode == 2
    assert "line 2 column" in result.stderr and str(path) in result.stderr


@pytest.mark.parametrize("content", ["", "   \n"])
def test_it_exits_2_on_empty_input(content: str):
    result = cluneal("assess", "-", stdin=content)
    assert result.returncode == 2
    assert "empty" in result.stderr


def test_it_exits_2_on_a_missing_file(tmp_path: Path):
    result = cluneal("assess", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_it_exits_2_on_an_unknown_block_definition(example_path: Path):
    result = cluneal("assess", str(example_path), "--block-definition", "magic")
    assert result.returncode == 2
    assert "block_definition: must be one of relief50" in result.stderr


def test_the_block_definition_option_changes_the_result(tmp_path: Path):
    case = {
        "format": "cluneal-case/1",
        "blocks": [
            {"date": "2026-01-05", "nerve": "scn", "side": "left", "nrs_before": 10, "nrs_after": 4}
        ],
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))

    def status(*options: str) -> str:
        out = json.loads(cluneal("assess", str(path), *options).stdout)
        return next(
            n["status"] for n in out["nerves"] if n["nerve"] == "scn" and n["side"] == "left"
        )

    assert status() == "confirmed"  # 60% relief >= 50%
    assert status("--block-definition", "kiral2024") == "unlikely"  # 60% < 70%


def test_a_site_pack_named_by_the_environment_is_used(tmp_path: Path, example_path: Path):
    pack = tmp_path / "site.json"
    pack.write_text(
        json.dumps(
            {
                "extends": "cluneal-default",
                "name": "st-elsewhere",
                "version": "3",
                "settings": {"block_definition": "kiral2024"},
            }
        )
    )
    result = cluneal("assess", str(example_path), env={"CLUNEAL_KNOWLEDGE": str(pack)})
    knowledge = json.loads(result.stdout)["knowledge"]
    assert knowledge["pack"] == "st-elsewhere" and knowledge["version"] == "3"
    assert knowledge["block_definition"] == "kiral2024"


def test_a_broken_site_pack_exits_2_naming_file_and_path(tmp_path: Path, example_path: Path):
    pack = tmp_path / "site.json"
    pack.write_text(
        json.dumps(
            {
                "extends": "cluneal-default",
                "name": "bad",
                "version": "1",
                "settings": {"block_definition": "nonsense"},
            }
        )
    )
    result = cluneal("assess", str(example_path), env={"CLUNEAL_KNOWLEDGE": str(pack)})
    assert result.returncode == 2
    assert f"{pack}: settings.block_definition.value: must be one of" in result.stderr


def test_knowledge_lists_criteria_sets_sources_and_thresholds():
    result = cluneal("knowledge")
    assert result.returncode == 0
    for expected in ("kuniya2014_scn", "isu2018_scn", "maigne1997_scn", "isu2018_mcn"):
        assert expected in result.stdout
    assert "block_definition = relief50" in result.stdout
    assert "scn_window_mm = [50, 90]" in result.stdout
    assert "S1    Kuniya 2014" in result.stdout


def test_knowledge_json_marks_the_active_block_definition():
    out = json.loads(cluneal("knowledge", "--json").stdout)
    active = [d["id"] for d in out["block_definitions"] if d["active"]]
    assert active == ["relief50"]


@pytest.mark.parametrize("command", [[], ["assess"], ["knowledge"], ["serve"]])
def test_help_explains_each_command(command: list[str]):
    result = cluneal(*command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout and len(result.stdout) > 300
