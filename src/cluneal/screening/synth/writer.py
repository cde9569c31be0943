"""Writing a Bulk Data export: numbered NDJSON files, the manifest, and the atomic hand-over.

Everything is written into a hidden directory beside the destination and renamed into place
only when complete, so an interrupted run leaves no half export at the destination (only the
hidden ``.<name>.*.partial`` directory, removed on any exception).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

#: Gzip level: 1 writes three to four times faster than the default 9 and is ~20% larger.
GZIP_LEVEL = 1


class OutputExistsError(ValueError):
    """The destination exists and is not empty (and overwriting was not asked for)."""


@dataclass(frozen=True)
class OutputFile:
    type: str
    name: str
    count: int


class _Open:
    def __init__(self, path: Path, compress: bool) -> None:
        self.raw: IO[bytes] = path.open("wb")
        self.out: IO[bytes] | gzip.GzipFile = self.raw
        if compress:
            self.out = gzip.GzipFile(
                filename=path.name.removesuffix(".gz"),
                mode="wb",
                compresslevel=GZIP_LEVEL,
                fileobj=self.raw,
                mtime=0,
            )
        self.lines = 0

    def close(self) -> None:
        if self.out is not self.raw:
            self.out.close()
        self.raw.close()


class NdjsonWriter:
    """Appends NDJSON text per resource type, starting a new numbered file every
    ``lines_per_file`` lines."""

    def __init__(self, directory: Path, lines_per_file: int, compress: bool) -> None:
        if lines_per_file < 1:
            raise ValueError("lines_per_file must be at least 1")
        self.directory = directory
        self.limit = lines_per_file
        self.compress = compress
        self.files: list[OutputFile] = []
        self._open: dict[str, _Open] = {}
        self._names: dict[str, str] = {}
        self._index: dict[str, int] = {}

    def _name(self, rtype: str) -> str:
        index = self._index.get(rtype, 0)
        self._index[rtype] = index + 1
        return f"{rtype}.{index:03d}.ndjson" + (".gz" if self.compress else "")

    def _finish(self, rtype: str) -> None:
        current = self._open.pop(rtype)
        current.close()
        self.files.append(OutputFile(rtype, self._names.pop(rtype), current.lines))

    def write(self, rtype: str, data: bytes, lines: int) -> None:
        """Append ``lines`` complete lines (each ending in a newline)."""
        start = 0
        while lines:
            current = self._open.get(rtype)
            if current is None:
                name = self._name(rtype)
                current = self._open[rtype] = _Open(self.directory / name, self.compress)
                self._names[rtype] = name
            room = self.limit - current.lines
            if lines <= room:
                current.out.write(data[start:] if start else data)
                current.lines += lines
                return
            end = start
            for _ in range(room):
                end = data.index(b"\n", end) + 1
            current.out.write(data[start:end])
            current.lines += room
            lines -= room
            start = end
            self._finish(rtype)

    def close(self) -> list[OutputFile]:
        for rtype in list(self._open):
            self._finish(rtype)
        order = {t: i for i, t in enumerate(dict.fromkeys(f.type for f in self.files))}
        return sorted(self.files, key=lambda f: (order[f.type], f.name))


def manifest(
    files: list[OutputFile], transaction_time: str, request: str, extension: dict[str, Any]
) -> dict[str, Any]:
    """A Bulk Data export manifest; ``url`` is each file's name relative to the manifest."""
    return {
        "transactionTime": transaction_time,
        "request": request,
        "requiresAccessToken": False,
        "output": [{"type": f.type, "url": f.name, "count": f.count} for f in files],
        "error": [],
        "extension": extension,
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check_destination(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputExistsError(f"{out_dir} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise OutputExistsError(f"{out_dir} already exists and is not empty")


@contextmanager
def staging(out_dir: Path, overwrite: bool = False) -> Iterator[Path]:
    """A temporary directory beside ``out_dir`` that becomes ``out_dir`` when the block ends
    without an exception, and is removed when it raises."""
    out_dir = Path(out_dir)
    check_destination(out_dir, overwrite)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent))
    try:
        yield tmp
        check_destination(out_dir, overwrite)
        old = None
        if out_dir.is_dir() and any(out_dir.iterdir()):
            old = Path(
                tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent)
            )
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
