"""A FHIR Bulk Data export on disk: its files by resource type, and the bad input in them.

The engines read the files themselves (fast, in parallel); this module finds them, refuses an
unreadable or empty file at once, and, when an engine reports bad lines, finds each one's file and
line number with a plain scan of that file only.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: The resource types the screening reads.
TYPES = ("Patient", "Condition", "Procedure", "ServiceRequest", "DocumentReference")
FILE_NAME = re.compile(r"^(?P<type>[A-Z][A-Za-z]+)(?:\.[\w-]+)*\.ndjson(?:\.gz)?$")
REPORT_LIMIT = 20


class ScreenError(Exception):
    """Bad input that stops the run (exit status 2): every line names the file and line."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        self.details = details or []
        super().__init__(message)


@dataclass
class Export:
    root: Path
    files: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def bytes(self) -> int:
        return sum(p.stat().st_size for paths in self.files.values() for p in paths)

    def of(self, resource_type: str) -> list[Path]:
        return self.files.get(resource_type, [])


def open_text(path: Path) -> Iterator[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="strict") as f:  # type: ignore[operator]
        yield from f


def discover(root: Path) -> Export:
    """The export's NDJSON files by type; :class:`ScreenError` for a missing directory, no
    Patient file, or a file that cannot be read or is empty."""
    if not root.is_dir():
        raise ScreenError(f"{root}: no such directory")
    export = Export(root)
    problems = []
    for path in sorted(root.iterdir()):
        match = FILE_NAME.match(path.name)
        if not match or match["type"] not in TYPES or not path.is_file():
            continue
        try:
            with path.open("rb") as f:
                head = f.read(64)
            if path.name.endswith(".gz") and head:
                with gzip.open(path, "rb") as g:
                    head = g.read(64)
        except (OSError, EOFError) as exc:
            problems.append(f"{path.name}: cannot be read ({exc})")
            continue
        if not head.strip():
            problems.append(f"{path.name}: the file is empty")
            continue
        export.files.setdefault(match["type"], []).append(path)
    if problems:
        raise ScreenError(f"{root}: unreadable or empty files", problems)
    if not export.of("Patient"):
        raise ScreenError(f"{root}: no Patient.*.ndjson file: not a Bulk Data export")
    return export


def line_count(paths: list[Path]) -> int:
    """Non-blank lines in the files (used in skip mode, where an engine drops bad lines)."""
    return sum(1 for path in paths for line in open_text(path) if line.strip())


def bad_lines(export: Export, limit: int = REPORT_LIMIT) -> tuple[list[str], int]:
    """Lines that are not JSON objects, or hold a resource of another type than their file:
    the first ``limit`` as 'file:line: problem', and how many there are in all."""
    found: list[str] = []
    count = 0
    for resource_type, paths in export.files.items():
        for path in paths:
            try:
                lines = list(enumerate(open_text(path), start=1))
            except (OSError, UnicodeDecodeError, EOFError) as exc:
                count += 1
                found.append(f"{path.name}: cannot be read ({exc})")
                continue
            for number, line in lines:
                problem = _line_problem(line, resource_type)
                if problem:
                    count += 1
                    if len(found) < limit:
                        found.append(f"{path.name}:{number}: {problem}")
    return found, count


def _line_problem(line: str, resource_type: str) -> str | None:
    if not line.strip():
        return None
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        return f"not valid JSON ({exc.msg if isinstance(exc, json.JSONDecodeError) else exc})"
    if not isinstance(value, dict):
        return "not a JSON object"
    if value.get("resourceType") != resource_type:
        return f"a {value.get('resourceType')!r} resource in a {resource_type} file"
    return None
