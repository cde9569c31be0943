"""``cluneal notes``: JSON or marked text, exit status 2 for input that is no note."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cluneal.cli.notes import notes_command

NOTE = "HISTORY OF PRESENT ILLNESS: Left buttock pain. No tenderness over the iliac crests.\n"


def test_it_prints_the_findings_as_json(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(NOTE)
    result = CliRunner().invoke(notes_command, [str(path)])
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert out["format"] == "cluneal-notes/1"
    assert [(f["concept"], f["side"], f["negated"]) for f in out["findings"]] == [
        ("buttock_pain", "left", False),
        ("iliac_crest_tenderness", None, True),
    ]


def test_it_reads_standard_input_and_marks_the_text() -> None:
    result = CliRunner().invoke(notes_command, ["-", "--text"], input=NOTE)
    assert result.exit_code == 0
    assert "[[buttock pain]]{1}" in result.output
    assert "{2} iliac_crest_tenderness negated" in result.output


def test_an_empty_note_has_no_findings() -> None:
    result = CliRunner().invoke(notes_command, ["-"], input="")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"format": "cluneal-notes/1", "findings": []}


def test_binary_non_utf8_and_huge_input_exit_2(tmp_path: Path) -> None:
    for name, data in (
        ("binary", bytes(range(256))),
        ("latin1", "café, lumbago".encode("latin-1")),
        ("huge", b"low back pain " * (10 * 1024 * 1024 // 14)),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        result = CliRunner().invoke(notes_command, [str(path)])
        assert result.exit_code == 2, name
        assert "cluneal:" in result.output


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(notes_command, [str(tmp_path / "none.txt")])
    assert result.exit_code == 2


def test_full_reads_the_whole_note_and_finds_the_same(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text((NOTE + "Unrelated sentence.  PLAN: review in two weeks.\n") * 20)
    fast = CliRunner().invoke(notes_command, [str(path)])
    full = CliRunner().invoke(notes_command, [str(path), "--full"])
    assert fast.exit_code == full.exit_code == 0
    assert json.loads(fast.output) == json.loads(full.output)
    assert len(json.loads(full.output)["findings"]) == 2 * 20
