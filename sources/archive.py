"""The archive service: one snapshot from `pending` to `archived` or `failed`, exactly once.

    reserve  pending → fetching by a conditional UPDATE (or reclaim a `fetching` row abandoned
             longer than REEX_ARCHIVE_STALE_SECONDS: its worker died); the reservation's start
             time is the token every later write is conditioned on
    fetch    sources.fetch (safe-fetch rules), types in ARCHIVABLE_TYPES only
    store    the decoded body under its SHA-256 (identical bodies are stored once) and a WARC
             (warcinfo, request, response, and a metadata record of the redirect chain)
    extract  title, text, author, date, site name, canonical URL from the STORED body
    finish   fetching → archived, only if our token still holds; then `snapshot_archived`

A transient failure (timeout, connection error, 5xx, 429) puts the row back to `pending` with the
reason and asks the task to retry later; a permanent one, or the last attempt, ends `failed` with
the reason in words. Re-running for an archived snapshot does nothing.

Re-checks: `request_recheck` makes a NEW snapshot whose `previous` is the old one; when it ends,
`drift` says `changed` (a new hash) or `vanished` (404/410). Earlier snapshots are never touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sources.extract import ARCHIVABLE_TYPES, extract
from sources.fetch import FetchError, FetchResult, fetch
from sources.models import Snapshot
from sources.services import (  # noqa: F401 - also importable from here, as before
    Outcome,
    backoff_seconds,
    mark_requeued,
    reservable,
    send_after_commit,
    stuck_snapshot_ids,
)
from sources.signals import snapshot_archived, snapshot_failed

log = logging.getLogger(__name__)

_EXTENSIONS = {
    "text/html": ".html",
    "application/xhtml+xml": ".xhtml",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/rss+xml": ".xml",
    "application/atom+xml": ".xml",
}
# Hop-by-hop and encoding headers describe the wire, not the decoded body we keep.
_DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection"}
# PostgreSQL text and jsonb refuse NUL (and psycopg cannot encode a lone surrogate to UTF-8);
# pypdf output and odd text/plain bodies carry them. The stored body and WARC keep every byte.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


# --- Reservation ------------------------------------------------------------------------------


def _reserve(snapshot_id: int) -> timezone.datetime | None:
    now = timezone.now()
    # Compare-and-swap: of two workers handed the same id, exactly one updates a row.
    updated = Snapshot.objects.filter(reservable(), pk=snapshot_id).update(
        status=Snapshot.Status.FETCHING,
        fetch_started_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return now if updated else None


def _finish(snapshot_id: int, token, **fields) -> bool:
    """Write the outcome only while our reservation holds (a reclaimed row is not ours)."""
    fields.setdefault("updated_at", timezone.now())
    return bool(
        Snapshot.objects.filter(
            pk=snapshot_id, status=Snapshot.Status.FETCHING, fetch_started_at=token
        ).update(**fields)
    )


# --- Storage ----------------------------------------------------------------------------------


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


def _delete_written(names: list[str]) -> None:
    """Remove the files one failed attempt wrote (a body only if no snapshot refers to it)."""
    for name in names:
        if name.startswith("bodies/") and Snapshot.objects.filter(body=name).exists():
            continue  # another snapshot stored the same bytes meanwhile and uses them
        try:
            default_storage.delete(name)
        except Exception:
            log.warning("could not delete %s after a failed attempt", name, exc_info=True)


def _store_body(body: bytes, sha256: str, mime: str) -> tuple[str, bool]:
    """The body's storage name, and whether this call wrote it."""
    name = f"bodies/{sha256[:2]}/{sha256}{_EXTENSIONS.get(mime, '.bin')}"
    if default_storage.exists(name):
        return name, False  # the same bytes, stored once
    return default_storage.save(name, ContentFile(body)), True


