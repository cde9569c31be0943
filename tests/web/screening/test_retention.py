"""Screening files are kept CLUNEAL_SCREENING_RETENTION_DAYS: then the uploaded export and the
candidates go (the run and its summary stay, the deletion is audited), and nothing else does."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from cluneal.web.accounts.models import Site
from cluneal.web.audit.models import AuditEvent
from cluneal.web.screening import views
from cluneal.web.screening.models import ScreeningRun
from cluneal.web.screening.retention import purge

NOW = dt.datetime(2026, 11, 8, 12, 0, tzinfo=dt.UTC)
DAYS = 30
#: Run ages around the retention period (30 days), and the statuses a run can be in.
AGES = [
    dt.timedelta(0),
    dt.timedelta(days=1),
    dt.timedelta(days=29),
    dt.timedelta(days=30) - dt.timedelta(minutes=1),
    dt.timedelta(days=30),
    dt.timedelta(days=30, minutes=1),
    dt.timedelta(days=31),
    dt.timedelta(days=365),
]
STATUSES = ["done", "failed", "running", "queued"]


@pytest.fixture
def where(monkeypatch, settings, tmp_path) -> dict[str, Path]:
    data, root = tmp_path / "data", tmp_path / "exports"
    data.mkdir()
    root.mkdir()
    monkeypatch.setenv("CLUNEAL_DATA_DIR", str(data))
    settings.CLUNEAL_SCREENING_ROOT = str(root)
    settings.CLUNEAL_SCREENING_RETENTION_DAYS = DAYS
    return {"runs": data / "screening", "root": root}


def old(path: Path, age: dt.timedelta) -> Path:
    stamp = (NOW - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def make_runs(site: Site, where: dict[str, Path]) -> list[tuple[ScreeningRun, list[Path]]]:
    """Each age with each status, uploaded or pointed at a server directory; with the files
    such a run has: the upload, the candidates, a temporary output file of a running one."""
    made = []
    runs_dir = where["runs"]
    runs_dir.mkdir(exist_ok=True)
    for n, age in enumerate(AGES):
        for k, status in enumerate(STATUSES):
            run_id = uuid.uuid4()
            uploaded = (n + k) % 2 == 0
            files = []
            if uploaded:
                export = runs_dir / f"{run_id}-export"
                export.mkdir()
                (export / "Patient.000.ndjson").write_text('{"resourceType": "Patient"}\n')
                files.append(old(export, age))
            else:
                export = where["root"] / f"export-{run_id}"
                export.mkdir()
                (export / "Patient.000.ndjson").write_text('{"resourceType": "Patient"}\n')
            if status == "done":
                files.append(old(_touch(runs_dir / f"{run_id}.csv"), age))
            if status == "running":
                files.append(old(_touch(runs_dir / f".{run_id}.csv.x1y2z3"), age))
            run = ScreeningRun.objects.create(
                id=run_id,
                site=site,
                export_dir=str(export),
                status=status,
                summary={"listed": n},
            )
            ScreeningRun.objects.filter(pk=run.pk).update(created_at=NOW - age)
            made.append((run, files))
    return made


def _touch(path: Path) -> Path:
    path.write_text("patient_id,score,tier\n")
    return path


@pytest.mark.django_db
def test_the_files_of_runs_past_the_period_go_and_nothing_else(site_a, where):
    runs = make_runs(site_a, where)
    orphan_old = old(_mkdir(where["runs"] / f"{uuid.uuid4()}-export"), dt.timedelta(days=31))
    orphan_tmp = old(_touch(where["runs"] / f".{uuid.uuid4()}.csv.abc"), dt.timedelta(days=40))
    orphan_new = _mkdir(where["runs"] / f"{uuid.uuid4()}-export")  # an upload in progress
    not_ours = [where["runs"] / "notes.txt", where["runs"] / f"{uuid.uuid4()}.parquet"]
    for path in not_ours:
        old(_touch(path), dt.timedelta(days=400))
    summaries = sorted(ScreeningRun.objects.values_list("pk", "summary", "status"))
    server_exports = sorted(where["root"].rglob("*"))

    done = purge(NOW)

    expired = {run.pk for run, _ in runs if run_age(run) >= dt.timedelta(days=DAYS)}
    assert len(expired) == 4 * len(STATUSES)  # 30 days, 30 days and a minute, 31, 365
    assert {r.pk for r in done.runs} == expired
    for run, files in runs:
        gone = run.pk in expired
        assert all(f.exists() is not gone for f in files), (run_age(run), run.status, files)
        run.refresh_from_db()
        assert (run.files_deleted_at == NOW) is gone
    assert not orphan_old.exists() and not orphan_tmp.exists()
    assert orphan_new.exists() and all(p.exists() for p in not_ours)
    assert sorted(where["root"].rglob("*")) == server_exports
    assert sorted(ScreeningRun.objects.values_list("pk", "summary", "status")) == summaries
    events = AuditEvent.objects.filter(actor="screening retention")
    assert sorted(e.object_id for e in events) == sorted(str(pk) for pk in expired)
    assert {(e.action, e.site_id) for e in events} == {("delete", site_a.pk)}
    assert events[0].changes == {"files": "export and candidates deleted", "retention_days": 30}

    again = purge(NOW)
    assert (again.runs, again.paths) == ([], [])
    assert events.count() == len(expired)


def run_age(run: ScreeningRun) -> dt.timedelta:
    return NOW - ScreeningRun.objects.get(pk=run.pk).created_at


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "Condition.000.ndjson").write_text("{}\n")
    return path


@pytest.mark.django_db
def test_a_dry_run_lists_and_deletes_nothing(site_a, where, capsys):
    runs = make_runs(site_a, where)
    before = sorted(where["runs"].rglob("*"))
    call_command("purge_screening", "--dry-run")
    assert sorted(where["runs"].rglob("*")) == before
    assert not AuditEvent.objects.exists()
    assert "would delete" in capsys.readouterr().out
    assert all(r.files_deleted_at is None for r, _ in runs)


@pytest.mark.django_db
def test_starting_a_new_run_deletes_the_files_past_the_period(
    site_a, carol, where, monkeypatch, time_machine
):
    time_machine.move_to(NOW, tick=False)
    monkeypatch.setattr(views, "_start", lambda run: None)
    runs = make_runs(site_a, where)
    client = Client()
    client.force_login(carol)
    response = client.post(
        "/site/screening",
        {
            "site": site_a.pk,
            "engine": "duckdb",
            "on_error": "fail",
            "files": [SimpleUploadedFile("Patient.000.ndjson", b'{"resourceType": "Patient"}\n')],
        },
    )
    assert response.status_code == 302
    for run, files in runs:
        gone = run_age(run) >= dt.timedelta(days=DAYS)
        assert all(f.exists() is not gone for f in files)
    new = ScreeningRun.objects.latest("created_at")
    assert (where["runs"] / f"{new.pk}-export" / "Patient.000.ndjson").exists()
    page = client.get(f"/site/screening/{runs[-1][0].pk}").content.decode()
    assert "were deleted on 2026-11-08: files are kept 30 days" in page


@pytest.mark.parametrize("value", ["0", "-1", "3651", "thirty", "1.5"])
def test_a_bad_retention_setting_stops_the_server_naming_it(value, tmp_path):
    env = {
        **os.environ,
        "CLUNEAL_SCREENING_RETENTION_DAYS": value,
        "CLUNEAL_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", "import cluneal.web.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert f"CLUNEAL_SCREENING_RETENTION_DAYS={value!r}: expected an integer" in done.stderr
