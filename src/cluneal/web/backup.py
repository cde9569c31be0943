"""Backup and restore of the configured database: SQLite through its online backup API
(consistent while the app runs), PostgreSQL through pg_dump / pg_restore.

A backup is written to a temporary file beside the target and renamed into place only when
complete, so a failed or interrupted backup never leaves a half-written file. A restore checks
the backup first (SQLite: integrity check and the Cluneal tables; PostgreSQL: pg_restore --list)
and then replaces the database in one transaction.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any


class BackupError(Exception):
    """Bad input or a failed step; the message says what and where."""


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


def _check_sqlite(path: Path) -> None:
    try:
        # immutable: a check of a standalone file must not create -wal / -shm files beside it.
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a SQLite database ({exc})") from None
    if result is None or result[0] != "ok":
        raise BackupError(f"{path}: failed its integrity check ({result and result[0]})")
    if "django_migrations" not in tables or "records_patient" not in tables:
        raise BackupError(f"{path}: not a Cluneal database (its tables are missing)")


def backup(db: dict[str, Any], target: Path) -> None:
    target = target.resolve()
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such directory")
    fd, tmp_name = tempfile.mkstemp(prefix=".cluneal-backup-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if db["ENGINE"].endswith("sqlite3"):
            try:
                src = sqlite3.connect(_sqlite_path(db))
                dst = sqlite3.connect(tmp)
                try:
                    src.backup(dst)
                    # The copy is one self-contained file, not a WAL database with side files.
                    dst.execute("PRAGMA journal_mode=DELETE")
                finally:
                    dst.close()
                    src.close()
            except sqlite3.Error as exc:
                raise BackupError(f"{_sqlite_path(db)}: cannot back up ({exc})") from None
            _check_sqlite(tmp)
        elif db["ENGINE"].endswith("postgresql"):
            args, env = _pg_env(db)
            done = subprocess.run(
                ["pg_dump", "--format=custom", "--file", str(tmp), *args],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        else:
            raise BackupError(f"backups of {db['ENGINE']} are not supported")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def restore(db: dict[str, Any], source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if db["ENGINE"].endswith("sqlite3"):
        _check_sqlite(source)
        src = sqlite3.connect(f"file:{source}?mode=ro&immutable=1", uri=True)
        dst = sqlite3.connect(_sqlite_path(db), timeout=30)
        try:
            src.backup(dst)  # page by page under the destination's write lock
        finally:
            dst.close()
            src.close()
    elif db["ENGINE"].endswith("postgresql"):
        listed = subprocess.run(
            ["pg_restore", "--list", str(source)], capture_output=True, text=True, check=False
        )
        if listed.returncode != 0:
            raise BackupError(f"{source}: not a pg_dump archive ({listed.stderr.strip()})")
        for table in ("django_migrations", "records_patient"):
            if f"TABLE public {table} " not in listed.stdout:
                raise BackupError(f"{source}: not a Cluneal database (table {table} is missing)")
        args, env = _pg_env(db)
        done = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed (nothing was changed): {done.stderr.strip()}")
    else:
        raise BackupError(f"restores of {db['ENGINE']} are not supported")
