"""Bad input of every kind is named by file and line: corrupt files on the command line, and
malformed values in the fields the views read, on DuckDB and on Spark, in fail and skip mode."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cluneal.knowledge.loader import default_pack
from cluneal.screening.export import ScreenError
from cluneal.screening.pipeline import screen

PACK = default_pack()
AS_OF = "2023-03-23"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
    return subprocess.run(
        [sys.executable, "-m", "cluneal", "screen", *args, "--no-notes", "--as-of", AS_OF],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def small(synthea_dir: Path, tmp_path: Path) -> Path:
    """Patients and Conditions of the Synthea sample: enough to list its two candidates."""
    export = tmp_path / "export"
    export.mkdir()
    for name in ("Patient.000.ndjson", "Condition.000.ndjson"):
        (export / name).write_bytes((synthea_dir / name).read_bytes())
    return export


def _procedures(synthea_dir: Path) -> bytes:
    return (synthea_dir / "Procedure.000.ndjson").read_bytes()


def _flipped(data: bytes) -> bytes:
    packed = bytearray(gzip.compress(data))
    for i in range(2000, 2100):
        packed[i] ^= 0x55
    return bytes(packed)


def _bad_crc(data: bytes) -> bytes:
    packed = bytearray(gzip.compress(data))
    packed[-6] ^= 0xFF  # the CRC-32 of the trailer
    return bytes(packed)


#: name -> (file name, its bytes from the Synthea Procedure file, what the error says)
CORRUPT: dict[str, tuple[str, Callable[[bytes], bytes], str]] = {
    "truncated gzip": (
        "Procedure.000.ndjson.gz",
        lambda d: gzip.compress(d)[:3000],
        "cannot be read (the gzip data ends early: the file is truncated)",
    ),
    "flipped bytes": ("Procedure.000.ndjson.gz", _flipped, "cannot be read (corrupt gzip data"),
    "bad CRC": ("Procedure.000.ndjson.gz", _bad_crc, "cannot be read (not valid gzip: CRC"),
    "plain text named .gz": (
        "Procedure.000.ndjson.gz",
        lambda d: d,
        ":1: cannot be read (not valid gzip",
    ),
    "invalid UTF-8": (
        "Procedure.000.ndjson",
        lambda d: d + b'{"resourceType": "Procedure", "id": "\xff\xfe"}\n',
        "cannot be read (not UTF-8: invalid start byte",
    ),
    "invalid UTF-8 in gzip": (
        "Procedure.000.ndjson.gz",
        lambda d: gzip.compress(b'{"resourceType": "Procedure", "id": "\xc3\x28"}\n' + d),
        "Procedure.000.ndjson.gz:1: cannot be read (not UTF-8",
    ),
    "empty gzip": ("Procedure.000.ndjson.gz", lambda d: gzip.compress(b""), "the file is empty"),
}


@pytest.mark.parametrize("kind", list(CORRUPT))
def test_a_corrupt_file_stops_the_run_naming_it(kind, small, synthea_dir, tmp_path):
    name, corrupt, said = CORRUPT[kind]
    (small / name).write_bytes(corrupt(_procedures(synthea_dir)))
    out = tmp_path / "out.csv"
    result = cli(str(small), "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"  {name}" in result.stderr and said in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".out.csv*"))


@pytest.mark.parametrize("kind", list(CORRUPT))
def test_skip_leaves_a_corrupt_file_out_and_names_it(kind, small, synthea_dir, tmp_path):
    name, corrupt, said = CORRUPT[kind]
    (small / name).write_bytes(corrupt(_procedures(synthea_dir)))
    out = tmp_path / "out.csv"
    result = cli(str(small), "--out", str(out), "--on-error", "skip")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    [skipped] = summary["skipped_files"]
    assert skipped.startswith(name) and said in skipped and skipped.endswith("was skipped")
    assert summary["resources"]["Procedure"] == 0
    assert len(out.read_text().splitlines()) == 3  # the header and the two candidates


#: (file, field path, malformed value, what the problem says)
MALFORMED = [
    ("Condition", "onsetDateTime", "2020-02-30", 'onsetDateTime: "2020-02-30" is not a dateTime'),
    ("Condition", "onsetDateTime", "2021-13-01", 'onsetDateTime: "2021-13-01" is not a dateTime'),
    ("Condition", "onsetDateTime", "2020-02-03T10:00", "is not a dateTime (the form is"),
    ("Condition", "onsetDateTime", {"a": 1}, "onsetDateTime: an object is not a dateTime"),
    ("Condition", "onsetDateTime", ["2020-01-01"], "onsetDateTime: a list is not a dateTime"),
    ("Condition", "onsetDateTime", 20200101, "onsetDateTime: the number 20200101 is not"),
    ("Condition", "recordedDate", True, "recordedDate: true is not a dateTime"),
    ("Condition", "abatementDateTime", "2019-02-29", "(no such day)"),
    ("Condition", "code.text", {"x": 1}, "code.text: an object is not a string"),
    ("Condition", "code.text", 12, "code.text: the number 12 is not a string"),
    ("Condition", "code.coding", {"code": "x"}, "code.coding: an object where a list of Coding"),
    ("Condition", "code.coding.0.code", 278860009, "code.coding[0].code: the number 278860009"),
    ("Condition", "code.coding.0.system", ["x"], "code.coding[0].system: a list is not a uri"),
    ("Condition", "clinicalStatus", "active", 'clinicalStatus: "active" where a Codeable'),
    ("Condition", "subject", "Patient/1", 'subject: "Patient/1" where a Reference'),
    ("Condition", "id", False, "id: false is not an id"),
    ("Patient", "birthDate", "2020-02-30", 'birthDate: "2020-02-30" is not a date'),
    ("Patient", "birthDate", "1970-01-01T00:00:00Z", "is not a date (the form is"),
    ("Patient", "gender", {"code": "male"}, "gender: an object is not a code"),
    ("Patient", "gender", 1, "gender: the number 1 is not a code"),
    ("Procedure", "performedPeriod.start", "2021-13-01", 'performedPeriod.start: "2021-13-01"'),
    ("Procedure", "status", True, "status: true is not a code"),
]
IDS = [f"{t}.{f}={json.dumps(v)}" for t, f, v, _ in MALFORMED]


def _spoil(export: Path, resource_type: str, field: str, value: object) -> int:
    """Set ``field`` of the file's first resource to ``value``; the line number."""
    path = export / f"{resource_type}.000.ndjson"
    lines = path.read_text().splitlines()
    resource = json.loads(lines[0])
    *parents, last = field.split(".")
    target = resource
    for key in parents:
        target = target[int(key)] if key.isdigit() else target.setdefault(key, {})
    target[int(last) if last.isdigit() else last] = value
    lines[0] = json.dumps(resource)
    path.write_text("\n".join(lines) + "\n")
    return 1


