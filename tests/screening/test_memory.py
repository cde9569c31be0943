"""Memory stays flat however many bad lines an export holds: a small gzip file of millions of
bad lines (a "gzip bomb") is screened in the memory a tenth of them takes."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Bad lines of each kind: not JSON, not an object, another type, a malformed value.
BAD = [
    b"{not json",
    b"[1, 2, 3]",
    b'{"resourceType": "Patient", "id": "intruder"}',
    b'{"resourceType": "Condition", "id": "c", "onsetDateTime": "2020-02-30"}',
    b'{"resourceType": "Condition", "id": "c", "code": {"text": {"a": 1}}}',
]
#: Runs a command and prints its peak resident memory (KiB on Linux).
PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=False, "
    "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def bomb(folder: Path, lines: int, synthea_dir: Path) -> Path:
    folder.mkdir()
    (folder / "Patient.000.ndjson").write_bytes((synthea_dir / "Patient.000.ndjson").read_bytes())
    block = b"\n".join(BAD[i % len(BAD)] for i in range(1000)) + b"\n"
    with gzip.open(folder / "Condition.000.ndjson.gz", "wb", compresslevel=9) as f:
        for _ in range(lines // 1000):
            f.write(block)
    return folder


def peak_mb(export: Path, out: Path, on_error: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
    command = [sys.executable, "-m", "cluneal", "screen", str(export), "--out", str(out)]
    command += ["--no-notes", "--on-error", on_error]
    result = subprocess.run(
        [sys.executable, "-c", PEAK, *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    return int(result.stdout.strip()) / 1024


@pytest.mark.parametrize("on_error", ["skip", "fail"])
def test_millions_of_bad_lines_take_no_more_memory_than_a_tenth_of_them(
    on_error, synthea_dir, tmp_path
):
    big = bomb(tmp_path / "big", 2_000_000, synthea_dir)
    small = bomb(tmp_path / "small", 200_000, synthea_dir)
    size = (big / "Condition.000.ndjson.gz").stat().st_size
    peaks = {}
    for name, export in (("small", small), ("big", big)):
        out = tmp_path / f"{name}.csv"
        peaks[name] = peak_mb(export, out, on_error)
        assert out.exists() == (on_error == "skip")
    print(f"\n{on_error}: gzip of 2,000,000 bad lines {size / 1e3:.0f} kB; peak RSS MB {peaks}")
    # Keeping every bad line (the bug) took some 220 MB a million lines, 440 MB more here. What
    # remains grows a little with the file: DuckDB's buffers for its larger read (up to the
    # engine's memory limit), which vary with how its two threads are scheduled (309 -> 480 MB
    # seen with other tests running beside it; 341 -> 397 MB alone).
    assert peaks["big"] < 1.6 * peaks["small"] + 50
    assert peaks["big"] < 800


def test_skip_reports_the_first_examples_and_counts_the_rest(synthea_dir, tmp_path):
    export = bomb(tmp_path / "export", 100_000, synthea_dir)
    env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
    out = str(tmp_path / "o.csv")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cluneal",
            "screen",
            str(export),
            "--out",
            out,
            "--no-notes",
            "--on-error",
            "skip",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["skipped"] == 100_000
    *examples, rest = summary["skipped_examples"]
    assert len(examples) == 20
    assert examples[0] == (
        "Condition.000.ndjson.gz:1: not valid JSON "
        "(Expecting property name enclosed in double quotes)"
    )
    assert examples[3].startswith('Condition.000.ndjson.gz:4: onsetDateTime: "2020-02-30"')
    assert rest == "... 99,980 more; in all 100,000 in Condition.000.ndjson.gz"
