"""Naming the bad lines of an export: file, line and what is wrong, the first few of them, and
counts for the rest.

The engines count the lines they could not use; this scan, run only when they did, finds which
lines those are by the same rules: a line is bad when it is not a JSON object, holds a resource
of another type than its file, or holds a malformed value at a place a view reads
(:mod:`cluneal.sqlonfhir.validate`). It reads one line at a time and keeps at most
``limit`` examples, so memory stays flat however many bad lines there are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cluneal.screening.export import REPORT_LIMIT, Export, Unreadable, is_blank, read_lines
from cluneal.sqlonfhir.validate import Place, describe, problem

#: The places the views read, by resource type.
Reads = dict[str, tuple[Place, ...]]


@dataclass
class BadLines:
    count: int = 0
    examples: list[str] = field(default_factory=list)
    by_file: dict[str, int] = field(default_factory=dict)

    def add(self, where: str, file_name: str, limit: int) -> None:
        self.count += 1
        self.by_file[file_name] = self.by_file.get(file_name, 0) + 1
        if len(self.examples) < limit:
            self.examples.append(where)

    def report(self) -> list[str]:
        """The examples, then how many more there are in each file."""
        lines = list(self.examples)
        if self.count > len(self.examples):
            counts = ", ".join(f"{n:,} in {name}" for name, n in sorted(self.by_file.items()))
            lines.append(f"... {self.count - len(self.examples):,} more; in all {counts}")
        return lines


def bad_lines(export: Export, reads: Reads, limit: int = REPORT_LIMIT) -> BadLines:
    """Every bad line of the export's files, counted; the first ``limit`` as
    'file:line: problem'."""
    found = BadLines()
    for resource_type, paths in export.files.items():
        read = reads.get(resource_type, ())
        for path in paths:
            try:
                for number, line in read_lines(path):
                    why = line_problem(line, resource_type, read)
                    if why:
                        found.add(f"{path.name}:{number}: {why}", path.name, limit)
            except Unreadable as exc:
                found.add(str(exc), path.name, limit)
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def line_problem(line: str, resource_type: str, read: tuple[Place, ...]) -> str | None:
    if is_blank(line):
        return None
    try:
        value = json.loads(line, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg})"
    except (ValueError, RecursionError) as exc:
        return f"not valid JSON ({exc})"
    if not isinstance(value, dict):
        return "not a JSON object"
    found = value.get("resourceType")
    if found != resource_type:
        shown = repr(found) if isinstance(found, str) and len(found) <= 40 else describe(found)
        return f"a {shown} resource in a {resource_type} file"
    return problem(value, read)
