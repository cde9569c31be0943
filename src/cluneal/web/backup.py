"""Backup and restore of the configured database: SQLite through its online backup API
(consistent while the app runs), PostgreSQL through pg_dump / pg_restore.

A backup is written to a temporary file beside the target and renamed into place only when
complete, so a failed or interrupted backup never leaves a half-written file.

A restore checks the whole backup before it touches the database (:func:`check`): that it is a
readable database of the configured engine, that the migrations it records are this version's
(every one with those it depends on; a backup from an earlier version is brought up to date
afterwards), that every table those migrations create is there, and that the audit trail's
triggers are there exactly as the audit migrations make them. Only then is the database
replaced, in one step: SQLite page by page under the destination's write lock, PostgreSQL with
``pg_restore --single-transaction``.
"""

from __future__ import annotations

import importlib
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cluneal.files import atomic_path

AUDIT_APP = "audit"
AUDIT_TABLE = "audit_auditevent"
TRIGGER = re.compile(
    r"CREATE TRIGGER (?P<name>\w+) (?P<timing>BEFORE|AFTER|INSTEAD OF) (?P<events>[\w ,]+?) "
    r"ON (?:public\.)?(?P<table>\w+) FOR EACH (?P<level>ROW|STATEMENT) "
    r"EXECUTE (?:FUNCTION|PROCEDURE) (?:public\.)?(?P<function>\w+)\(\)",
    re.IGNORECASE,
)
FUNCTION = re.compile(
    r"CREATE (?:OR REPLACE )?FUNCTION (?:public\.)?(?P<name>\w+)\(\) RETURNS trigger\b"
    r".*?AS \$\$(?P<body>.*?)\$\$",
    re.IGNORECASE | re.DOTALL,
)
#: A trigger that does not fire in an ordinary session: disabled, or enabled for replicas only.
DISABLED = re.compile(
    r"ALTER TABLE (?:ONLY )?(?:public\.)?(\w+) (?:DISABLE|ENABLE REPLICA) TRIGGER (\w+)", re.I
)
SQLITE_TRIGGER_NAME = re.compile(r"CREATE TRIGGER (\w+)", re.IGNORECASE)


class BackupError(Exception):
    """Bad input or a failed step; the message says what and where, ``problems`` the details."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)


@dataclass
class Contents:
    """What a backup holds, as far as the check is concerned."""

    tables: set[str]
    migrations: set[tuple[str, str]]
    #: Audit trail triggers by name, in a form comparable with :func:`_expected_triggers`.
    triggers: dict[str, Any]
    functions: dict[str, str] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)


def _sqlite_path(db: dict[str, Any]) -> str:
    return str(db["NAME"])


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _words(sql: str) -> str:
    return " ".join(sql.split())


def _vendor(db: dict[str, Any]) -> str:
    engine = str(db["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"backups of {engine} are not supported")


# --- reading a backup ----------------------------------------------------------------------


def _check_sqlite(path: Path) -> None:
    """A readable SQLite file that passes its integrity check."""
    _read_sqlite(path)


def _read_sqlite(path: Path) -> Contents:
    try:
        # immutable: a check of a standalone file must not create -wal / -shm files beside it.
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()
            if result is None or result[0] != "ok":
                raise BackupError(f"{path}: failed its integrity check ({result and result[0]})")
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "django_migrations" not in tables:
                raise BackupError(f"{path}: not a Cluneal database (no django_migrations table)")
            migrations = {
                (str(app), str(name))
                for app, name in con.execute("SELECT app, name FROM django_migrations")
            }
            triggers = {
                str(name): _words(str(sql))
                for name, sql in con.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name=?",
                    (AUDIT_TABLE,),
                )
            }
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a SQLite database ({exc})") from None
    return Contents(tables, migrations, triggers)


def _pg_restore(*args: str) -> str:
    done = subprocess.run(
        ["pg_restore", *args], capture_output=True, text=True, check=False, timeout=600
    )
    if done.returncode != 0:
        raise BackupError(f"{args[-1]}: not a pg_dump archive ({done.stderr.strip()})")
    return done.stdout


def _copy_rows(text: str, table: str) -> list[dict[str, str]]:
    """The rows of ``table`` in pg_restore's plain output (a COPY block in text format)."""
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith(f"COPY public.{table} (") and line.endswith("FROM stdin;"):
            names = [
                c.strip().strip('"') for c in line[line.index("(") + 1 : line.index(")")].split(",")
            ]
            break
    else:
        return []
    rows = []
    for line in lines:
        if line == "\\.":
            break
        rows.append(dict(zip(names, line.split("\t"), strict=False)))
    return rows


