"""`python -m cluneal.nlp.evaluate`: the table for a good file, exit 2 naming the file and line
for every kind of bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from cluneal.nlp.evaluate import main


def test_a_good_file_prints_its_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "set.txt"
    path.write_text("# a comment\nShe has [low back pain](low_back_pain).\n", encoding="utf-8")
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 sentences, 1 findings")
    assert "low_back_pain" in out


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "ok\nShe has [low back pain](low_back_pian).\n",
            "line 2: unknown concept 'low_back_pian'",
        ),
        ("She has [low back pain](low_back_pain leftt).\n", "line 1: unknown attribute(s)"),
        ("ok\n\nShe has [low back pain](Low back).\n", "line 3: malformed markup"),
    ],
)
def test_bad_markup_names_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, problem: str
) -> None:
    path = tmp_path / "set.txt"
    path.write_text(text, encoding="utf-8")
    assert main([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"{path}: {problem}")
    assert captured.out == ""


@pytest.mark.parametrize("content", [None, b"\xff\xfe bad bytes"])
def test_a_file_that_cannot_be_read_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None
) -> None:
    path = tmp_path / "set.txt"
    if content is not None:
        path.write_bytes(content)
    assert main([str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"{path}: cannot be read")


@pytest.mark.parametrize(("argv", "code"), [(["--help"], 0), ([], 2), (["a", "b"], 2)])
def test_usage(argv: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == code
    captured = capsys.readouterr()
    assert "ANNOTATED.txt" in captured.out + captured.err
