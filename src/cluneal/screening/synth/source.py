"""Reading the Synthea sample that the synthetic population is made from.

The sample is a FHIR Bulk Data export (``<Type>.000.ndjson``, optionally more numbered files or
``.ndjson.gz``). Only the types the population copies are read; every line must be a JSON object
of the file's type with an ``id``, and every resource must point at a Patient of the sample.
Anything else raises :class:`SourceError`, which names the file and line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The types copied from the sample, each with the element naming its patient.
SUBJECT = {
    "Patient": None,
    "Encounter": "subject",
    "Condition": "subject",
    "Procedure": "subject",
    "DocumentReference": "subject",
}


class SourceError(ValueError):
    """The source directory is not a usable Synthea export; ``file`` names the culprit."""

    def __init__(self, file: Path | str, message: str, line: int | None = None) -> None:
        self.file = str(file)
        self.line = line
        where = self.file if line is None else f"{self.file}:{line}"
        super().__init__(f"{where}: {message}")


@dataclass
class SourcePatient:
    """One patient of the sample with their resources, by type, in file order."""

    patient: dict[str, Any]
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.patient["id"])


def _files(source_dir: Path, rtype: str) -> list[Path]:
    found = sorted(source_dir.glob(f"{rtype}.*.ndjson")) + sorted(
        source_dir.glob(f"{rtype}.*.ndjson.gz")
    )
    if not found:
        raise SourceError(source_dir / f"{rtype}.000.ndjson", f"missing: no {rtype} file")
    return found


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as f:
                yield from enumerate(f, start=1)
        else:
            with path.open(encoding="utf-8") as f:
                yield from enumerate(f, start=1)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise SourceError(path, f"cannot be read: {exc}") from None


def read_resources(path: Path, rtype: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The resources of one NDJSON file with their line numbers, each checked to be an object
    of ``rtype`` with an id."""
    for number, line in _lines(path):
        if not line.strip():
            continue
        try:
            resource = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(path, f"not valid JSON ({exc.msg})", number) from None
        if not isinstance(resource, dict):
            raise SourceError(path, "each line must be a JSON object", number)
        if resource.get("resourceType") != rtype:
            found = resource.get("resourceType")
            raise SourceError(path, f"resourceType is {found!r}, expected {rtype!r}", number)
        if not isinstance(resource.get("id"), str) or not resource["id"]:
            raise SourceError(path, f"{rtype} without an id", number)
        yield number, resource


def _subject(resource: dict[str, Any], element: str) -> str | None:
    ref = resource.get(element)
    if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
        text: str = ref["reference"]
        if text.startswith("Patient/"):
            return text.removeprefix("Patient/")
    return None


def load_source(source_dir: Path) -> list[SourcePatient]:
    """Every patient of the sample with their Encounters, Conditions, Procedures and notes."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise SourceError(source_dir, "is not a directory")
    patients: dict[str, SourcePatient] = {}
    for path in _files(source_dir, "Patient"):
        for _, resource in read_resources(path, "Patient"):
            patients[resource["id"]] = SourcePatient(resource, {t: [] for t in SUBJECT})
    if not patients:
        raise SourceError(_files(source_dir, "Patient")[0], "holds no Patient")
    for rtype, element in SUBJECT.items():
        if element is None:
            continue
        for path in _files(source_dir, rtype):
            for number, resource in read_resources(path, rtype):
                pid = _subject(resource, element)
                if pid is None or pid not in patients:
                    raise SourceError(
                        path,
                        f"{rtype}/{resource['id']} does not point at a Patient of the sample",
                        number,
                    )
                patients[pid].resources[rtype].append(resource)
    return [patients[pid] for pid in sorted(patients)]
