"""The sync feed's pages (`GET /api/v1/claims/sync/`): a keyset cursor over the claims'
(`changed_at`, `id`) index. No COUNT and no OFFSET: a page is one range of the index, whatever
the table's size.

Why nothing is skipped while claims change during a walk: a page never reads past the
**horizon**, the start of the oldest transaction still open on the database (PostgreSQL:
`pg_stat_activity.xact_start`; never later than now). Every write sets `changed_at` to the
database's clock inside its own transaction (`Now()`, at or after that transaction's start),
so a change not yet committed always lies at or after the horizon, and everything before the
horizon is committed and visible to the next statement. The cursor therefore never moves past
a change that could still appear behind it. The horizon is read in its own statement *before*
the page's: a transaction that commits in between is then either before the horizon and
visible, or after it and left for a later page.

On SQLite (the embedded default) writes take the database's lock when they begin
(`transaction_mode` IMMEDIATE, reex/settings.py) and so never overlap a read of the page's
range; the horizon is now.

A claim that changes during a walk moves to the end of the feed: it is sent again there, in its
new state (never twice in the same state). When a page ends before the horizon and changes
exist at or after it, `next` is given anyway: follow it (a moment later) to get them.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from claims.api.rows import claim_page
from claims.models import Claim
from plumbing.api import StrictPageSize

_KEY = f'("{Claim._meta.db_table}"."changed_at", "{Claim._meta.db_table}"."id")'
_HORIZON_SQL = (
    "SELECT least(statement_timestamp(), min(xact_start)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND backend_type = 'client backend' "
    "AND pid <> pg_backend_pid()"
)


def horizon() -> datetime:
    """The feed reads only changes before this time: every one of them is committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_HORIZON_SQL)
            return cursor.fetchone()[0]
    return timezone.now()


def encode_cursor(changed_at: datetime, pk: int, *, forward: bool) -> str:
    raw = json.dumps([changed_at.astimezone(UTC).isoformat(), pk, "f" if forward else "b"])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime, int, bool]:
    """(changed_at, id, forward); ValueError for anything this API did not write."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        stamp, pk, way = json.loads(raw)
        changed_at = datetime.fromisoformat(stamp)
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None
    if (
        changed_at.tzinfo is None
        or not isinstance(pk, int)
        or isinstance(pk, bool)
        or not 0 <= pk <= 2**63 - 1
        or way not in ("f", "b")
    ):
        raise ValueError("not a cursor")
    return changed_at, pk, way == "f"


class ClaimChangesPagination(StrictPageSize, BasePagination):
    """Keyset pages of claims in (`changed_at`, `id`) order: `{next, previous, results}`."""

    cursor_query_param = "cursor"
    page_size = 200
    max_page_size = 1000
    invalid_cursor_message = "That cursor is not valid: start again without one, or follow `next`."

    def paginate_queryset(self, queryset: QuerySet[Claim], request, view=None) -> list:
        self.request = request
        size = self.get_page_size(request)
        values = request.query_params.getlist(self.cursor_query_param)
        if len(values) > 1:
            raise NotFound(self.invalid_cursor_message)
        position = None
        if values:
            try:
                position = decode_cursor(values[0])
            except ValueError:
                raise NotFound(self.invalid_cursor_message) from None
        forward = position is None or position[2]
        until = horizon()  # before the page's statement: see the module's docstring
        keys = queryset.filter(changed_at__lt=until)
        if position is not None:
            keys = keys.filter(
                RawSQL(  # noqa: S611 (our own column names and one operator)
                    f"{_KEY} {'>' if forward else '<'} (%s, %s)",
                    [connection.ops.adapt_datetimefield_value(position[0]), position[1]],
                    output_field=BooleanField(),
                )
            )
        order = ("changed_at", "id") if forward else ("-changed_at", "-id")
        # The page's keys as a subquery of the statement that reads its rows: one snapshot, so
        # the cursor is the very state the rows show.
        rows = claim_page(keys.order_by(*order).values_list("pk")[: size + 1])
        rows.sort(key=lambda c: (c.changed_at, c.id), reverse=not forward)
        more = len(rows) > size
        rows = rows[:size]
        if not forward:
            rows.reverse()
        self.next = self.previous = None
        first = encode_cursor(rows[0].changed_at, rows[0].id, forward=False) if rows else None
        last = encode_cursor(rows[-1].changed_at, rows[-1].id, forward=True) if rows else None
        if forward:
            if more or queryset.filter(changed_at__gte=until).exists():
                # A full page, or changes still being written at or after the horizon: from
                # the last claim sent (or from where this page started, when it is empty).
                self.next = last or (values[0] if values else "")
            if position is not None:
                self.previous = first
        else:
            # Backwards (a `previous` link): `next` leads forward again from the page's end.
            self.next = last or encode_cursor(position[0], position[1] - 1, forward=True)
            if more:
                self.previous = first
        return rows

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        if cursor == "":  # the feed from its start
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data) -> Response:
        return Response(
            {"next": self._link(self.next), "previous": self._link(self.previous), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page; null once you have caught up.",
                },
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The cursor from a `next` or `previous` link (opaque).",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page: 1 to {self.max_page_size} "
                f"(default {self.page_size}).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                },
            },
        ]
