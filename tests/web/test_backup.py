"""Backup and restore (:mod:`cluneal.web.backup`, ``cluneal backup`` and ``cluneal restore``)
on SQLite and on PostgreSQL.

These tests do not use pytest-django's test database: backup and restore work on real files and
real PostgreSQL databases, through their own connections and through ``pg_dump``. Each test gets
a database of its own, migrated and seeded by a ``cluneal`` subprocess (Django's ORM, with
``DATABASE_URL`` pointing at it) and copied from a template made once per session: a SQLite file
in ``tmp_path``, or a PostgreSQL database ``cluneal_h4_<random>`` created from a template
database and dropped afterwards. The tests then read and change rows with the drivers themselves
(``sqlite3``, ``psycopg``), so what they compare is what is on disk.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest
from psycopg.types.json import Jsonb

from cluneal.web import backup as backup_module
from cluneal.web.backup import BackupError, backup, restore

PG_SERVER = os.environ.get("CLUNEAL_TEST_PG", "postgres://postgres@127.0.0.1:5432")
TABLES = ("records_patient", "records_visit", "records_block", "audit_auditevent")
SUBPROCESS_TIMEOUT = 180
Run = Callable[..., list[tuple[Any, ...]]]

SEED = """
import datetime as dt
from decimal import Decimal

from cluneal.web.setup import prepare

prepare()

from django.contrib.auth import get_user_model

from cluneal.web.accounts.models import Membership, Role, Site
from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.records.models import Block, Patient, Visit

site = Site.objects.create(name="Backup test site")
user = get_user_model().objects.create_user("backup-clinician", password=None)
Membership.objects.create(user=user, site=site, role=Role.CLINICIAN)
exam = {"left": {"scn": {"tender": True, "distance_mm": 70, "reproduces_complaint": True}}}
for i in range(5):
    p = Patient.objects.create(site=site, record_number=f"B-{i:03}", birth_year=1950 + i,
                               sex="female", name=f"Fictional {i}")
    Visit.objects.create(patient=p, date=dt.date(2026, 1, 1 + i), exam=exam, current_nrs=i,
                         notes=f"visit of patient {i}", created_by=user)
    Block.objects.create(patient=p, date=dt.date(2026, 1, 2 + i), nerve="scn", side="left",
                         agent=f"agent {i}", volume_ml=Decimal("2.5"), nrs_before=8,
                         nrs_after=2, relief_days=Decimal("1.5"))
    record(None, Action.CREATE, patient=p, obj=p, actor="seed", changes={"n": i})
