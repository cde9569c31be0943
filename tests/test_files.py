"""Files are written whole or not at all, and a temporary file never stays behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cluneal.files import atomic_path, write_atomically


def test_a_written_file_replaces_the_old_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    write_atomically(target, "new,é\n")
    assert target.read_text(encoding="utf-8") == "new,é\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("error", [RuntimeError("engine failed"), KeyboardInterrupt()])
def test_an_error_while_writing_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, error: BaseException
) -> None:
    target = tmp_path / "candidates.parquet"
    target.write_bytes(b"before")

    def write_half_then_fail() -> None:
        with atomic_path(target) as temp:
            temp.write_bytes(b"half a fi")
            raise error

    with pytest.raises(type(error)):
        write_half_then_fail()
    assert target.read_bytes() == b"before"
    assert [p.name for p in tmp_path.iterdir()] == ["candidates.parquet"]


def test_the_temporary_file_is_its_owners_alone_until_asked_otherwise(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "backup.sqlite3") as temp:
        assert stat.S_IMODE(temp.stat().st_mode) == 0o600
        temp.write_bytes(b"data")
    assert stat.S_IMODE((tmp_path / "backup.sqlite3").stat().st_mode) == 0o600
    old = os.umask(0o022)
    try:
        write_atomically(tmp_path / "table.csv", "a\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "table.csv").stat().st_mode) & 0o044 == 0o044
