"""Reading a generated export back: for tests of the generator and of the screening."""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def read_lines(path: Path) -> list[str]:
    """The lines of an ``.ndjson`` or ``.ndjson.gz`` file."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return f.read().splitlines()
    return path.read_text(encoding="utf-8").splitlines()


def read_manifest(directory: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((directory / "manifest.json").read_text("utf-8"))
    return manifest


def read_resources(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """Every resource of the export by type, in the manifest's order of files."""
    out: dict[str, list[dict[str, Any]]] = {}
    for entry in read_manifest(directory)["output"]:
        lines = read_lines(directory / entry["url"])
        out.setdefault(entry["type"], []).extend(json.loads(x) for x in lines)
    return out


def read_truth(directory: Path) -> list[dict[str, str]]:
    """The rows of ``truth.csv``: patient_id, kind, expected_tier, features, description."""
    with (directory / "truth.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class Export:
    """A whole export in memory (small populations only)."""

    directory: Path
    manifest: dict[str, Any]
    resources: dict[str, list[dict[str, Any]]]
    truth: list[dict[str, str]]

    @classmethod
    def read(cls, directory: Path) -> Export:
        directory = Path(directory)
        return cls(
            directory, read_manifest(directory), read_resources(directory), read_truth(directory)
        )

    def by_patient(self) -> dict[str, list[dict[str, Any]]]:
        """Each patient's resources, the Patient first."""
        out: dict[str, list[dict[str, Any]]] = {}
        for rtype, items in self.resources.items():
            for r in items:
                pid = r["id"] if rtype == "Patient" else r["subject"]["reference"][8:]
                out.setdefault(pid, []).append(r)
        return out
