"""Validators for conditional GETs of claims (ETag, Last-Modified): computed from stamps the
write paths keep, so a 304 is answered before the body is built.

A claim's representation is fixed by its own row and its evidence and snapshots (all of which
move `Claim.changed_at`: claims/materialised.py, claims.services), its article's row
(`Article.updated_at`) and its stored suggestion, which moves `changed_at` too whenever what it
shows changes. So while the stored row is current (`current_row`: the same check the reads
make), the pair of stamps names one representation: the **stamp ETag**. When it is not current
(a write no path saw: the representation is computed as the read happens), nothing stamps it,
and the ETag is the hash of the bytes, as it always was: the body is built first.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from claims.materialised import current_row
from claims.suggestion import min_sources

#: Part of every stamp ETag: change it when the presenters write something else for the same
#: rows (a field added, a format changed), so no client keeps an older shape by a 304.
REPRESENTATION = "1"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _stamps(claim) -> str | None:
    row = current_row(claim)
    if row is None:
        return None
    return (
        f"{claim.id}:{claim.changed_at.isoformat()}:{claim.article.updated_at.isoformat()}:"
        f"{row.generation}"
    )


def claim_etag(claim) -> str | None:
    """The stamp ETag of one claim's detail, or None when its stored row is not current."""
    stamps = _stamps(claim)
    if stamps is None:
        return None
    return f'"c{_hash(f"{REPRESENTATION}|{min_sources()}|detail|{stamps}")}"'


def page_etag(claims: list, *, count: int, url: str) -> str | None:
    """The stamp ETag of a list page: its address (the links it carries), the list's count and
    each claim's stamps; None when one of its claims' stored rows is not current."""
    parts = [_stamps(c) for c in claims]
    if any(p is None for p in parts):
        return None
    joined = ";".join(parts)
    return f'"p{_hash(f"{REPRESENTATION}|{min_sources()}|{url}|{count}|{joined}")}"'


def body_etag(data: Any) -> str:
    """The hash of the representation (when no stamp names it)."""
    return f'"{_hash(json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder))}"'


def last_modified(claim) -> datetime:
    return max(claim.changed_at, claim.article.updated_at)


def conditional_response(
    request: Request, *, etag: str, modified: datetime | None = None
) -> Response | None:
    """304 (or 412) when the request's preconditions say so, else None; headers included."""
    found = get_conditional_response(
        request._request,
        etag=etag,
        last_modified=None if modified is None else int(modified.timestamp()),
    )
    if found is None:
        return None
    headers = validator_headers(etag=etag, modified=modified)
    if found.status_code == status.HTTP_304_NOT_MODIFIED:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(
        {"detail": "The claim changed: your precondition failed.", "code": "precondition_failed"},
        status=found.status_code,
        headers=headers,
    )


def validator_headers(*, etag: str, modified: datetime | None = None) -> dict[str, str]:
    headers = {"ETag": etag}
    if modified is not None:
        headers["Last-Modified"] = http_date(modified.timestamp())
    return headers