@pytest.fixture
def export(synthea_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "export"
    out.mkdir()
    for name in ("Patient", "Condition", "Procedure"):
        path = synthea_dir / f"{name}.000.ndjson"
        (out / path.name).write_bytes(path.read_bytes())
    return out


def _day():
    import datetime as dt

    return dt.date.fromisoformat(AS_OF)


@pytest.mark.parametrize(("resource_type", "field", "value", "said"), MALFORMED, ids=IDS)
def test_a_malformed_value_stops_the_run_naming_file_line_and_field(
    export, tmp_path, resource_type, field, value, said
):
    line = _spoil(export, resource_type, field, value)
    out = tmp_path / "out.csv"
    with pytest.raises(ScreenError) as caught:
        screen(export, out, PACK, read_notes=False, as_of=_day())
    [detail] = caught.value.details
    assert detail.startswith(f"{resource_type}.000.ndjson:{line}: ")
    assert said in detail
    assert not out.exists()


@pytest.mark.parametrize(("resource_type", "field", "value", "said"), MALFORMED, ids=IDS)
def test_skip_counts_a_malformed_value_and_screens_the_rest_as_if_the_line_were_not_there(
    export, tmp_path, resource_type, field, value, said
):
    without = tmp_path / "without"
    shutil.copytree(export, without)
    path = without / f"{resource_type}.000.ndjson"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[1:]))
    line = _spoil(export, resource_type, field, value)
    out, expected = tmp_path / "out.csv", tmp_path / "expected.csv"
    summary = screen(export, out, PACK, read_notes=False, as_of=_day(), on_error="skip")
    reference = screen(without, expected, PACK, read_notes=False, as_of=_day(), on_error="skip")
    assert summary.skipped == reference.skipped + 1
    example = summary.skipped_examples[0]
    assert example.startswith(f"{resource_type}.000.ndjson:{line}: ") and said in example
    assert out.read_bytes() == expected.read_bytes()
    assert len(out.read_bytes().splitlines()) > 1


def test_the_command_line_exits_with_status_2_and_the_file_and_line(export, tmp_path):
    _spoil(export, "Condition", "onsetDateTime", "2020-02-30")
    result = cli(str(export), "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert 'Condition.000.ndjson:1: onsetDateTime: "2020-02-30" is not a dateTime' in result.stderr


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_a_bad_number_of_workers_is_named_and_nothing_is_written(workers, small, tmp_path):
    out = tmp_path / "out.csv"
    result = cli(str(small), "--out", str(out), "--workers", workers)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "'--workers'" in result.stderr
    assert not out.exists()


def _spoil_all(export: Path) -> int:
    """One malformed value of each kind, each in another Condition line."""
    path = export / "Condition.000.ndjson"
    lines = path.read_text().splitlines()
    spoiled = [
        ("onsetDateTime", "2020-02-30"),
        ("recordedDate", {"a": 1}),
        ("abatementDateTime", ["2020"]),
        ("onsetDateTime", 2020),
        ("recordedDate", True),
        ("onsetDateTime", "2021-13-01"),
    ]
    for i, (field, value) in enumerate(spoiled):
        resource = json.loads(lines[i])
        resource.pop("onsetPeriod", None)
        resource[field] = value
        lines[i] = json.dumps(resource)
    path.write_text("\n".join(lines) + "\n")
    return len(spoiled)


@pytest.mark.spark
def test_spark_names_and_skips_the_same_malformed_values_as_duckdb(export, tmp_path):
    count = _spoil_all(export)
    for engine in ("duckdb", "spark"):
        with pytest.raises(ScreenError) as caught:
            screen(export, tmp_path / "out.csv", PACK, engine=engine, read_notes=False)
        assert len(caught.value.details) == count
        assert [d.split(":")[1] for d in caught.value.details] == [
            str(n) for n in range(1, count + 1)
        ]
    duck, spark = tmp_path / "duck.csv", tmp_path / "spark.csv"
    kept = {}
    for engine, out in (("duckdb", duck), ("spark", spark)):
        summary = screen(
            export, out, PACK, engine=engine, read_notes=False, on_error="skip", as_of=_day()
        )
        kept[engine] = (summary.skipped, summary.resources)
    assert kept["duckdb"] == kept["spark"] and kept["spark"][0] == count
    assert duck.read_bytes() == spark.read_bytes()