"""


def run_cluneal(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cluneal", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )


def cluneal_env(url: str, data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "CLUNEAL_DATA_DIR": str(data_dir)}
    env.pop("CLUNEAL_KNOWLEDGE", None)
    return env


def seed(url: str, data_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SEED],
        env=cluneal_env(url, data_dir),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def pg_admin() -> psycopg.Connection[Any]:
    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def create_pg_database(template: str | None = None) -> str:
    name = f"cluneal_h4_{secrets.token_hex(6)}"
    with pg_admin() as con:
        con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


def drop_pg_database(name: str) -> None:
    with pg_admin() as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Database:
    """One test's database, reached both as Django would (``url``, ``config``) and directly."""

    engine: str  # "sqlite" or "postgres"
    url: str
    data_dir: Path

    @property
    def config(self) -> dict[str, Any]:
        return dict(dj_database_url.parse(self.url))

    @property
    def env(self) -> dict[str, str]:
        return cluneal_env(self.url, self.data_dir)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Run]:
        """A connection in one transaction; yields ``run(sql, params)`` (``?`` placeholders)."""
        if self.engine == "sqlite":
            con = sqlite3.connect(self.config["NAME"], timeout=30, isolation_level=None)
            try:
                con.execute("BEGIN IMMEDIATE")

                def run_sqlite(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
                    return con.execute(sql, params).fetchall()

                try:
                    yield run_sqlite
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
            finally:
                con.close()
        else:
            with psycopg.connect(self.url) as pg, pg.transaction():

                def run_pg(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
                    cur = pg.execute(sql.replace("?", "%s"), params or None)  # type: ignore[arg-type]
                    return cur.fetchall() if cur.description else []

                yield run_pg

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.transaction() as run:
            return run(sql, params)

    def new_id(self) -> Any:
        """A primary key for a UUID column as this engine stores it (Django: hex on SQLite)."""
        return uuid.uuid4().hex if self.engine == "sqlite" else uuid.uuid4()

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        return {t: self.query(f"SELECT * FROM {t} ORDER BY id") for t in TABLES}

    def tables(self) -> set[str]:
        if self.engine == "sqlite":
            sql = "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        return {r[0] for r in self.query(sql)}

    def clone(
        self, run: Run, table: str, where: str, params: tuple[Any, ...], **changes: Any
    ) -> None:
        """Insert a copy of one existing row with some columns changed (``id=None``: let the
        database number it). Copying keeps the tests independent of columns they do not set."""
        found = run(f"SELECT * FROM {table} WHERE {where} LIMIT 1", params)
        assert found, f"no row of {table} where {where} {params}"
        if self.engine == "sqlite":
            sql = "SELECT name FROM pragma_table_info(?) ORDER BY cid"
        else:
            sql = (
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = ? ORDER BY ordinal_position"
            )
        names = [r[0] for r in run(sql, (table,))]
        row = dict(zip(names, found[0], strict=True))
        for key, value in changes.items():
            if value is None and key == "id":
                del row["id"]
            else:
                row[key] = value
        if self.engine == "postgres":
            row = {k: Jsonb(x) if isinstance(x, dict | list) else x for k, x in row.items()}
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        run(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("sqlite-template")
    path = where / "template.sqlite3"
    seed(f"sqlite:///{path}", where / "data")
    return path


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    name = create_pg_database()
    try:
        seed(f"{PG_SERVER}/{name}", tmp_path_factory.mktemp("pg-template"))
        yield name
    finally:
        drop_pg_database(name)


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, seeded database of this test's own: SQLite or PostgreSQL."""
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        path = tmp_path / "db" / "cluneal.sqlite3"
        path.parent.mkdir()
        src = sqlite3.connect(request.getfixturevalue("sqlite_template"))
        dst = sqlite3.connect(path)
        src.backup(dst)
        dst.close()
        src.close()
        yield Database("sqlite", f"sqlite:///{path}", data_dir)
        return
    name = create_pg_database(template=request.getfixturevalue("pg_template"))
    try:
        yield Database("postgres", f"{PG_SERVER}/{name}", data_dir)
    finally:
        drop_pg_database(name)


@pytest.fixture
def scratch_pg() -> Iterator[str]:
    """An empty PostgreSQL database; yields its URL."""
    name = create_pg_database()
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        drop_pg_database(name)


@pytest.fixture(scope="session")
def foreign_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid pg_dump archive of a database that is not Cluneal's (one table, ``notes``)."""
    name = create_pg_database()
    try:
        with psycopg.connect(f"{PG_SERVER}/{name}", autocommit=True) as con:
            con.execute("CREATE TABLE notes (body text)")
            con.execute("INSERT INTO notes VALUES ('not a clinical record')")
        path = tmp_path_factory.mktemp("foreign") / "other.dump"
        done = subprocess.run(
            ["pg_dump", "--format=custom", "--file", str(path), f"{PG_SERVER}/{name}"],
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return path
    finally:
        drop_pg_database(name)


def change_everything(db: Database) -> None:
    """Update, delete and insert rows in every compared table, as a day's work would."""
    with db.transaction() as run:
        run(
            "UPDATE records_patient SET name = ?, birth_year = ? WHERE record_number = ?",
            ("Changed after the backup", 1999, "B-000"),
        )
        run("UPDATE records_visit SET notes = ?, current_nrs = ?", ("rewritten", 9))
        run("DELETE FROM records_block WHERE agent = ?", ("agent 1",))
        gone = run("SELECT id FROM records_patient WHERE record_number = ?", ("B-004",))[0][0]
        for table in ("records_visit", "records_block"):
            run(f"DELETE FROM {table} WHERE patient_id = ?", (gone,))
        run("DELETE FROM records_patient WHERE id = ?", (gone,))
        new = db.new_id()
        db.clone(
            run, "records_patient", "record_number = ?", ("B-000",), id=new, record_number="B-NEW"
        )
        db.clone(
            run,
            "records_block",
            "agent = ?",
            ("agent 0",),
            id=db.new_id(),
            patient_id=new,
            agent="added after the backup",
        )
        # The audit trail is append-only (triggers refuse UPDATE and DELETE): only add to it.
        db.clone(run, "audit_auditevent", "actor = ?", ("seed",), id=None, actor="after backup")


# --- round trip ----------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["api", "cli"])
def test_round_trip_restores_exactly_the_backed_up_rows(
    database: Database, via: str, tmp_path: Path
) -> None:
    before = database.rows()
    assert all(before[t] for t in TABLES), "the seed left a table empty"
    target = tmp_path / "backups" / "cluneal.backup"
    target.parent.mkdir()

    if via == "api":
        backup(database.config, target)
    else:
        done = run_cluneal(["backup", str(target)], database.env)
        assert done.returncode == 0, done.stderr
        assert "Backup written to" in done.stdout
    assert target.is_file() and target.stat().st_size > 0

    change_everything(database)
    changed = database.rows()
    for table in TABLES:
        assert changed[table] != before[table], f"{table} was not changed by the test"

    if via == "api":
        restore(database.config, target)
    else:
        done = run_cluneal(["restore", str(target), "--yes"], database.env)
        assert done.returncode == 0, done.stderr
        assert "Database restored from" in done.stdout

    after = database.rows()
    for table in TABLES:
        assert after[table] == before[table], f"{table} differs after the restore"


def test_restore_asks_before_replacing_the_database(database: Database, tmp_path: Path) -> None:
    target = tmp_path / "cluneal.backup"
    backup(database.config, target)
    change_everything(database)
    changed = database.rows()
    done = subprocess.run(
        [sys.executable, "-m", "cluneal", "restore", str(target)],
        env=database.env,
        input="n\n",
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert done.returncode != 0
    assert database.rows() == changed


# --- consistency under writes --------------------------------------------------------------


class Writer(threading.Thread):
    """Keeps adding a patient, a block and an audit event in one transaction each time, so that
    in any consistent copy the three counts of its rows are equal."""

    def __init__(self, db: Database, deadline: float) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.deadline = deadline
        self.committed = 0
        self.error: BaseException | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                if self.committed >= 50_000:
                    break
                n = self.committed + 1
                with self.db.transaction() as run:
                    pid = self.db.new_id()
                    self.db.clone(
                        run,
                        "records_patient",
                        "record_number = ?",
                        ("B-000",),
                        id=pid,
                        record_number=f"W-{n:06}",
                    )
                    self.db.clone(
                        run,
                        "records_block",
                        "agent = ?",
                        ("agent 0",),
                        id=self.db.new_id(),
                        patient_id=pid,
                        agent=f"writer {n}",
                    )
                    self.db.clone(
                        run,
                        "audit_auditevent",
                        "actor = ?",
                        ("seed",),
                        id=None,
                        actor="writer",
                        object_id=f"W-{n:06}",
                    )
                self.committed = n
        except BaseException as exc:  # reported by the test
            self.error = exc


WRITER_COUNTS = (
    "SELECT"
    " (SELECT count(*) FROM records_patient WHERE record_number LIKE 'W-%'),"
    " (SELECT count(*) FROM records_block WHERE agent LIKE 'writer %'),"
    " (SELECT count(*) FROM audit_auditevent WHERE actor = 'writer')"
)


def test_backup_taken_during_writes_is_consistent(
    database: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    writer = Writer(database, deadline=time.monotonic() + 60)
    writer.start()
    taken: list[tuple[Path, int, int]] = []
    try:
        wait_until = time.monotonic() + 20
        while writer.committed < 5 and time.monotonic() < wait_until and writer.is_alive():
            time.sleep(0.02)
        assert writer.committed >= 5, f"the writer did not get going ({writer.error!r})"
        for k in range(3):
            target = tmp_path / f"during-{k}.backup"
            low = writer.committed
            backup(database.config, target)
            high = writer.committed
            taken.append((target, low, high))
            time.sleep(0.2)
        assert writer.is_alive(), f"the writer stopped during the backups ({writer.error!r})"
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert not writer.is_alive()
    assert writer.error is None, repr(writer.error)
    assert taken[-1][2] > taken[0][1], "nothing was written while the backups were taken"

    for target, low, high in taken:
        if database.engine == "sqlite":
            con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
            try:
                assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                assert con.execute("PRAGMA foreign_key_check").fetchall() == []
                counts = con.execute(WRITER_COUNTS).fetchone()
            finally:
                con.close()
        else:
            check = Database("postgres", request.getfixturevalue("scratch_pg"), tmp_path / "d")
            restore(check.config, target)
            counts = check.query(WRITER_COUNTS)[0]
            orphans = check.query(
                "SELECT count(*) FROM records_block b LEFT JOIN records_patient p"
                " ON p.id = b.patient_id WHERE p.id IS NULL"
            )
            assert orphans == [(0,)]
        patients, blocks, events = counts
        assert patients == blocks == events, f"{target.name}: torn backup {counts}"
        assert low <= patients <= high, f"{target.name}: {patients} not in [{low}, {high}]"


# --- bad input -----------------------------------------------------------------------------


def _bad_file(kind: str, where: Path, request: pytest.FixtureRequest) -> Path:
    path = where / f"{kind}.backup"
    if kind == "text":
        path.write_text("This is a shopping list, not a database.\n" * 50)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "sqlite_without_cluneal_tables":
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE notes (body TEXT)")
        con.execute("INSERT INTO notes VALUES ('not a clinical record')")
        con.commit()
        con.close()
    elif kind == "truncated_sqlite":
        source = request.getfixturevalue("sqlite_template")
        path.write_bytes(source.read_bytes()[:10_000])
    elif kind == "missing":
        pass
    else:
        raise AssertionError(kind)
    return path


BAD_FILES = ["text", "empty", "sqlite_without_cluneal_tables", "truncated_sqlite", "missing"]


@pytest.mark.parametrize("kind", BAD_FILES)
def test_restore_of_a_bad_file_exits_2_and_changes_nothing(
    database: Database, kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    where = tmp_path / "incoming"
    where.mkdir()
    bad = _bad_file(kind, where, request)
    rows, tables = database.rows(), database.tables()

    done = run_cluneal(["restore", str(bad), "--yes"], database.env)

    assert done.returncode == 2, (done.stdout, done.stderr)
    message = done.stderr.strip()
    assert message.startswith("cluneal: ") and str(bad) in message, message
    assert "Traceback" not in message
    assert "restored" not in done.stdout
    assert database.rows() == rows
    assert database.tables() == tables

    with pytest.raises(BackupError, match=r"no such file|not a"):
        restore(database.config, bad)
    assert database.rows() == rows


@pytest.mark.postgres
def test_restore_of_another_databases_archive_exits_2_and_changes_nothing(
    database: Database, foreign_archive: Path
) -> None:
    """A pg_dump archive that is valid but not Cluneal's is refused, as a SQLite file without
    Cluneal's tables is: restoring it would otherwise add (or, with --clean, drop) tables."""
    rows, tables = database.rows(), database.tables()
    done = run_cluneal(["restore", str(foreign_archive), "--yes"], database.env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert str(foreign_archive) in done.stderr and "Traceback" not in done.stderr
    assert database.rows() == rows
    assert database.tables() == tables


# --- backups that cannot be written --------------------------------------------------------


def test_backup_into_a_missing_directory_exits_2_and_writes_nothing(
    database: Database, tmp_path: Path
) -> None:
    missing = tmp_path / "no" / "such" / "directory"
    target = missing / "cluneal.backup"

    done = run_cluneal(["backup", str(target)], database.env)

    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("cluneal: ") and "no such directory" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "no").exists()

    with pytest.raises(BackupError, match="no such directory"):
        backup(database.config, target)
    assert not (tmp_path / "no").exists()


def test_a_backup_leaves_only_the_backup_file(database: Database, tmp_path: Path) -> None:
    """No temporary file, journal or WAL is left beside the backup, by the API or the CLI."""
    api_dir, cli_dir = tmp_path / "api", tmp_path / "cli"
    api_dir.mkdir()
    cli_dir.mkdir()

    backup(database.config, api_dir / "cluneal.backup")
    done = run_cluneal(["backup", str(cli_dir / "cluneal.backup")], database.env)
    assert done.returncode == 0, done.stderr

    assert sorted(p.name for p in api_dir.iterdir()) == ["cluneal.backup"]
    assert sorted(p.name for p in cli_dir.iterdir()) == ["cluneal.backup"]


def test_a_failed_backup_leaves_no_file_and_keeps_the_previous_one(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backup fails after the copy has started: neither the target nor a half-written
    temporary file is left, and an earlier backup under the same name is untouched."""
    where = tmp_path / "backups"
    where.mkdir()
    target = where / "cluneal.backup"
    target.write_bytes(b"yesterday's backup")

    if database.engine == "sqlite":

        def failing_check(path: Path) -> None:
            assert path.stat().st_size > 0  # the copy was written, then it fails
            raise BackupError(f"{path}: simulated failure")

        monkeypatch.setattr(backup_module, "_check_sqlite", failing_check)
        config = database.config
    else:
        # pg_dump fails: the database it is told to dump does not exist.
        config = {**database.config, "NAME": f"cluneal_h4_missing_{secrets.token_hex(4)}"}

    with pytest.raises(BackupError):
        backup(config, target)

    assert sorted(p.name for p in where.iterdir()) == ["cluneal.backup"]
    assert target.read_bytes() == b"yesterday's backup"


def test_backup_file_is_not_readable_by_others(database: Database, tmp_path: Path) -> None:
    """A backup holds every patient's record: it is created private (mode 0600)."""
    target = tmp_path / "cluneal.backup"
    backup(database.config, target)
    assert target.stat().st_mode & 0o077 == 0


# --- incomplete or tampered backups --------------------------------------------------------
#
# Each bad backup is made from the seeded template: a copy with some SQL run on it (or, on
# PostgreSQL, tables left out of the dump), so that it is a well-formed file of the engine and
# only the check of its contents can refuse it.

NEW_AUDIT_MIGRATION = "0003_no_replace_no_truncate"
INCOMPLETE = "not a complete Cluneal backup; nothing was changed"


def variant(
    database: Database,
    where: Path,
    request: pytest.FixtureRequest,
    *,
    sql: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> Path:
    """A backup of the seeded template with ``sql`` run on it and ``exclude`` left out."""
    path = where / f"variant-{secrets.token_hex(4)}.backup"
    if database.engine == "sqlite":
        src = sqlite3.connect(request.getfixturevalue("sqlite_template"))
        dst = sqlite3.connect(path)
        src.backup(dst)
        src.close()
        dst.execute("PRAGMA foreign_keys=OFF")
        for table in exclude:
            dst.execute(f'DROP TABLE "{table}"')
        for statement in sql:
            dst.execute(statement)
        dst.commit()
        dst.execute("PRAGMA journal_mode=DELETE")
        dst.close()
        return path
    template = request.getfixturevalue("pg_template")
    name = create_pg_database(template=template) if sql else template
    try:
        if sql:
            with psycopg.connect(f"{PG_SERVER}/{name}", autocommit=True) as con:
                for statement in sql:
                    con.execute(statement)  # type: ignore[arg-type]
        done = subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--file",
                str(path),
                *(f"--exclude-table=public.{t}" for t in exclude),
                f"{PG_SERVER}/{name}",
            ],
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    finally:
        if sql:
            drop_pg_database(name)
    return path


def schema(db: Database) -> Any:
    """Every table, trigger and function of the database, with its definition."""
    if db.engine == "sqlite":
        return db.query("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
    return (
        db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"),
        db.query(
            "SELECT tgname, tgenabled, pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE NOT tgisinternal ORDER BY 1"
        ),
        db.query(
            "SELECT proname, prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE nspname = 'public' ORDER BY 1"
        ),
    )


def table_names(db: Database) -> list[str]:
    if db.engine == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    return sorted(r[0] for r in db.query(sql))


def refused(db: Database, bad: Path) -> list[str]:
    """The problems for which restoring ``bad`` is refused (asserting that it is)."""
    with pytest.raises(BackupError) as failed:
        restore(db.config, bad)
    assert str(failed.value) == f"{bad}: {INCOMPLETE}", str(failed.value)
    return failed.value.problems


def cli_refuses(db: Database, bad: Path, problems: list[str]) -> None:
    done = run_cluneal(["restore", str(bad), "--yes"], db.env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert lines == [f"cluneal: {bad}: {INCOMPLETE}", *(f"  {p}" for p in problems)]
    assert "restored" not in done.stdout


def audit_is_append_only(db: Database) -> None:
    for sql in ("DELETE FROM audit_auditevent", "UPDATE audit_auditevent SET actor = 'x'"):
        with pytest.raises((sqlite3.DatabaseError, psycopg.Error)):
            db.query(sql)


def test_a_backup_missing_any_table_is_refused_and_changes_nothing(
    database: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    rows, before = database.rows(), schema(database)
    tables = [t for t in table_names(database) if t != "django_migrations"]
    assert len(tables) >= 25
    for table in tables:
        bad = variant(database, tmp_path, request, exclude=(table,))
        problems = refused(database, bad)
        assert problems[0] == f"table {table} is missing", table
        # Without its table, the audit trail's triggers are gone too, and said so.
        assert len(problems) == 1 or table == "audit_auditevent", problems
        assert all(p.startswith("audit trigger ") for p in problems[1:]), problems
    only = ("records_patient", "records_visit", "audit_auditevent")
    some = variant(database, tmp_path, request, exclude=tuple(set(tables) - set(only)))
    problems = refused(database, some)
    assert problems == [f"table {t} is missing" for t in sorted(set(tables) - set(only))]
    none = variant(database, tmp_path, request, exclude=("django_migrations",))
    with pytest.raises(BackupError, match="not a Cluneal database"):
        restore(database.config, none)
    cli_refuses(database, some, problems)
    assert (database.rows(), schema(database)) == (rows, before)
    # Nothing broke for the next restore: a good backup still goes in.
    good = tmp_path / "good.backup"
    backup(database.config, good)
    change_everything(database)
    restore(database.config, good)
    assert database.rows() == rows


def test_a_backup_whose_migrations_do_not_fit_this_version_is_refused(
    database: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    rows, before = database.rows(), schema(database)
    apps = sorted({r[0] for r in database.query("SELECT app FROM django_migrations")})
    m = "DELETE FROM django_migrations WHERE app = '{}' AND name = '{}'"
    add = "INSERT INTO django_migrations (app, name, applied) VALUES ('{}', '{}', '2026-01-01')"
    newer = "is not one of this version's (a newer Cluneal made the backup)"
    future = "0099_from_the_future"
    cases = [
        (
            [m.format("records", "0001_initial")],
            ["migration records.0002_treatment_follow_up is recorded without records.0001_initial"],
        ),
        (
            [m.format("audit", "0001_initial")],
            ["migration audit.0002_append_only is recorded without audit.0001_initial"],
        ),
        (
            [m.format("audit", "0002_append_only")],
            [f"migration audit.{NEW_AUDIT_MIGRATION} is recorded without audit.0002_append_only"],
        ),
        (
            [m.format("contenttypes", "0001_initial")],
            [
                "migration auth.0001_initial is recorded without contenttypes.0001_initial",
                "migration contenttypes.0002_remove_content_type_name is recorded without"
                " contenttypes.0001_initial",
            ],
        ),
        ([add.format("records", future)], [f"migration records.{future} {newer}"]),
        ([add.format("nosuchapp", "0001_initial")], [f"migration nosuchapp.0001_initial {newer}"]),
        (["DELETE FROM django_migrations WHERE app = 'cds'"], ["no migration of cds is recorded"]),
        (["DELETE FROM django_migrations"], [f"no migration of {a} is recorded" for a in apps]),
    ]  # fmt: skip
    for sql, expected in cases:
        bad = variant(database, tmp_path, request, sql=tuple(sql))
        assert refused(database, bad) == expected, sql
    cli_refuses(database, bad, expected)
    assert (database.rows(), schema(database)) == (rows, before)


def trigger_cases(engine: str) -> list[tuple[list[str], list[str]]]:
    missing = "audit trigger {} is missing (the trail could be rewritten)"
    if engine == "sqlite":
        names = ["audit_no_update", "audit_no_delete", "audit_no_replace", "audit_positive_id"]
        noop = (
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent BEGIN SELECT 1; END"
        )
        never = (
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent WHEN 0"
            " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )
        return [
            *(([f"DROP TRIGGER {n}"], [missing.format(n)]) for n in names),
            ([f"DROP TRIGGER {n}" for n in names], [missing.format(n) for n in sorted(names)]),
            (
                ["DROP TRIGGER audit_no_update", noop],
                [f"audit trigger audit_no_update is not as Cluneal makes it: {noop}"],
            ),
            (
                ["DROP TRIGGER audit_no_delete", never],
                [f"audit trigger audit_no_delete is not as Cluneal makes it: {never}"],
            ),
        ]
    function = "audit trigger function audit_append_only() is missing or changed"
    only_update = (
        "CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_auditevent"
        " FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
    )
    never = (
        "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent"
        " FOR EACH ROW WHEN (false) EXECUTE FUNCTION audit_append_only()"
    )
    changed = "audit trigger audit_append_only is not as Cluneal makes it: "
    drop = "DROP TRIGGER {} ON audit_auditevent"
    return [
        ([drop.format("audit_append_only")], [missing.format("audit_append_only")]),
        ([drop.format("audit_no_truncate")], [missing.format("audit_no_truncate")]),
        (
            ["DROP FUNCTION audit_append_only() CASCADE"],
            [missing.format("audit_append_only"), missing.format("audit_no_truncate"), function],
        ),
        (
            [
                "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$"
                " BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql"
            ],
            [function],
        ),
        (
            [drop.format("audit_append_only"), only_update],
            [changed + "('BEFORE', frozenset({'UPDATE'}), 'ROW', 'audit_append_only')"],
        ),
        (
            [drop.format("audit_append_only"), never],
            [
                changed + "CREATE TRIGGER audit_append_only BEFORE DELETE OR UPDATE ON"
                " public.audit_auditevent FOR EACH ROW WHEN (false) EXECUTE FUNCTION"
                " public.audit_append_only()"
            ],
        ),
        (
            ["ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only"],
            ["audit trigger audit_append_only is disabled"],
        ),
        (
            ["ALTER TABLE audit_auditevent ENABLE REPLICA TRIGGER audit_no_truncate"],
            ["audit trigger audit_no_truncate is disabled"],
        ),
        (
            ["ALTER TABLE audit_auditevent DISABLE TRIGGER USER"],
            [
                "audit trigger audit_append_only is disabled",
                "audit trigger audit_no_truncate is disabled",
            ],
        ),
    ]


def test_a_backup_whose_audit_triggers_were_dropped_or_changed_is_refused(
    database: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Restoring such a backup would leave an audit trail that can be rewritten."""
    rows, before = database.rows(), schema(database)
    cases = trigger_cases(database.engine)
    for sql, expected in cases:
        bad = variant(database, tmp_path, request, sql=tuple(sql))
        assert refused(database, bad) == expected, sql
    cli_refuses(database, bad, expected)
    assert (database.rows(), schema(database)) == (rows, before)
    audit_is_append_only(database)


def test_a_backup_from_before_the_last_audit_migration_is_restored_and_brought_up_to_date(
    database: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A backup made by the previous version (audit triggers of 0002 only) is complete for its
    version: it is restored, then migrated, so the new triggers are in place at once."""
    if database.engine == "sqlite":
        sql = ("DROP TRIGGER audit_no_replace", "DROP TRIGGER audit_positive_id")
    else:
        sql = ("DROP TRIGGER audit_no_truncate ON audit_auditevent",)
    forget = f"DELETE FROM django_migrations WHERE name = '{NEW_AUDIT_MIGRATION}'"
    old = variant(database, tmp_path, request, sql=(*sql, forget))
    rows = database.rows()
    change_everything(database)
    done = run_cluneal(["restore", str(old), "--yes"], database.env)
    assert done.returncode == 0, done.stderr
    assert "brought up to date" in done.stdout
    assert database.rows() == rows
    assert database.query(
        "SELECT count(*) FROM django_migrations WHERE name = ?", (NEW_AUDIT_MIGRATION,)
    ) == [(1,)]
    assert schema(database) == schema_of_template(database, request)
    audit_is_append_only(database)


def schema_of_template(database: Database, request: pytest.FixtureRequest) -> Any:
    if database.engine == "sqlite":
        path = request.getfixturevalue("sqlite_template")
        return Database("sqlite", f"sqlite:///{path}", database.data_dir).query(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        )
    name = request.getfixturevalue("pg_template")
    return schema(Database("postgres", f"{PG_SERVER}/{name}", database.data_dir))
