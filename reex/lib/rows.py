"""Statements the hot API paths run on every request, compiled ONCE per process from the
ORM's own querysets and run with each request's parameters: the same SQL the ORM would write
(the joins, annotations and checks resolved once, not per request), the values converted by
the ORM's own converters (JSON, dates: exactly what `.values()` gives). Only the SQL text is
kept between requests, never a result."""

from __future__ import annotations

from typing import Any

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
        with connection.cursor() as cursor:
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
