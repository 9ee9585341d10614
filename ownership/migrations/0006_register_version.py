"""The register version (`ownership.models.RegisterVersion`) and the triggers that change it.

The columns below are those `ownership.chains.spelled_sql` reads: entities' id, name, kind,
country and public role; controlling edges (`controlling OR stake_pct > 50`) by owner, owned
and `confirmed`. A trigger that missed one would let a reader keep a graph the database no
longer holds, so tests/test_register_version.py edits each column behind the ORM's back.
"""

# ruff: noqa: S608  (only this file's constant table, column and function names go into the SQL)

from django.db import migrations, models

ENTITY = "sources_entity"
EDGE = "sources_ownership"
TABLE = "ownership_registerversion"
SEQUENCE = "ownership_register_version_seq"
FUNCTION = "ownership_register_changed"
EVENTS = ("insert", "update", "delete", "truncate")

# --- PostgreSQL: one statement-level trigger per table and event, reading the statement's
# transition tables, so a bulk import's statement bumps the version once, not once a row.
PG_CONTROLLING = "coalesce({t}.controlling OR {t}.stake_pct > 50, false)"
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed boolean;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    changed := true;
  ELSIF TG_TABLE_NAME = '{ENTITY}' THEN
    IF TG_OP = 'INSERT' THEN
      changed := EXISTS (SELECT 1 FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
      changed := EXISTS (SELECT 1 FROM old_rows);
    ELSE
      changed := EXISTS (
        SELECT 1 FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
        WHERE o.id IS NULL OR n.id IS NULL
           OR (o.name, o.kind, o.country, o.public_role)
              IS DISTINCT FROM (n.name, n.kind, n.country, n.public_role));
    END IF;
  ELSE
    IF TG_OP = 'INSERT' THEN
      changed := EXISTS (SELECT 1 FROM new_rows n WHERE {PG_CONTROLLING.format(t="n")});
    ELSIF TG_OP = 'DELETE' THEN
      changed := EXISTS (SELECT 1 FROM old_rows o WHERE {PG_CONTROLLING.format(t="o")});
    ELSE
      changed := EXISTS (
        SELECT 1 FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
        WHERE ({PG_CONTROLLING.format(t="o")} OR {PG_CONTROLLING.format(t="n")})
          AND ({PG_CONTROLLING.format(t="o")}, o.id, o.owner_id, o.owned_id, o.confirmed)
              IS DISTINCT FROM
              ({PG_CONTROLLING.format(t="n")}, n.id, n.owner_id, n.owned_id, n.confirmed));
    END IF;
  END IF;
  IF changed THEN
    INSERT INTO {TABLE} (id, version) VALUES (1, nextval('{SEQUENCE}'))
    ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;
  END IF;
  RETURN NULL;
END
$$;
"""
PG_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "truncate": "",
}

# --- SQLite: row-level triggers (all it has); the WHEN clauses say the same as the function.
SQLITE_BUMP = (
    f"INSERT INTO {TABLE} (id, version) VALUES (1, random()) "
    "ON CONFLICT(id) DO UPDATE SET version = excluded.version;"
)
SQLITE_CONTROLLING = "coalesce({t}.controlling OR {t}.stake_pct > 50, 0)"
SQLITE_WHEN = {
    (ENTITY, "insert"): "",
    (ENTITY, "delete"): "",
    (ENTITY, "update"): "WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name "
    "OR OLD.kind IS NOT NEW.kind OR OLD.country IS NOT NEW.country "
    "OR OLD.public_role IS NOT NEW.public_role",
    (EDGE, "insert"): f"WHEN {SQLITE_CONTROLLING.format(t='NEW')}",
    (EDGE, "delete"): f"WHEN {SQLITE_CONTROLLING.format(t='OLD')}",
    (EDGE, "update"): f"WHEN ({SQLITE_CONTROLLING.format(t='OLD')} "
    f"OR {SQLITE_CONTROLLING.format(t='NEW')}) AND (OLD.id IS NOT NEW.id "
    "OR OLD.owner_id IS NOT NEW.owner_id OR OLD.owned_id IS NOT NEW.owned_id "
    "OR OLD.confirmed IS NOT NEW.confirmed "
    f"OR {SQLITE_CONTROLLING.format(t='OLD')} IS NOT {SQLITE_CONTROLLING.format(t='NEW')})",
}


def _trigger(table: str, event: str) -> str:
    return f"{TABLE}_{'entity' if table == ENTITY else 'edge'}_{event}"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
        schema_editor.execute(PG_FUNCTION)
        for table in (ENTITY, EDGE):
            for event in EVENTS:
                schema_editor.execute(
                    f"CREATE TRIGGER {_trigger(table, event)} AFTER {event.upper()} ON {table} "
                    f"{PG_REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
                )
        schema_editor.execute(
            f"INSERT INTO {TABLE} (id, version) VALUES (1, nextval('{SEQUENCE}'))"
        )
    elif vendor == "sqlite":
        for (table, event), when in SQLITE_WHEN.items():
            schema_editor.execute(
                f"CREATE TRIGGER {_trigger(table, event)} AFTER {event.upper()} ON {table} "
                f"{when} BEGIN {SQLITE_BUMP} END"
            )
        schema_editor.execute(f"INSERT INTO {TABLE} (id, version) VALUES (1, random())")
    else:
        raise NotImplementedError(f"register version triggers for {vendor}")


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in (ENTITY, EDGE):
            for event in EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, event)} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")
    elif vendor == "sqlite":
        for table, event in SQLITE_WHEN:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, event)}")
    # The content type (and its permissions, by cascade) that post_migrate made for the model:
    # a database taken back before this migration holds no trace of it.
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="ownership", model="registerversion"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ownership", "0005_imported_from_bods_choice"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegisterVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("version", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "register version",
            },
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
