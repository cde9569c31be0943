"""The audit trail is append-only in the database itself: every statement that could rewrite or
remove an entry is rejected, on SQLite and on PostgreSQL (run these tests with DATABASE_URL
pointing at PostgreSQL for the second), and the entry is left exactly as it was.

The statements are raw SQL through Django's connection, as any client of the database could
send them: UPDATE, DELETE, REPLACE, INSERT OR REPLACE, UPSERT (ON CONFLICT DO UPDATE), and on
PostgreSQL TRUNCATE and MERGE."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action, AuditEvent

APPEND_ONLY = "the audit trail is append-only"
T = "audit_auditevent"


def columns() -> list[str]:
    return [f.column for f in AuditEvent._meta.concrete_fields]


def copy_of(changed: dict[str, str]) -> str:
    """A SELECT list copying entry %(id)s with some columns replaced by SQL expressions."""
    return ", ".join(changed.get(c, c) for c in columns())


def rewrites(vendor: str) -> list[tuple[str, str]]:
    """(what, SQL) for every way of rewriting or removing entry %(id)s; ``{cols}`` is the
    column list."""
    cols = ", ".join(columns())
    mallory = copy_of({"actor": "'mallory'"})
    same = f"SELECT {mallory} FROM {T} WHERE id = %(id)s"
    common = [
        ("UPDATE", f"UPDATE {T} SET actor = 'mallory' WHERE id = %(id)s"),
        ("UPDATE of the id", f"UPDATE {T} SET id = id + 1000 WHERE id = %(id)s"),
        ("UPDATE of every row", f"UPDATE {T} SET changes = changes"),
        ("DELETE", f"DELETE FROM {T} WHERE id = %(id)s"),
        ("DELETE of every row", f"DELETE FROM {T}"),
        ("INSERT of an existing id", f"INSERT INTO {T} ({cols}) {same}"),
        (
            "UPSERT (ON CONFLICT DO UPDATE)",
            f"INSERT INTO {T} ({cols}) {same} ON CONFLICT (id) DO UPDATE SET actor = 'mallory'",
        ),
        (
            "UPSERT from EXCLUDED",
            f"INSERT INTO {T} ({cols}) {same} ON CONFLICT (id) DO UPDATE"
            " SET actor = excluded.actor, changes = excluded.changes",
        ),
    ]
    if vendor == "sqlite":
        by_rowid = cols.replace("id, ", "rowid, ", 1)
        return [
            *common,
            ("REPLACE INTO", f"REPLACE INTO {T} ({cols}) {same}"),
            ("INSERT OR REPLACE", f"INSERT OR REPLACE INTO {T} ({cols}) {same}"),
            ("REPLACE by rowid", f"REPLACE INTO {T} ({by_rowid}) {same}"),
            ("UPDATE OR REPLACE", f"UPDATE OR REPLACE {T} SET actor = 'mallory' WHERE id = %(id)s"),
            (
                "UPSERT without a conflict target",
                f"INSERT INTO {T} ({cols}) {same} ON CONFLICT DO UPDATE SET actor = 'mallory'",
            ),
        ]
    return [
        *common,
        ("TRUNCATE", f"TRUNCATE {T}"),
        ("TRUNCATE CASCADE", f"TRUNCATE {T} CASCADE"),
        ("TRUNCATE ONLY", f"TRUNCATE ONLY {T} RESTART IDENTITY"),
        (
            "MERGE ... UPDATE",
            f"MERGE INTO {T} t USING (SELECT %(id)s::bigint AS id) s ON t.id = s.id"
            " WHEN MATCHED THEN UPDATE SET actor = 'mallory'",
        ),
        (
            "MERGE ... DELETE",
            f"MERGE INTO {T} t USING (SELECT %(id)s::bigint AS id) s ON t.id = s.id"
            " WHEN MATCHED THEN DELETE",
        ),
        (
            "DELETE in a CTE",
            f"WITH gone AS (DELETE FROM {T} WHERE id = %(id)s RETURNING id) SELECT * FROM gone",
        ),
        (
            "UPDATE ... FROM",
            f"UPDATE {T} SET actor = 'mallory' FROM (SELECT 1) x WHERE id = %(id)s",
        ),
    ]


def attempt(sql: str, entry: int) -> str | None:
    """Run one statement in a savepoint; the database's error, or None if it was accepted."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {"id": entry})
    except DatabaseError as exc:
        return str(exc)
    return None


def rows() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {T} ORDER BY id")
        return cursor.fetchall()


@pytest.fixture
def entries() -> list[AuditEvent]:
    made = [
        record(None, Action.VIEW, actor="alice", changes={"n": 1}),
        record(None, Action.UPDATE, actor="bob", changes={"name": {"changed": True}}),
    ]
    if connection.vendor == "postgresql":
        # Run the deferred foreign-key checks of these inserts now, as a commit would: with
        # them pending, PostgreSQL refuses TRUNCATE before any trigger is asked.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return made


@pytest.mark.django_db
def test_every_rewrite_of_an_entry_is_rejected_and_the_entry_unchanged(entries):
    before = rows()
    family = rewrites(connection.vendor)
    assert len(family) >= 13
    answers = {}
    for what, sql in family:
        answers[what] = attempt(sql, entries[0].pk)
        assert rows() == before, what
    # The primary key refuses a plain INSERT of an existing id; the triggers refuse the rest.
    assert answers.pop("INSERT of an existing id") is not None
    assert {what: APPEND_ONLY in (error or "") for what, error in answers.items()} == dict.fromkeys(
        answers, True
    )


@pytest.mark.django_db
def test_inserts_that_ignore_a_conflict_change_nothing(entries):
    before = rows()
    cols = ", ".join(columns())
    same = f"SELECT {copy_of({'actor': repr('mallory')})} FROM {T} WHERE id = %(id)s"
    statements = [f"INSERT INTO {T} ({cols}) {same} ON CONFLICT DO NOTHING"]
    if connection.vendor == "sqlite":
        statements.append(f"INSERT OR IGNORE INTO {T} ({cols}) {same}")
    for sql in statements:
        error = attempt(sql, entries[0].pk)
        assert error is None or APPEND_ONLY in error, error
        assert rows() == before, sql


@pytest.mark.django_db
@pytest.mark.parametrize("new_id", [0, -1, -(2**63)])
def test_on_sqlite_an_entry_below_id_1_is_rejected_so_appends_keep_working(entries, new_id):
    """SQLite shows an id not given as -1 to BEFORE INSERT triggers: a row -1 would make every
    later entry look like a replacement of it. (PostgreSQL numbers entries itself.)"""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's NEW.id of -1 only")
    cols = ", ".join(columns())
    copy = copy_of({"id": "%(new)s"})
    with (
        pytest.raises(DatabaseError, match=APPEND_ONLY),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"INSERT INTO {T} ({cols}) SELECT {copy} FROM {T} WHERE id = %(id)s",
            {"id": entries[0].pk, "new": new_id},
        )
    third = record(None, Action.VIEW, actor="carol")
    assert third.pk > entries[1].pk
    assert AuditEvent.objects.order_by("id").last().actor == "carol"


@pytest.mark.django_db
def test_appending_still_works_one_by_one_and_in_bulk(entries):
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=f"bulk {i}", action=Action.VIEW) for i in range(5)
    )
    record(None, Action.VIEW, actor="after bulk")
    actors = list(AuditEvent.objects.order_by("id").values_list("actor", flat=True))
    assert actors == ["alice", "bob", *(f"bulk {i}" for i in range(5)), "after bulk"]
