"""Fast inserts for the imports: new rows written without the ORM's per-value SQL compiling.

`bulk_create` compiles every value of every row into SQL (`get_db_prep_save`, placeholders):
for an import of 100,000 entities and 150,000 edges that alone took most of the time
(bench.ownership_import). Here the primary keys are reserved first (PostgreSQL: the table's
identity sequence; SQLite: after the table's largest id ever given, inside the import's
transaction, which holds SQLite's write lock), so each instance gets its pk as `bulk_create` would give it, and
the rows go in as they are: PostgreSQL `COPY ... FROM STDIN` (psycopg 3 adapts the Python
values), SQLite `executemany`. Same rows, same constraints checked by the database.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, models

#: Rows per COPY / executemany call.
CHUNK = 5000


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _reserve_pks(model: type[models.Model], n: int) -> list[int]:
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, n],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608
        start = cursor.fetchone()[0]
        # AUTOINCREMENT never reuses a deleted row's id: neither do we.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(start, row[0] if row else 0) + 1
        return list(range(start, start + n))


def insert(objs: Sequence[models.Model]) -> None:
    """INSERT new instances of one model, giving each its pk. Must run inside the import's
    transaction (`transaction.atomic`)."""
    if not objs:
        return
    if connection.vendor not in ("postgresql", "sqlite"):
        type(objs[0]).objects.bulk_create(objs, batch_size=1000)
        return
    model = type(objs[0])
    fields = _columns(model)
    # Values the driver does not take as they are: JSON as text; on SQLite also dates, times
    # and decimals, as Django stores them there (psycopg adapts those itself).
    convert = {}
    for i, f in enumerate(fields):
        if isinstance(f, models.JSONField):
            convert[i] = lambda v: json.dumps(v, ensure_ascii=False)
        elif connection.vendor == "sqlite" and isinstance(
            f, models.DateField | models.DecimalField | models.TimeField
        ):
            convert[i] = lambda v, f=f: f.get_db_prep_save(v, connection)
    for obj, pk in zip(objs, _reserve_pks(model, len(objs)), strict=True):
        obj.pk = pk
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)

    def row(obj: models.Model) -> tuple:
        values = [f.pre_save(obj, True) for f in fields]  # auto_now(_add) set here too
        for i, fn in convert.items():
            if values[i] is not None:
                values[i] = fn(values[i])
        return tuple(values)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for obj in objs:
                    copy.write_row(row(obj))
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('%s' for _ in fields)})"  # noqa: S608
            for start in range(0, len(objs), CHUNK):
                cursor.executemany(sql, [row(o) for o in objs[start : start + CHUNK]])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
