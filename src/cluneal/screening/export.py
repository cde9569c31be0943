"""A FHIR Bulk Data export on disk: its files by resource type, each read through one opener.

:func:`read_lines` is the one place where a file is opened, decompressed (``.gz``) and decoded
(strict UTF-8): whatever goes wrong there (a truncated or corrupt gzip stream, a bad CRC, a file
named ``.gz`` that is not gzip, bytes that are not UTF-8, a line too long to hold) becomes an
:class:`Unreadable` error naming the file and the line. :func:`scan` reads every file once
through it before an engine starts, counting its lines: the engines then read only files known
to be readable, and the same lines.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: The resource types the screening reads.
TYPES = ("Patient", "Condition", "Procedure", "ServiceRequest", "DocumentReference")
FILE_NAME = re.compile(r"^(?P<type>[A-Z][A-Za-z]+)(?:\.[\w-]+)*\.ndjson(?:\.gz)?$")
#: Examples of bad input reported at most; the rest are counted.
REPORT_LIMIT = 20
#: The longest line read (bytes): one resource, a note's attachments inline included.
MAX_LINE = 64 * 1024 * 1024
#: What a blank line may hold (JSON white space); blank lines are not resources.
BLANK = b" \t\r\n"


class ScreenError(Exception):
    """Bad input that stops the run (exit status 2): every line names the file and line."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        self.details = details or []
        super().__init__(message)


class Unreadable(ScreenError):
    """A file that cannot be decompressed or decoded, from the line named on."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path.name}:{line}: cannot be read ({reason})")


@dataclass
class Export:
    root: Path
    files: dict[str, list[Path]] = field(default_factory=dict)
    #: Non-blank lines per resource type (:func:`scan`).
    lines: dict[str, int] = field(default_factory=dict)
    #: Files left out in skip mode, each as 'file:line: why'.
    skipped_files: list[str] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(p.stat().st_size for paths in self.files.values() for p in paths)

    def of(self, resource_type: str) -> list[Path]:
        return self.files.get(resource_type, [])


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The file's lines, numbered from 1, as text (line ends kept); :class:`Unreadable` at the
    first line that cannot be read. Memory holds one line at a time, at most :data:`MAX_LINE`."""
    number = 0
    try:
        with gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb") as f:
            while raw := f.readline(MAX_LINE + 1):
                number += 1
                if len(raw) > MAX_LINE:
                    raise Unreadable(path, number, f"a line longer than {MAX_LINE:,} bytes")
                yield number, raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(path, number, f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise Unreadable(path, number + 1, _reason(exc)) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "the gzip data ends early: the file is truncated"
    if isinstance(exc, gzip.BadGzipFile):
        return f"not valid gzip: {exc}"
    if isinstance(exc, zlib.error):
        return f"corrupt gzip data: {exc}"
    return getattr(exc, "strerror", None) or str(exc)


def is_blank(line: str) -> bool:
    return not line.strip(BLANK.decode())


def discover(root: Path) -> Export:
    """The export's NDJSON files by type; :class:`ScreenError` for a missing directory."""
    if not root.is_dir():
        raise ScreenError(f"{root}: no such directory")
    export = Export(root)
    for path in sorted(root.iterdir()):
        match = FILE_NAME.match(path.name)
        if match and match["type"] in TYPES and path.is_file():
            export.files.setdefault(match["type"], []).append(path)
    return export


def scan(export: Export, *, skip: bool) -> None:
    """Read every file once (:func:`read_lines`) and count its non-blank lines. A file that
    cannot be read, or holds no line, stops the run with all of them named (:class:`ScreenError`);
    with ``skip`` it is left out and named in ``export.skipped_files``. Either way the export
    must keep a Patient file."""
    problems: list[str] = []
    if not export.of("Patient"):
        raise ScreenError(f"{export.root}: no Patient.*.ndjson file: not a Bulk Data export")
    for resource_type, paths in list(export.files.items()):
        kept = []
        for path in paths:
            try:
                count = sum(1 for _, line in read_lines(path) if not is_blank(line))
            except Unreadable as exc:
                problems.append(str(exc))
                continue
            if count == 0:
                problems.append(f"{path.name}: the file is empty")
                continue
            kept.append(path)
            export.lines[resource_type] = export.lines.get(resource_type, 0) + count
        export.files[resource_type] = kept
    if problems and not skip:
        raise ScreenError(f"{export.root}: unreadable or empty files", problems)
    export.skipped_files = [f"{p}: the file was skipped" for p in problems]
    if not export.of("Patient"):
        raise ScreenError(
            f"{export.root}: no readable Patient.*.ndjson file: every one was skipped",
            problems,
        )
