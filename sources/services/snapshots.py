"""Writes on sources: the snapshot state machine of one attempt (reserved, stored, archived,
failed, retried). Requests for work are sources.services.requests, the sweep's writes
sources.services.sweep.

Every write of an attempt's state is here; `sources.archive` fetches, stores and extracts
(sources.extract reads text), and calls these functions to record what happened.

    reserve   pending → fetching by a conditional UPDATE (or reclaim a `fetching` row abandoned
              longer than REEX_ARCHIVE_STALE_SECONDS: its worker died); the reservation's start
              time is the token every later write is conditioned on
    stored    body, hash and WARC written onto the row; the row stays `fetching`
    extracted fetching → archived with the text, only if our token still holds; then
              `snapshot_archived` (receivers rely on the text being there)
    failed    transient: back to `pending` with the reason, retried later; permanent or the last
              attempt: `failed` with the reason in words; then `snapshot_failed`

Nothing here imports the fetcher or the extractor (trafilatura, lxml, pypdf): this is what the
archive task and the sweep fall back on when those cannot even be imported, so that a broken
install ends snapshots `failed` with its reason instead of leaving them `pending` for ever.
"""

from __future__ import annotations

import logging
import re
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from plumbing.backoff import backoff
from sources.models import Snapshot
from sources.selectors import last_archived_before
from sources.signals import snapshot_archived, snapshot_failed, snapshot_state_written

if TYPE_CHECKING:
    from sources.fetch import FetchError

log = logging.getLogger(__name__)

# PostgreSQL text and jsonb refuse NUL (and psycopg cannot encode a lone surrogate to UTF-8);
# pypdf output and odd text/plain bodies carry them. The stored body and WARC keep every byte.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Outcome:
    """What happened: `archived`, `stored` (extraction queued), `failed`, `retry` (after
    `countdown` seconds) or `skipped`."""

    status: str
    reason: str = ""
    countdown: float = 0.0


def storable(value):
    """`value` (a str, or JSON made of dicts, lists and strs) without the characters PostgreSQL
    text and jsonb refuse: NUL and lone surrogates."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def backoff_seconds(attempt: int, *, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter: base·2^(n-1), capped, then between half and all of it.
    A server's Retry-After is honoured when longer (still under the cap)."""
    return backoff(
        attempt,
        base=settings.REEX_ARCHIVE_RETRY_BASE_SECONDS,
        cap=settings.REEX_ARCHIVE_RETRY_MAX_SECONDS,
        jitter_below_cap=True,
        retry_after=retry_after,
    )


def send_after_commit(signal, snapshot_id: int, *, instance: Snapshot | None = None) -> None:
    """Send `signal` for the snapshot once the current transaction commits; a failing receiver
    is logged, never raised. `instance`: the snapshot as the committing write left it (what the
    writer just set on it), sent instead of reading the row again."""

    def send() -> None:
        snapshot = instance if instance is not None else Snapshot.objects.get(pk=snapshot_id)
        for receiver, response in signal.send_robust(sender=Snapshot, snapshot=snapshot):
            if isinstance(response, Exception):
                log.error(
                    "receiver %r failed for snapshot %s",
                    receiver,
                    snapshot_id,
                    exc_info=(type(response), response, response.__traceback__),
                )

    transaction.on_commit(send)


def _write_state(rows, ids: list[int], **fields) -> int:
    """`rows.update(**fields)` and, when a row changed, `snapshot_state_written` for `ids`, in
    one transaction: every change of a snapshot's state goes through here (or, for the
    reservation, through `snapshot_reserve_row`, which does the same in one UPDATE ... RETURNING)."""
    with transaction.atomic():
        updated = rows.update(**fields)
        if updated:
            snapshot_state_written.send(sender=Snapshot, snapshot_ids=ids)
    return updated


# --- One attempt: reserve, stored, extracted, failed ------------------------------------------


def reservable() -> Q:
    """Rows a delivery of the archive task may take: `pending`, or `fetching` with a reservation
    older than REEX_ARCHIVE_STALE_SECONDS (its worker died)."""
    stale_before = timezone.now() - timedelta(seconds=settings.REEX_ARCHIVE_STALE_SECONDS)
    return Q(status=Snapshot.Status.PENDING) | Q(
        Q(fetch_started_at__lt=stale_before) | Q(fetch_started_at__isnull=True),
        status=Snapshot.Status.FETCHING,
    )


def snapshot_reserve(*, snapshot_id: int) -> datetime | None:
    """Take the snapshot for one attempt (`fetching`, attempts + 1); the token to condition
    every later write of this attempt on, or None when another worker has it or it is done."""
    reserved = snapshot_reserve_row(snapshot_id=snapshot_id)
    return reserved.fetch_started_at if reserved is not None else None


