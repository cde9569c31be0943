from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from cluneal.screening.synth import OutputExistsError, Summary, generate
from cluneal.screening.synth.reading import Export, read_lines

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TYPES = {
    "Patient",
    "Encounter",
    "Condition",
    "Procedure",
    "ServiceRequest",
    "Observation",
    "DocumentReference",
}


def _bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _joined(directory: Path, rtype: str) -> list[str]:
    return [x for p in sorted(directory.glob(f"{rtype}.*.ndjson*")) for x in read_lines(p)]


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path, sample: Path) -> None:
    first = generate(sample, tmp_path / "a", 120, 5, planted_share=0.1)
    generate(sample, tmp_path / "b", 120, 5, planted_share=0.1)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert first.as_of == dt.date(2023, 3, 23)  # the day after the sample's latest date


def test_another_seed_writes_another_population(tmp_path: Path, sample: Path) -> None:
    generate(sample, tmp_path / "a", 120, 5)
    generate(sample, tmp_path / "b", 120, 6)
    a, b = _bytes(tmp_path / "a"), _bytes(tmp_path / "b")
    assert a.keys() >= {"Patient.000.ndjson", "truth.csv"}
    assert a["Patient.000.ndjson"] != b["Patient.000.ndjson"]
    assert a["truth.csv"] != b["truth.csv"]


def test_it_writes_every_type_with_the_patient_count_asked_for(
    export: Export, summary: Summary
) -> None:
    assert set(export.resources) == TYPES
    assert len(export.resources["Patient"]) == 300
    assert summary.resources == {t: len(rs) for t, rs in export.resources.items()}


def test_every_id_is_new_and_unique(export: Export, sample: Path) -> None:
    ids = [r["id"] for rs in export.resources.values() for r in rs]
    assert len(ids) == len(set(ids))
    copied = ("Patient", "Encounter", "Condition", "Procedure", "DocumentReference")
    source = {json.loads(x)["id"] for t in copied for x in read_lines(sample / f"{t}.000.ndjson")}
    text = "".join(p.read_text() for p in export.directory.glob("*.ndjson"))
    assert not source & set(UUID.findall(text))


def test_every_reference_resolves_within_the_same_patient(export: Export) -> None:
    owner = {("Patient", r["id"]): r["id"] for r in export.resources["Patient"]}
    for rtype, items in export.resources.items():
        if rtype != "Patient":
            owner |= {(rtype, r["id"]): r["subject"]["reference"][8:] for r in items}
    checked = 0

    def walk(node: object, patient: str) -> None:
        nonlocal checked
        if isinstance(node, dict):
            ref = node.get("reference")
            if isinstance(ref, str) and "?" not in ref:
                rtype, _, rid = ref.partition("/")
                assert owner.get((rtype, rid)) == patient, ref
                checked += 1
            for value in node.values():
                walk(value, patient)
        elif isinstance(node, list):
            for item in node:
                walk(item, patient)

    for pid, resources in export.by_patient().items():
        for r in resources:
            walk(r, pid)
    assert checked > 3 * len(export.resources["Encounter"])


def test_the_manifest_counts_are_the_line_counts(export: Export) -> None:
    m = export.manifest
    assert m["transactionTime"] == "2024-06-01T00:00:00Z"
    assert m["requiresAccessToken"] is False
    assert m["request"].endswith("$export?_type=" + ",".join(e["type"] for e in m["output"]))
    assert m["error"] == []
    for entry in m["output"]:
        assert entry["url"] == f"{entry['type']}.000.ndjson"
        assert entry["count"] == len(read_lines(export.directory / entry["url"]))
    written = {p.name for p in export.directory.iterdir()}
    assert written == {e["url"] for e in m["output"]} | {"manifest.json", "truth.csv"}


def test_files_are_split_at_the_line_limit_without_changing_the_lines(
    tmp_path: Path, sample: Path
) -> None:
    generate(sample, tmp_path / "one", 60, 3, planted_share=0.2)
    generate(sample, tmp_path / "split", 60, 3, planted_share=0.2, lines_per_file=50)
    manifest = json.loads((tmp_path / "split" / "manifest.json").read_text())
    conditions = [e for e in manifest["output"] if e["type"] == "Condition"]
    assert [e["url"] for e in conditions[:2]] == ["Condition.000.ndjson", "Condition.001.ndjson"]
    assert all(e["count"] == 50 for e in conditions[:-1]) and 0 < conditions[-1]["count"] <= 50
    for rtype in TYPES:
        assert _joined(tmp_path / "split", rtype) == _joined(tmp_path / "one", rtype)


def test_compressed_output_reads_back_as_the_same_lines(tmp_path: Path, sample: Path) -> None:
    generate(sample, tmp_path / "plain", 40, 9, planted_share=0.25)
    generate(sample, tmp_path / "gz", 40, 9, planted_share=0.25, compress=True)
    gz = Export.read(tmp_path / "gz")
    assert all(e["url"].endswith(".ndjson.gz") for e in gz.manifest["output"])
    for rtype in TYPES:
        assert _joined(tmp_path / "gz", rtype) == _joined(tmp_path / "plain", rtype)
    assert (tmp_path / "gz" / "truth.csv").read_bytes() == (
        tmp_path / "plain" / "truth.csv"
    ).read_bytes()


@pytest.mark.parametrize("patients", [1, 13, 100])
def test_it_generates_small_populations(
    tmp_path: Path, sample: Path, as_of: dt.date, patients: int
) -> None:
    summary = generate(sample, tmp_path / "out", patients, 1, as_of=as_of)
    export = Export.read(tmp_path / "out")
    assert len(export.resources["Patient"]) == len(export.truth) == patients
    assert sum(summary.kinds.values()) == patients
    assert summary.planted == 2 * round(patients * 0.05)


def test_progress_is_told_every_patient_written(tmp_path: Path, sample: Path) -> None:
    told: list[int] = []
    generate(sample, tmp_path / "out", 2500, 1, progress=told.append)
    assert told == [1000, 1000, 500]


def test_it_refuses_a_destination_that_is_not_empty(tmp_path: Path, sample: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="not empty"):
        generate(sample, out, 5, 1)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_overwrite_replaces_a_previous_export(tmp_path: Path, sample: Path) -> None:
    generate(sample, tmp_path / "out", 5, 1)
    generate(sample, tmp_path / "out", 7, 2, overwrite=True)
    assert len(Export.read(tmp_path / "out").truth) == 7
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_an_interrupted_run_leaves_nothing_behind(tmp_path: Path, sample: Path) -> None:
    def interrupt(_: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate(sample, tmp_path / "out", 1500, 1, progress=interrupt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"patients": 0}, "patients"),
        ({"planted_share": 0.6}, "planted_share"),
        ({"max_encounters": 0}, "max_encounters"),
    ],
)
def test_it_rejects_bad_arguments(
    tmp_path: Path, sample: Path, arguments: dict[str, object], message: str
) -> None:
    kwargs: dict[str, object] = {"patients": 10, "seed": 1} | arguments
    with pytest.raises(ValueError, match=message):
        generate(sample, tmp_path / "out", **kwargs)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()
