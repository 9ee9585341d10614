"""Statements the hot API paths run on every request, compiled ONCE per process from the
ORM's own querysets and run with each request's parameters: the same SQL the ORM would write
(the joins, annotations and checks resolved once, not per request), the values converted by
the ORM's own converters (JSON, dates: exactly what `.values()` gives). Only the SQL text is
kept between requests, never a result.

On PostgreSQL the fixed statements (the token check, a claim's detail and its evidence) run on
a server-side binding cursor that prepares them: each connection parses and plans each one
once, then only executes it (planning is about 0.3 ms a statement here; the connections
persist: CONN_MAX_AGE). A prepared statement reads the tables as they are at each execution,
and PostgreSQL replans it when a table's schema or statistics change. Behind a
transaction-pooling PgBouncer (a statement prepared on one server connection is unknown on
the next), set REEX_PREPARED_STATEMENTS=0."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.db import connection


class Compiled:
    """A `values(*names)` queryset's SQL and converters. `sentinel`: the parameters the
    queryset was built with, which must be the statement's only ones (each request passes its
    own in their place)."""

    def __init__(self, queryset, names: list[str], sentinel: tuple) -> None:
        compiler = queryset.values(*names).query.get_compiler(connection=connection)
        self.sql, params = compiler.as_sql()
        if tuple(params) != tuple(sentinel):
            raise RuntimeError(f"unexpected parameters {params!r} in {self.sql}")
        self.names = names
        self.converters = list(compiler.get_converters([c[0] for c in compiler.select]).items())

    def rows(self, params: list, *, sql: str | None = None) -> list[list[Any]]:
        """Value lists in `names` order."""
        with _cursor(prepare=sql is None) as cursor:  # the fixed statements only
            cursor.execute(sql or self.sql, params)
            rows = cursor.fetchall()
        out = []
        for row in rows:
            row = list(row)
            for pos, (convs, expression) in self.converters:
                value = row[pos]
                for convert in convs:
                    value = convert(value, expression, connection)
                row[pos] = value
            out.append(row)
        return out

    def run(self, params: list, *, sql: str | None = None) -> list[dict[str, Any]]:
        return [dict(zip(self.names, r, strict=True)) for r in self.rows(params, sql=sql)]


def _cursor(*, prepare: bool):
    """Django's cursor (query logging, error wrapping, health checks included); on PostgreSQL,
    for `prepare`, one that binds server-side and prepares the statement."""
    if not (prepare and connection.vendor == "postgresql" and settings.REEX_PREPARED_STATEMENTS):
        return connection.cursor()
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg import adapters
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        if raw.prepare_threshold is None:  # Django's default: psycopg prepares nothing
            raw.prepare_threshold = 2**31 - 1  # only what asks to be (never by count)
        cursor = _preparing_cursor_class()(raw)
        tz_oid = adapters.types["timestamptz"].oid
        loader = connection.connection.adapters.get_loader(tz_oid, Format.TEXT)
        if connection.timezone != loader.timezone:  # as Django's create_cursor does
            register_tzloader(connection.timezone, cursor)
        return connection._prepare_cursor(cursor)


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Server-side binding, and every statement prepared (Django turns psycopg's automatic
        preparation off for the connection, for poolers' sake; Django's own cursors bind
        client-side and never prepare)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=prepare is not False, binary=binary)

    return PreparingCursor
