"""``cluneal synth`` as a user runs it: bad notes sources and ranges are named, exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def synth(synthea_dir: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Runs ``cluneal synth`` on the Synthea sample with the arguments given."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
        return subprocess.run(
            [sys.executable, "-m", "cluneal", "synth", "--source", str(synthea_dir), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    return run


def _empty(folder: Path) -> Path:
    folder.mkdir()
    return folder


def _garbage(folder: Path) -> Path:
    folder.mkdir()
    (folder / "mtsamples.rda").write_bytes(b"BZh91AY&SY this is not R data")
    return folder


@pytest.mark.parametrize(
    ("make", "named", "says"),
    [
        (lambda folder: folder, "notes", "does not exist"),
        (_empty, "mtsamples.rda", "missing"),
        (_garbage, "mtsamples.rda", "cannot be read as an R data file"),
    ],
    ids=["missing", "no-rda", "unreadable"],
)
def test_a_bad_notes_source_exits_2_naming_the_file(synth, tmp_path, make, named, says):
    source = make(tmp_path / "notes")
    out = tmp_path / "out"
    done = synth("--patients", "5", "--out", str(out), "--notes-source", str(source))
    assert done.returncode == 2
    assert done.stderr.startswith("cluneal: ") and named in done.stderr and says in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("span", ["30-10", "ten", "-1-3"])
def test_a_bad_notes_per_patient_exits_2(synth, tmp_path, span):
    done = synth("--patients", "5", "--out", str(tmp_path / "out"), "--notes-per-patient", span)
    assert done.returncode == 2
    assert "--notes-per-patient" in done.stderr and "Traceback" not in done.stderr


def test_help_documents_the_notes_options(synth):
    done = synth("--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "--notes-source DIR" in text and "mtsamples.rda" in text
    assert "--notes-per-patient MIN-MAX" in text and "[default: 10-30]" in text