def snapshot_reserve_row(*, snapshot_id: int) -> Snapshot | None:
    """`snapshot_reserve`, returning the row as reserved (its `fetch_started_at` is the token):
    one UPDATE ... RETURNING, not a conditional update and then a read of the row. None when
    another worker has it or it is done."""
    now = timezone.now()
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    column = {f.name: quote(f.column) for f in Snapshot._meta.concrete_fields}
    # Compare-and-swap: of two workers handed the same id, exactly one updates a row. The
    # condition is `reservable()`'s own, compiled by the ORM (no second spelling of it).
    query = Snapshot.objects.filter(reservable(), pk=snapshot_id).query
    where, where_params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    sql = (
        f"UPDATE {quote(Snapshot._meta.db_table)} SET {column['status']} = %s, "  # noqa: S608
        f"{column['fetch_started_at']} = %s, {column['attempts']} = {column['attempts']} + 1, "
        f"{column['updated_at']} = %s WHERE {where} RETURNING *"
    )
    params = [Snapshot.Status.FETCHING, now, now, *where_params]
    with transaction.atomic():
        rows = list(Snapshot.objects.raw(sql, params))
        if rows:
            snapshot_state_written.send(sender=Snapshot, snapshot_ids=[snapshot_id])
    return rows[0] if rows else None


def _finish(snapshot_id: int, token: datetime, **fields) -> bool:
    """Write only while our reservation holds (a reclaimed row is not ours)."""
    fields.setdefault("updated_at", timezone.now())
    rows = Snapshot.objects.filter(
        pk=snapshot_id, status=Snapshot.Status.FETCHING, fetch_started_at=token
    )
    if "status" not in fields:  # still fetching: nothing derived from the state changes
        return bool(rows.update(**fields))
    return bool(_write_state(rows, [snapshot_id], **fields))


def snapshot_lost_too_often(*, snapshot: Snapshot, token: datetime) -> Outcome:
    """Reclaimed again and again: something about this page kills workers. End it `failed`."""
    reason = f"gave up after {snapshot.attempts - 1} attempts: the worker was lost while archiving"
    if _finish(snapshot.pk, token, status=Snapshot.Status.FAILED, error=reason, error_kind="lost"):
        send_after_commit(snapshot_failed, snapshot.pk)
    return Outcome("failed", reason)


def _savepoint_if_nested():
    """A savepoint when the caller holds a transaction open, so that a refused write leaves
    its connection usable for recording the failure; outside one, a single UPDATE is atomic by
    itself and BEGIN/COMMIT would be two more round trips on every page archived."""
    return transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()


def snapshot_stored(*, snapshot_id: int, token: datetime, **fields) -> bool:
    """Record the fetched response and the stored body and WARC (`body`, `sha256`, `warc`,
    `final_url`, `headers`, ...) on the row, which stays `fetching` until its text is extracted.
    False when the reservation was lost to another worker (nothing is written)."""
    with _savepoint_if_nested():
        return _finish(snapshot_id, token, error="", error_kind="", **fields)


def snapshot_extracted(
    *,
    snapshot: Snapshot,
    token: datetime,
    title: str = "",
    text: str = "",
    author: str = "",
    published_on: date | None = None,
    site_name: str = "",
    canonical_url: str = "",
    note: str = "",
) -> Outcome:
    """fetching → archived with the extracted text (or none, and `note` saying why), only while
    our reservation holds; `drift` against the last archived snapshot of a re-check. Then
    `snapshot_archived`, after commit."""
    drift = Snapshot.Drift.NONE
    earlier = last_archived_before(snapshot)
    # A browser capture's body is the rendered DOM: measured against captures of its kind only.
    if (
        earlier is not None
        and earlier.sha256 != snapshot.sha256
        and earlier.capture == snapshot.capture
    ):
        drift = Snapshot.Drift.CHANGED
    now = timezone.now()
    fields = {
        "status": Snapshot.Status.ARCHIVED,
        "title": storable(title),
        "text": storable(text),
        "author": storable(author)[:500],
        "published_on": published_on,
        "site_name": storable(site_name)[:500],
        "canonical_url": storable(canonical_url)[:2000],
        "error": storable(note),
        "error_kind": "",
        "drift": drift,
        "archived_at": now,
        "updated_at": now,
    }
    with _savepoint_if_nested():
        finished = _finish(snapshot.pk, token, **fields)
        if finished:
            # The receivers get the instance with what was just written, not a second read.
            for name, value in fields.items():
                setattr(snapshot, name, value)
            send_after_commit(snapshot_archived, snapshot.pk, instance=snapshot)
    if not finished:
        # Another worker reclaimed the row (we were presumed dead): its result stands.
        return Outcome("skipped", "reservation lost to another worker")
    return Outcome("archived")


def snapshot_extraction_crashed(
    *, snapshot_id: int, token: datetime, error: BaseException
) -> Outcome:
    """The extraction task died of something extraction itself did not catch (the extractor
    cannot be imported, a bug): the body is stored, so the snapshot ends `archived` without
    text and says why, rather than waiting for the sweep."""
    snapshot = Snapshot.objects.select_related("previous").filter(pk=snapshot_id).first()
    if snapshot is None:
        return Outcome("skipped", "snapshot is gone")
    return snapshot_extracted(
        snapshot=snapshot,
        token=token,
        note=f"archived, but text extraction failed: {crash_reason(error)}",
    )


