"""``cluneal research export`` and ``cluneal research dictionary``, run as commands."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import subprocess
import sys
import zipfile

import pytest

from cluneal.registry import dictionary

SUBPROCESS_TIMEOUT = 180
SEED = """
import datetime as dt
from cluneal.web.setup import prepare
prepare()
from cluneal.web.accounts.models import Site
from cluneal.web.records.models import Patient, Visit
a = Site.objects.create(name="Site A")
p = Patient.objects.create(site=a, record_number="A-001", birth_year=1960, sex="female",
    name="Ada Lovelace")
Visit.objects.create(patient=p, date=dt.date(2026, 11, 2), current_nrs=8, notes="seeded note")
"""


def run_cluneal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    from cluneal.cli import cli

    if "research" in cli.commands:
        command = [sys.executable, "-m", "cluneal", "research", *args]
    else:  # until cluneal/cli/__init__.py registers the group
        code = (
            "from cluneal.cli.research import research_command as c; "
            "c(prog_name='cluneal research')"
        )
        command = [sys.executable, "-c", code, *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, check=False
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A SQLite database of its own, migrated then seeded."""
    root = tmp_path_factory.mktemp("research-cli")
    env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
    env.update(DATABASE_URL=f"sqlite:///{root / 'db.sqlite3'}", CLUNEAL_DATA_DIR=str(root))
    done = subprocess.run(
        [sys.executable, "-c", SEED],
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return env


def test_export_writes_the_zip_and_audits_it(seeded, tmp_path):
    out = tmp_path / "export.zip"
    done = run_cluneal(seeded, "export", "--site", "Site A", "--out", str(out), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "1 patients, 1 visits, 0 blocks, 0 treatments" in done.stdout
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        names = sorted(archive.namelist())
        data = b"".join(archive.read(n) for n in names)
    assert names == [
        "README.txt",
        "blocks.csv",
        "data_dictionary.csv",
        "patients.csv",
        "treatments.csv",
        "visits.csv",
    ]
    assert b"Ada" not in data and b"A-001" not in data and b"seeded note" not in data
    assert [p.name for p in tmp_path.iterdir()] == ["export.zip"]  # no temporary file left
    database = seeded["DATABASE_URL"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(database)) as con:
        audit = con.execute(
            "SELECT actor, object_type FROM audit_auditevent WHERE action = 'export'"
        ).fetchall()
        logged = con.execute("SELECT actor, format FROM research_researchexport").fetchall()
    assert ("command line", "researchexport") in audit
    assert ("command line", "csv") in logged


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--site", "Nowhere", "--out", "{tmp}/x.zip"], "--site"),
        (["--site", "Site A", "--out", "{tmp}/x.zip", "--format", "xlsx"], "--format"),
        (["--site", "Site A", "--out", "{tmp}/missing/x.zip"], "--out"),
    ],
)
def test_bad_input_exits_2_naming_the_option_and_writes_nothing(seeded, tmp_path, args, named):
    done = run_cluneal(seeded, "export", *(a.format(tmp=tmp_path) for a in args))
    assert done.returncode == 2
    assert named in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_dictionary_prints_the_markdown_of_the_documentation(seeded):
    done = run_cluneal(seeded, "dictionary", "--markdown")
    assert done.returncode == 0, done.stderr
    assert done.stdout == dictionary.markdown()


def test_dictionary_prints_the_csv_of_the_export(seeded):
    done = run_cluneal(seeded, "dictionary")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "file,column,type,values,description"
    assert len(lines) == 1 + sum(len(cols) for cols, _ in dictionary.TABLES.values())


def test_the_help_names_the_documentation(seeded, checkout):
    done = run_cluneal(seeded, "--help")
    assert done.returncode == 0
    assert "docs/research-exports.md" in done.stdout
    assert (checkout / "docs" / "research-exports.md").is_file()
