"""Several submissions of one patient link at the same moment (a double tap, two open tabs):
a questionnaire is stored once, one submission gets 200 and the others 409 (or 410), never 500;
diary entries for one day stay one entry.

Real concurrency needs a real database: the test runs a ``python -c`` subprocess with
``DATABASE_URL`` pointing at a database of its own (the configuration ``cluneal serve`` uses:
for SQLite a file in WAL mode, whose in-process test copy in memory cannot be shared by
threads; for PostgreSQL a fresh database on the server the suite runs against, dropped
afterwards). In it, threads each with their own connection wait at a barrier and post at once.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest

THREADS = 8
ROUNDS = 3
TIMEOUT = 300

SCRIPT = r"""
import datetime as dt
import json
import re
import threading

from cluneal.web.setup import prepare

prepare()

from django.db import connection
from django.test import Client
from django.utils import timezone

from cluneal.web.accounts.models import Site
from cluneal.web.audit.models import AuditEvent
from cluneal.web.records.links import token_hash
from cluneal.web.records.models import (
    Block, DiaryEntry, Patient, PatientLink, QuestionnaireAnswer
)

THREADS, ROUNDS = %(threads)d, %(rounds)d
ANSWERS = {
    "startback": {**{f"sb{i}": "1" for i in range(1, 9)}, "sb9": "4"},
    "odi": {f"odi{i}": "2" for i in range(1, 11)},
    "rmdq": {"rmdq_done": "1", "rmdq": ["1", "4", "9"]},
}
site = Site.objects.create(name="Concurrency site")
patient = Patient.objects.create(site=site, record_number="C-001")
today = timezone.localdate()
block = Block.objects.create(patient=patient, date=today - dt.timedelta(days=3), nerve="scn",
                             side="left", nrs_before=8, nrs_after=2)


def link(kind, n):
    token = f"concurrency-{kind}-{n}-" + "0" * 20
    PatientLink.objects.create(
        patient=patient, kind=kind, block=block if kind == "diary" else None,
        token_hash=token_hash(token), expires_at=timezone.now() + dt.timedelta(days=5),
    )
    return token


def at_once(token, data):
    barrier, statuses = threading.Barrier(THREADS), []

    def post():
        try:
            client = Client(raise_request_exception=False)
            barrier.wait()
            response = client.post(f"/p/{token}", data)
            title = re.search(r"<h1>(.*?)</h1>", response.content.decode())
            statuses.append((response.status_code, title.group(1) if title else ""))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(statuses)


out = {"questionnaires": [], "diary": []}
for n in range(ROUNDS):
    for kind, data in ANSWERS.items():
        token = link(kind, n)
        out["questionnaires"].append({"kind": kind, "statuses": at_once(token, data)})
    token = link("diary", n)
    day = (today - dt.timedelta(days=2)).isoformat()
    out["diary"].append({"statuses": at_once(token, {"date": day, "nrs": str(n + 1)})})
out["answers"] = QuestionnaireAnswer.objects.count()
out["answered_links"] = PatientLink.objects.filter(completed_at__isnull=False).count()
out["diary_entries"] = DiaryEntry.objects.count()
out["audit_questionnaires"] = AuditEvent.objects.filter(
    action="patient_link", changes__has_key="questionnaire").count()
print(json.dumps(out))
"""


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own, of the kind the suite runs on."""
    outer = os.environ.get("DATABASE_URL", "")
    if not outer.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'cluneal.sqlite3'}"
        return
    config = dj_database_url.parse(outer)
    server = {
        "host": config["HOST"],
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"] or None,
    }
    name = f"cluneal_links_{secrets.token_hex(6)}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield outer.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(database_url: str, data_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "CLUNEAL_DATA_DIR": str(data_dir)}
    env.pop("CLUNEAL_KNOWLEDGE", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT % {"threads": THREADS, "rounds": ROUNDS}],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_simultaneous_submissions_of_one_link_store_one_answer(database_url, tmp_path):
    out = run(database_url, tmp_path / "data")
    assert len(out["questionnaires"]) == 3 * ROUNDS
    for submitted in out["questionnaires"]:
        answers = sorted(tuple(a) for a in submitted["statuses"])
        # The first to claim the link is thanked; the others are told it was answered (409),
        # or, once it is answered, that it opens nothing any more (410 before their form is read).
        assert answers[0] == (200, "Thank you"), submitted
        assert set(answers[1:]) <= {(409, "Already answered"), (410, "Already answered")}, submitted
        assert len(answers) == THREADS, submitted
    assert out["answers"] == out["answered_links"] == out["audit_questionnaires"] == 3 * ROUNDS
    for submitted in out["diary"]:
        assert [a[0] for a in submitted["statuses"]] == [302] * THREADS, submitted
    assert out["diary_entries"] == ROUNDS
