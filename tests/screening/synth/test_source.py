from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from cluneal.screening.synth import SourceError, generate
from cluneal.screening.synth.reading import read_lines
from cluneal.screening.synth.source import load_source

COPIED = ("Patient", "Encounter", "Condition", "Procedure", "DocumentReference")


@pytest.fixture
def copy(tmp_path: Path, sample: Path) -> Path:
    """A writable copy of the sample's files that the generator reads."""
    out = tmp_path / "sample"
    out.mkdir()
    for rtype in COPIED:
        shutil.copy(sample / f"{rtype}.000.ndjson", out)
    return out


def _break_line(path: Path, number: int, text: str) -> None:
    lines = read_lines(path)
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n")


def test_it_reads_every_patient_of_the_sample(sample: Path) -> None:
    patients = load_source(sample)
    assert len(patients) == 13
    assert sum(len(p.resources["Encounter"]) for p in patients) == 1215


def test_it_reads_gzipped_and_numbered_files(copy: Path) -> None:
    conditions = read_lines(copy / "Condition.000.ndjson")
    (copy / "Condition.000.ndjson").write_text("\n".join(conditions[:100]) + "\n")
    (copy / "Condition.001.ndjson").write_text("\n".join(conditions[100:]) + "\n")
    with gzip.open(copy / "Procedure.000.ndjson.gz", "wt") as f:
        f.write((copy / "Procedure.000.ndjson").read_text())
    (copy / "Procedure.000.ndjson").unlink()
    patients = load_source(copy)
    assert sum(len(p.resources["Condition"]) for p in patients) == 555
    assert sum(len(p.resources["Procedure"]) for p in patients) == 2056


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="nowhere: is not a directory") as caught:
        generate(tmp_path / "nowhere", tmp_path / "out", 5, 1)
    assert isinstance(caught.value, ValueError)
    assert not (tmp_path / "out").exists()


def test_a_missing_file_is_named(copy: Path, tmp_path: Path) -> None:
    (copy / "Encounter.000.ndjson").unlink()
    with pytest.raises(SourceError, match=r"Encounter\.000\.ndjson: missing") as caught:
        generate(copy, tmp_path / "out", 5, 1)
    assert caught.value.file.endswith("Encounter.000.ndjson")


def test_a_line_that_is_not_json_is_named_with_its_number(copy: Path, tmp_path: Path) -> None:
    _break_line(copy / "Condition.000.ndjson", 3, '{"resourceType": "Condition", ')
    with pytest.raises(SourceError, match=r"Condition\.000\.ndjson:3: not valid JSON") as caught:
        generate(copy, tmp_path / "out", 5, 1)
    assert caught.value.line == 3


def test_a_resource_of_the_wrong_type_is_named(copy: Path, tmp_path: Path) -> None:
    _break_line(copy / "Procedure.000.ndjson", 2, json.dumps({"resourceType": "Basic", "id": "x"}))
    with pytest.raises(SourceError, match=r"Procedure\.000\.ndjson:2: resourceType is 'Basic'"):
        generate(copy, tmp_path / "out", 5, 1)


def test_a_resource_of_no_known_patient_is_named(copy: Path, tmp_path: Path) -> None:
    path = copy / "DocumentReference.000.ndjson"
    note = json.loads(read_lines(path)[0])
    note["subject"] = {"reference": "Patient/somebody-else"}
    _break_line(path, 1, json.dumps(note))
    with pytest.raises(SourceError, match=r"DocumentReference\.000\.ndjson:1: .* Patient of"):
        generate(copy, tmp_path / "out", 5, 1)


def test_a_sample_with_nobody_to_plant_into_is_refused(copy: Path, tmp_path: Path) -> None:
    children = [
        line
        for line in read_lines(copy / "Patient.000.ndjson")
        if json.loads(line)["birthDate"] >= "2007"
    ]
    (copy / "Patient.000.ndjson").write_text("\n".join(children) + "\n")
    for rtype in COPIED[1:]:
        path = copy / f"{rtype}.000.ndjson"
        keep = [x for x in read_lines(path) if any(json.loads(c)["id"] in x for c in children)]
        path.write_text("\n".join(keep) + "\n")
    with pytest.raises(SourceError, match="no living adult patient without back pain"):
        generate(copy, tmp_path / "out", 5, 1)