def _pg_definitions(sql: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Triggers on the audit table (name: timing, events, level, function) and trigger
    functions (name: body) defined in ``sql``, whitespace and schema names aside."""
    text = _words(sql)
    triggers = {
        m["name"]: (
            m["timing"].upper(),
            frozenset(e.strip().upper() for e in m["events"].split(" OR ")),
            m["level"].upper(),
            m["function"],
        )
        for m in TRIGGER.finditer(text)
        if m["table"] == AUDIT_TABLE
    }
    functions = {m["name"]: _words(m["body"]) for m in FUNCTION.finditer(text)}
    return triggers, functions


def _read_pg(path: Path) -> Contents:
    listed = _pg_restore("--list", str(path))
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE public (\S+) ", listed, re.MULTILINE))
    if "django_migrations" not in tables:
        raise BackupError(f"{path}: not a Cluneal database (no django_migrations table)")
    data = _pg_restore("--data-only", "--table=django_migrations", "--file=-", str(path))
    migrations = {
        (r.get("app", ""), r.get("name", "")) for r in _copy_rows(data, "django_migrations")
    }
    schema = _pg_restore("--schema-only", "--file=-", str(path))
    triggers, functions = _pg_definitions(schema)
    # A trigger the archive holds in a form not parsed above (a WHEN clause, say) is kept as
    # its text, so that it compares as changed rather than missing.
    listed_triggers = re.findall(
        rf"^\d+; \d+ \d+ TRIGGER public {AUDIT_TABLE} (\w+) ", listed, re.MULTILINE
    )
    for name in listed_triggers:
        if name not in triggers:
            found = re.search(rf"CREATE TRIGGER {name} [^;]*", _words(schema))
            triggers[name] = found[0] if found else "(unreadable)"
    disabled = {name for table, name in DISABLED.findall(_words(schema)) if table == AUDIT_TABLE}
    return Contents(tables, migrations, triggers, functions, disabled)


# --- what this version expects -------------------------------------------------------------


def _loader() -> Any:
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(None, ignore_no_migrations=True)


def _expected_triggers(
    loader: Any, vendor: str, applied: set[tuple[str, str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The audit triggers (and PostgreSQL trigger functions) that the applied audit migrations
    create: each audit migration module's ``SQLITE`` or ``POSTGRES`` statements."""
    statements: list[str] = []
    for key in sorted(k for k in applied if k[0] == AUDIT_APP):
        module = importlib.import_module(type(loader.graph.nodes[key]).__module__)
        statements += getattr(module, "SQLITE" if vendor == "sqlite" else "POSTGRES", [])
    if vendor == "sqlite":
        triggers = {}
        for sql in statements:
            if found := SQLITE_TRIGGER_NAME.search(sql):
                triggers[found[1]] = _words(sql)
        return triggers, {}
    return _pg_definitions("\n".join(f"{s};" for s in statements))


def _tables_at(loader: Any, nodes: set[tuple[str, str]]) -> set[str]:
    state = loader.project_state(nodes=sorted(nodes), at_end=True)
    return {m._meta.db_table for m in state.apps.get_models(include_auto_created=True)} | {
        "django_migrations"
    }


def _problems(vendor: str, contents: Contents) -> list[str]:
    """Everything that makes ``contents`` unfit to replace this version's database."""
    loader = _loader()
    known = set(loader.graph.nodes)
    applied = contents.migrations
    problems = [
        f"migration {app}.{name} is not one of this version's (a newer Cluneal made the backup)"
        for app, name in sorted(applied - known)
    ]
    for key in sorted(applied & known):
        for parent in sorted(p.key for p in loader.graph.node_map[key].parents):
            if parent not in applied:
                problems.append(
                    f"migration {key[0]}.{key[1]} is recorded without {parent[0]}.{parent[1]}"
                )
    apps = sorted({app for app, _ in known} - {app for app, _ in applied})
    problems += [f"no migration of {app} is recorded" for app in apps]
    if problems:
        return problems
    problems += [
        f"table {t} is missing" for t in sorted(_tables_at(loader, applied) - contents.tables)
    ]
    if vendor == "postgresql" and (
        added := _tables_at(loader, known) - _tables_at(loader, applied)
    ):
        # pg_restore --clean drops only what the archive holds: these would stay, and stop the
        # migrations that create them.
        problems.append(
            f"made by an earlier version whose database lacks tables {sorted(added)}; restore"
            " it with that version, then upgrade"
        )
    triggers, functions = _expected_triggers(loader, vendor, applied)
    for name, definition in sorted(triggers.items()):
        found = contents.triggers.get(name)
        if found is None:
            problems.append(f"audit trigger {name} is missing (the trail could be rewritten)")
        elif found != definition:
            problems.append(f"audit trigger {name} is not as Cluneal makes it: {found}")
        if name in contents.disabled:
            problems.append(f"audit trigger {name} is disabled")
    for name, body in sorted(functions.items()):
        if contents.functions.get(name) != body:
            problems.append(f"audit trigger function {name}() is missing or changed")
    if {d.upper() for d in contents.disabled} & {"ALL", "USER"}:
        problems.append("the audit table's triggers are disabled")
    return problems


def check(db: dict[str, Any], source: Path) -> Contents:
    """Check a backup fully against this version; :class:`BackupError` listing every problem."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    vendor = _vendor(db)
    contents = _read_sqlite(source) if vendor == "sqlite" else _read_pg(source)
    if problems := _problems(vendor, contents):
        raise BackupError(f"{source}: not a complete Cluneal backup; nothing was changed", problems)
    return contents


def behind(contents: Contents) -> bool:
    """Whether the backup lacks migrations of this version (a restore then migrates)."""
    return bool(set(_loader().graph.nodes) - contents.migrations)


# --- backup and restore --------------------------------------------------------------------


def backup(db: dict[str, Any], target: Path) -> None:
    target = target.resolve()
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such directory")
    vendor = _vendor(db)
    with atomic_path(target) as tmp:
        if vendor == "sqlite":
            try:
                # The copy is one self-contained file, not a WAL database with side files.
                _copy_pages(
                    sqlite3.connect(_sqlite_path(db)),
                    sqlite3.connect(tmp),
                    "PRAGMA journal_mode=DELETE",
                )
            except sqlite3.Error as exc:
                raise BackupError(f"{_sqlite_path(db)}: cannot back up ({exc})") from None
            _check_sqlite(tmp)
        else:
            args, env = _pg_env(db)
            _pg_tool(
                ["pg_dump", "--format=custom", "--file", str(tmp), *args], env, "pg_dump failed"
            )


def restore(db: dict[str, Any], source: Path) -> Contents:
    """Replace the database with the backup in ``source``, once :func:`check` has passed it;
    what the backup holds is returned."""
    contents = check(db, source)
    if _vendor(db) == "sqlite":
        _copy_pages(
            sqlite3.connect(f"file:{source}?mode=ro&immutable=1", uri=True),
            sqlite3.connect(_sqlite_path(db), timeout=30),
        )
        return contents
    args, env = _pg_env(db)
    restore_args = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _pg_tool(
        ["pg_restore", *restore_args, "--exit-on-error", *args, str(source)],
        env,
        "pg_restore failed (nothing was changed)",
    )
    return contents


def _copy_pages(src: sqlite3.Connection, dst: sqlite3.Connection, *then: str) -> None:
    """Copy the database ``src`` into ``dst`` page by page, under the destination's write lock,
    run the statements ``then`` on the copy, and close both."""
    try:
        src.backup(dst)
        for sql in then:
            dst.execute(sql)
    finally:
        dst.close()
        src.close()


def _pg_tool(command: list[str], env: dict[str, str], failure: str) -> None:
    """Run ``pg_dump`` or ``pg_restore``; when it fails, the error says ``failure`` and why."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{failure}: {done.stderr.strip()}")
