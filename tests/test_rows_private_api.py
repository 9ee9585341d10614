"""plumbing/rows.py reaches into Django below its public API: `connection._prepare_cursor`
(wraps a raw psycopg cursor in Django's CursorWrapper: query logging, error translation),
`close_if_health_check_failed`, the PostgreSQL backend's `ServerBindingCursor` and
`psycopg_any.register_tzloader`, and the SQL compiler's `select` / `get_converters`. These
tests fail when a Django upgrade renames or reshapes one of them, before a request does."""

from __future__ import annotations

import inspect

import pytest
from django.db import connection
from django.db.backends.utils import CursorWrapper

from claims.models import Claim
from plumbing import rows

pytestmark = pytest.mark.django_db


def test_the_connection_still_wraps_a_raw_cursor_as_rows_py_asks():
    assert list(inspect.signature(connection._prepare_cursor).parameters) == ["cursor"]
    assert callable(connection.close_if_health_check_failed)
    connection.ensure_connection()
    wrapped = connection._prepare_cursor(connection.connection.cursor())
    assert isinstance(wrapped, CursorWrapper)
    with wrapped as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1


def test_the_postgresql_backend_parts_rows_py_uses_are_there():
    from django.db.backends.postgresql.base import ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg import Cursor

    assert issubclass(ServerBindingCursor, Cursor)
    assert list(inspect.signature(register_tzloader).parameters)[:2] == ["tz", "context"]
    assert issubclass(rows._preparing_cursor_class(), ServerBindingCursor)


def test_a_compiled_statement_reads_what_the_orm_reads():
    from tests.factories import ClaimFactory

    claim = ClaimFactory()
    compiled = rows.Compiled(
        Claim.objects.filter(pk=1), ["id", "figures", "created_at"], sentinel=(1,)
    )
    assert compiled.run([claim.pk]) == list(
        Claim.objects.filter(pk=claim.pk).values("id", "figures", "created_at")
    )