# What `snapshot_stored` wrote, undone when the attempt fails after it (its files are deleted).
_UNSTORED = {"body": "", "warc": "", "sha256": "", "size": None, "screenshot": "", "wacz": ""}


def snapshot_fetch_failed(
    *, snapshot: Snapshot, token: datetime, error: FetchError, unstore: bool = False
) -> Outcome:
    """An attempt that ended in `error` (a FetchError): transient ones go back to `pending`
    with the reason and are retried after a backoff while attempts remain; otherwise `failed`
    (with `drift = vanished` when a re-check found 404/410), then `snapshot_failed`.
    `unstore`: the attempt had stored its body and WARC; the row stops referring to them."""
    attempts = Snapshot.objects.filter(pk=snapshot.pk).values_list("attempts", flat=True).first()
    attempts = attempts or 0
    limit = settings.REEX_ARCHIVE_MAX_ATTEMPTS
    undo = _UNSTORED if unstore else {}
    if error.transient and attempts < limit:
        countdown = backoff_seconds(attempts, retry_after=error.retry_after)
        _finish(
            snapshot.pk,
            token,
            status=Snapshot.Status.PENDING,
            error=storable(
                f"{error.reason} (attempt {attempts} of {limit}; "
                f"trying again in about {round(countdown)} s)"
            ),
            error_kind=error.kind,
            http_status=error.status,
            **undo,
        )
        return Outcome("retry", error.reason, countdown)

    drift = Snapshot.Drift.NONE
    if error.status in (404, 410) and last_archived_before(snapshot) is not None:
        drift = Snapshot.Drift.VANISHED
    reason = error.reason
    if error.transient:
        reason = f"{error.reason} (gave up after {attempts} attempts)"
    if _finish(
        snapshot.pk,
        token,
        status=Snapshot.Status.FAILED,
        error=storable(reason),
        error_kind=error.kind,
        http_status=error.status,
        drift=drift,
        **undo,
    ):
        send_after_commit(snapshot_failed, snapshot.pk)
    return Outcome("failed", reason)


def crash_reason(error: BaseException) -> str:
    """`internal error: ImportError: lxml.html.clean module is now a separate project …`"""
    text = " ".join(str(error).split())
    return f"internal error: {type(error).__name__}: {text}" if text else type(error).__name__


def snapshot_attempt_crashed(*, snapshot_id: int, error: BaseException) -> Outcome:
    """Record an archive attempt that died of something the fetcher did not expect (the
    extractor cannot be imported, a bug) before the service could reserve the row: it counts as
    an attempt, is retried with backoff while attempts remain, and then ends `failed` with the
    reason. A row another worker holds, or that is finished, is left alone."""
    reason = crash_reason(error)
    limit = settings.REEX_ARCHIVE_MAX_ATTEMPTS
    row = Snapshot.objects.filter(reservable(), pk=snapshot_id).values("status", "attempts").first()
    if row is None:
        return Outcome("skipped", "snapshot is not waiting for an attempt")
    attempt = row["attempts"] + 1
    # Compare-and-swap on (status, attempts): a worker that reserved the row meanwhile wins.
    guard = Snapshot.objects.filter(pk=snapshot_id, status=row["status"], attempts=row["attempts"])
    now = timezone.now()
    if attempt < limit:
        countdown = backoff_seconds(attempt)
        updated = _write_state(
            guard,
            [snapshot_id],
            status=Snapshot.Status.PENDING,
            attempts=F("attempts") + 1,
            error=f"{reason} (attempt {attempt} of {limit}; trying again in about {round(countdown)} s)",
            error_kind="internal",
            updated_at=now,
        )
        return Outcome("retry", reason, countdown) if updated else Outcome("skipped", reason)
    reason = f"{reason} (gave up after {attempt} attempts)"
    with transaction.atomic():
        updated = _write_state(
            guard,
            [snapshot_id],
            status=Snapshot.Status.FAILED,
            attempts=F("attempts") + 1,
            error=reason,
            error_kind="internal",
            updated_at=now,
        )
        if updated:
            send_after_commit(snapshot_failed, snapshot_id)
    return Outcome("failed", reason) if updated else Outcome("skipped", reason)


def snapshot_discard(*, snapshot: Snapshot) -> None:
    """Delete a snapshot nothing refers to, with its WARC and (when no other snapshot shares
    the same bytes) its body: an ingest that found no article leaves nothing behind."""
    names = [snapshot.warc.name] if snapshot.warc else []
    if (
        snapshot.body
        and not Snapshot.objects.filter(body=snapshot.body.name).exclude(pk=snapshot.pk).exists()
    ):
        names.append(snapshot.body.name)
    snapshot.delete()
    for name in names:
        default_storage.delete(name)