def build_warc(result: FetchResult, *, requested_url: str, sha256: str) -> bytes:
    """A gzipped WARC: warcinfo, request, response (decoded body) and the redirect chain."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(
        writer.create_warcinfo_record(
            "reex.warc.gz",
            {
                "software": "reex archiver (warcio)",
                "format": "WARC File Format 1.1",
                "description": (
                    "The response payload is the decoded body (Content-Encoding removed); "
                    "its SHA-256 is in WARC-Payload-Digest and on the snapshot."
                ),
            },
        )
    )
    parts = urlsplit(result.final_url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = [("Host", parts.netloc), *result.request_headers.items()]
    request = writer.create_warc_record(
        result.final_url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            f"{result.request_method} {path} {result.http_version}",
            request_headers,
            is_http_request=True,
        ),
    )
    response_headers = [(k, v) for k, v in result.headers.items() if k.lower() not in _DROP_HEADERS]
    response_headers.append(("Content-Length", str(len(result.body))))
    response = writer.create_warc_record(
        result.final_url,
        "response",
        payload=io.BytesIO(result.body),
        length=len(result.body),
        http_headers=StatusAndHeaders(
            f"{result.status} {result.reason_phrase}".strip(),
            response_headers,
            protocol=result.http_version,
        ),
        warc_headers_dict={
            "WARC-IP-Address": result.ip_address,
            "WARC-Payload-Digest": f"sha256:{sha256}",
        },
    )
    request.rec_headers.add_header("WARC-IP-Address", result.ip_address)
    request.rec_headers.add_header(
        "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
    )
    writer.write_record(request)
    writer.write_record(response)
    if result.redirects or requested_url != result.final_url:
        chain = json.dumps(
            {"requested": requested_url, "redirects": result.redirects, "final": result.final_url}
        ).encode()
        writer.write_record(
            writer.create_warc_record(
                result.final_url,
                "metadata",
                payload=io.BytesIO(chain),
                length=len(chain),
                warc_content_type="application/json",
            )
        )
    return buffer.getvalue()


# --- Drift ------------------------------------------------------------------------------------


def last_archived_before(snapshot: Snapshot) -> Snapshot | None:
    """The newest archived snapshot in `snapshot`'s chain of earlier ones."""
    current = snapshot.previous
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        if current.status == Snapshot.Status.ARCHIVED:
            return current
        seen.add(current.pk)
        current = current.previous
    return None


# --- The service ------------------------------------------------------------------------------


def archive_snapshot(*, snapshot_id: int) -> Outcome:
    """Archive one snapshot (see the module docstring). Safe to call any number of times."""
    token = _reserve(snapshot_id)
    if token is None:
        status = Snapshot.objects.filter(pk=snapshot_id).values_list("status", flat=True).first()
        return Outcome("skipped", f"snapshot is {status or 'gone'}")
    snapshot = Snapshot.objects.select_related("previous").get(pk=snapshot_id)
    if snapshot.attempts > settings.REEX_ARCHIVE_MAX_ATTEMPTS:
        # Reclaimed again and again: something about this page kills workers. Stop here.
        reason = (
            f"gave up after {snapshot.attempts - 1} attempts: the worker was lost while archiving"
        )
        if _finish(
            snapshot.pk, token, status=Snapshot.Status.FAILED, error=reason, error_kind="lost"
        ):
            send_after_commit(snapshot_failed, snapshot.pk)
        return Outcome("failed", reason)
    try:
        return _archive_reserved(snapshot, token)
    except Exception as exc:
        log.exception("archiving snapshot %s failed unexpectedly", snapshot_id)
        return _failed(snapshot, token, FetchError(f"internal error: {exc}", True, "internal"))


def _archive_reserved(snapshot: Snapshot, token) -> Outcome:
    try:
        result = fetch(snapshot.url, accept_types=ARCHIVABLE_TYPES)
    except FetchError as exc:
        return _failed(snapshot, token, exc)

    sha256 = hashlib.sha256(result.body).hexdigest()
    written: list[str] = []
    try:
        outcome = _store_and_finish(snapshot, token, result, sha256, written)
    except BaseException:
        # Nothing refers to what this attempt stored: leave no orphans for the next attempt.
        _delete_written(written)
        raise
    return outcome


def _store_and_finish(
    snapshot: Snapshot, token, result: FetchResult, sha256: str, written: list[str]
) -> Outcome:
    body_name, created = _store_body(result.body, sha256, result.mime_type)
    if created:
        written.append(body_name)
    warc_bytes = build_warc(result, requested_url=snapshot.url, sha256=sha256)
    warc_name = default_storage.save(
        f"warc/{snapshot.pk}/{token:%Y%m%dT%H%M%S%f}.warc.gz", ContentFile(warc_bytes)
    )
    written.append(warc_name)
    # Extraction reads what we STORED, never the live page.
    with default_storage.open(body_name, "rb") as stored:
        stored_body = stored.read()
    note = ""
    try:
        extracted = extract(
            stored_body, mime_type=result.mime_type, url=result.final_url, charset=result.charset
        )
    except Exception as exc:
        log.warning("extraction failed for snapshot %s", snapshot.pk, exc_info=True)
        from sources.extract import Extracted

        extracted, note = Extracted(), f"archived, but text extraction failed: {exc}"

    drift = Snapshot.Drift.NONE
    earlier = last_archived_before(snapshot)
    if earlier is not None and earlier.sha256 != sha256:
        drift = Snapshot.Drift.CHANGED
    now = timezone.now()
    # A savepoint, so that a refused write leaves the connection usable for recording the failure
    # even when the caller holds a transaction open.
    with transaction.atomic():
        finished = _finish(
            snapshot.pk,
            token,
            status=Snapshot.Status.ARCHIVED,
            final_url=storable(result.final_url)[:2000],
            http_status=result.status,
            headers=storable(result.headers),
            content_type=storable(result.content_type)[:255],
            ip_address=result.ip_address or None,
            body=body_name,
            size=len(result.body),
            sha256=sha256,
            warc=warc_name,
            redirects=storable(result.redirects),
            title=storable(extracted.title),
            text=storable(extracted.text),
            author=storable(extracted.author)[:500],
            published_on=extracted.published_on,
            site_name=storable(extracted.site_name)[:500],
            canonical_url=storable(extracted.canonical_url)[:2000],
            error=storable(note),
            error_kind="",
            drift=drift,
            archived_at=now,
            updated_at=now,
        )
    if not finished:
        # Another worker reclaimed the row (we were presumed dead): its result stands.
        default_storage.delete(warc_name)
        return Outcome("skipped", "reservation lost to another worker")
    written.clear()  # the archived row refers to them now
    send_after_commit(snapshot_archived, snapshot.pk)
    return Outcome("archived")


