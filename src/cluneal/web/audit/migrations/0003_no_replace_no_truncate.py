"""Close what the triggers of 0002 leave open: rewriting an entry without UPDATE or DELETE.

SQLite: ``INSERT OR REPLACE`` / ``REPLACE INTO`` with an existing id deletes the old row
without firing DELETE triggers (SQLite fires them on REPLACE only with ``recursive_triggers``,
a per-connection setting no other client need share). A BEFORE INSERT trigger refuses an id
that exists, whatever the conflict clause; an AFTER INSERT trigger refuses ids below 1, since
SQLite gives NEW.id as -1 in a BEFORE INSERT trigger when no id is given, and a row -1 would
then make every later entry look like a replacement. (UPSERT, ``ON CONFLICT DO UPDATE``, fires
the UPDATE trigger of 0002 as well.)

PostgreSQL: ``INSERT ... ON CONFLICT DO UPDATE`` and ``MERGE`` fire the row triggers of 0002;
``TRUNCATE`` fires none: a statement trigger refuses it.

``cluneal restore`` checks a backup for these triggers (:mod:`cluneal.web.backup` reads the
``SQLITE`` and ``POSTGRES`` statements of the audit migrations).
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit_auditevent
       WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE id = NEW.id)
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TRIGGER audit_positive_id AFTER INSERT ON audit_auditevent
       WHEN NEW.id < 1
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
]
POSTGRES = [
    """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
]
DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_no_replace",
        "DROP TRIGGER IF EXISTS audit_positive_id",
    ],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent"],
}


def create(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(create, drop)]
