"""SQLite rebuilds a table to alter a column (0007_text_max_lengths changed the rationale's
max_length on claims_statuschange), and the rebuilt table has no triggers: put the append-only
UPDATE trigger of 0002 back. PostgreSQL alters in place and keeps its trigger."""

from django.db import migrations

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS statuschange_no_update;",
    """CREATE TRIGGER statuschange_no_update BEFORE UPDATE ON claims_statuschange
       BEGIN SELECT RAISE(ABORT, 'claims_statuschange is append-only: UPDATE refused'); END;""",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("claims", "0010_merge_20261202_2104")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