def _failed(snapshot: Snapshot, token, exc: FetchError) -> Outcome:
    attempts = Snapshot.objects.filter(pk=snapshot.pk).values_list("attempts", flat=True).first()
    attempts = attempts or 0
    if exc.transient and attempts < settings.REEX_ARCHIVE_MAX_ATTEMPTS:
        countdown = backoff_seconds(attempts, retry_after=exc.retry_after)
        _finish(
            snapshot.pk,
            token,
            status=Snapshot.Status.PENDING,
            error=storable(
                f"{exc.reason} (attempt {attempts} of {settings.REEX_ARCHIVE_MAX_ATTEMPTS}; "
                f"trying again in about {round(countdown)} s)"
            ),
            error_kind=exc.kind,
            http_status=exc.status,
        )
        return Outcome("retry", exc.reason, countdown)

    drift = Snapshot.Drift.NONE
    if exc.status in (404, 410) and last_archived_before(snapshot) is not None:
        drift = Snapshot.Drift.VANISHED
    reason = exc.reason
    if exc.transient:
        reason = f"{exc.reason} (gave up after {attempts} attempts)"
    if _finish(
        snapshot.pk,
        token,
        status=Snapshot.Status.FAILED,
        error=storable(reason),
        error_kind=exc.kind,
        http_status=exc.status,
        drift=drift,
    ):
        send_after_commit(snapshot_failed, snapshot.pk)
    return Outcome("failed", reason)


# --- Requests for work: re-checks, retries of failures, the sweep -----------------------------


def request_recheck(*, snapshot: Snapshot, enqueue: bool = True) -> Snapshot:
    """A new `pending` snapshot of the same URL with `previous=snapshot`, queued after commit
    (unless `enqueue` is False: the caller archives it itself). The earlier snapshot is kept as
    it is; claims moves evidence to the new one when it ends archived."""
    if not enqueue:
        return Snapshot.objects.create(url=snapshot.url, previous=snapshot)
    from sources.services import snapshot_request

    return snapshot_request(url=snapshot.url, previous=snapshot)


def request_retry(*, snapshot: Snapshot, enqueue: bool = True) -> bool:
    """Put a `failed` snapshot back to `pending` (a fresh set of attempts) and queue it."""
    from sources.tasks import enqueue_archive

    updated = Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.FAILED).update(
        status=Snapshot.Status.PENDING, attempts=0, requeues=0, updated_at=timezone.now()
    )
    if updated and enqueue:
        transaction.on_commit(lambda: enqueue_archive(snapshot.pk))
    return bool(updated)


def request_rearchive(*, snapshot: Snapshot, enqueue: bool = True) -> tuple[str, int | None]:
    """One entry point for the admin action and `manage.py archive`: re-check an archived
    snapshot (a new snapshot, `previous` = this one), retry a failed one, re-queue a pending
    one. Returns what was done ("recheck", "retry", "queued", "skipped") and the id of the
    snapshot that will carry the outcome."""
    from sources.tasks import enqueue_archive

    if snapshot.status == Snapshot.Status.ARCHIVED:
        if snapshot.rechecks.filter(
            status__in=[Snapshot.Status.PENDING, Snapshot.Status.FETCHING]
        ).exists():
            return "skipped", None  # a re-check is already on its way
        return "recheck", request_recheck(snapshot=snapshot, enqueue=enqueue).pk
    if snapshot.status == Snapshot.Status.FAILED:
        if request_retry(snapshot=snapshot, enqueue=enqueue):
            return "retry", snapshot.pk
        return "skipped", None
    if enqueue:
        transaction.on_commit(lambda: enqueue_archive(snapshot.pk))
    return "queued", snapshot.pk
