"""The audit trail is append-only in the database too: UPDATE and DELETE on
claims_statuschange raise, whoever sends them (the ORM also refuses, see AppendOnlyQuerySet).
On SQLite only UPDATE is refused in the database (see below)."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION reex_statuschange_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'claims_statuschange is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER statuschange_append_only
    BEFORE UPDATE OR DELETE ON claims_statuschange
    FOR EACH ROW EXECUTE FUNCTION reex_statuschange_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS statuschange_append_only ON claims_statuschange;
DROP FUNCTION IF EXISTS reex_statuschange_append_only();
"""
# SQLite (the embedded, single-machine default) refuses UPDATE only: it has no TRUNCATE, so
# Django's flush (tests, `manage.py flush`) deletes rows one by one, and a DELETE trigger would
# make the database impossible to reset. PostgreSQL, the production database, refuses both;
# its TRUNCATE fires no row triggers.
SQLITE_FORWARD = [
    """CREATE TRIGGER statuschange_no_update BEFORE UPDATE ON claims_statuschange
       BEGIN SELECT RAISE(ABORT, 'claims_statuschange is append-only: UPDATE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS statuschange_no_update;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
