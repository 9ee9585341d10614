"""Fetching and storing: one snapshot's archive attempt up to its body and WARC on storage.

    reserve  sources.services.snapshots.snapshot_reserve_row (pending → fetching, the attempt's token, and
             the row as reserved)
    fetch    sources.fetch (safe-fetch rules), types in ARCHIVABLE_TYPES only
    store    the decoded body under its SHA-256 (identical bodies are stored once) and a WARC
             (warcinfo, request, response, and a metadata record of the redirect chain), then
             sources.services.snapshots.snapshot_stored (the row stays `fetching`)
    extract  sources.extract.extract_snapshot, text from the stored body, ends the snapshot
             `archived`: right here for a small page (HTML, XML or text up to
             REEX_EXTRACT_INLINE_BYTES: a millisecond or two of CPU, less than a second message,
             a second read of the row and of the body would cost) and with `inline=True`;
             otherwise (PDFs, large pages) queued on its own queue for a pool of processes
             (sources.tasks.extract_snapshot)

A browser capture (sources/render.py, sources/capture.py) takes an attempt over before the fetch
(`capture_wanted`/REEX_CAPTURE_MODE `browser`) or after it (`auto`, a shell page): on the render
queue, or inline; otherwise the plain fetch is stored with `capture_note` saying why not.

Every state change is a function of sources.services; this module only does the I/O. A transient
failure (timeout, connection error, 5xx, 429) puts the row back to `pending` and asks the task to
retry later; a permanent one, or the last attempt, ends `failed` with the reason in words.
Re-running for an archived snapshot does nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from sources import tasks
from sources.extract import ARCHIVABLE_TYPES, PDF_TYPES, extract_snapshot
from sources.fetch import FetchError, FetchResult, fetch
from sources.models import Snapshot
from sources.services import snapshots
from sources.services.snapshots import Outcome, storable

log = logging.getLogger(__name__)
# Per-stage times of each snapshot, at INFO when REEX_LOG_STAGES is set (bench.archive).
stages = logging.getLogger("sources.stages")

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

# --- Storage ----------------------------------------------------------------------------------


def _delete_written(names: list[str]) -> None:
    """Remove the files one failed attempt wrote (a body only if no snapshot refers to it)."""
    for name in names:
        if Snapshot.objects.filter(
            Q(body=name) | Q(warc=name) | Q(screenshot=name) | Q(wacz=name)
        ).exists():
            continue  # a snapshot refers to it (the same bytes, stored meanwhile)
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


# --- The service ------------------------------------------------------------------------------


def archive_snapshot(*, snapshot_id: int, inline: bool = True) -> Outcome:
    """Archive one snapshot (see the module docstring). Safe to call any number of times.

    `inline=True` (the ingest, `manage.py archive --inline`) extracts in this call and returns
    the final outcome; the archive task passes False: a small page is still extracted here
    (`extracts_here`), anything else returns `stored` once its extraction is queued for the
    extraction workers."""
    snapshot = snapshots.snapshot_reserve_row(snapshot_id=snapshot_id)
    if snapshot is None:
        status = Snapshot.objects.filter(pk=snapshot_id).values_list("status", flat=True).first()
        return Outcome("skipped", f"snapshot is {status or 'gone'}")
    token = snapshot.fetch_started_at
    if snapshot.attempts > settings.REEX_ARCHIVE_MAX_ATTEMPTS:
        return snapshots.snapshot_lost_too_often(snapshot=snapshot, token=token)
    try:
        outcome, result = _fetch_and_store(snapshot, token, inline=inline)
    except Exception as exc:
        log.exception("archiving snapshot %s failed unexpectedly", snapshot_id)
        return snapshots.snapshot_fetch_failed(
            snapshot=snapshot,
            token=token,
            error=FetchError(f"internal error: {exc}", True, "internal"),
        )
    if outcome.status != "stored":
        return outcome
    if result is not None and (inline or extracts_here(result)):
        # The row as `_store` wrote it and the body in memory: nothing to read again.
        return finish_stored(
            snapshot_id=snapshot_id, token=token, snapshot=snapshot, body=result.body
        )
    if inline:  # a browser capture stored it (its own body): read the row again
        return finish_stored(snapshot_id=snapshot_id, token=token)
    transaction.on_commit(lambda: tasks.enqueue_extract(snapshot_id, token))
    return outcome


def extracts_here(result: FetchResult) -> bool:
    """Whether the archive task extracts this response itself rather than queuing it for the
    extraction workers: HTML, XML or text of at most REEX_EXTRACT_INLINE_BYTES. PDFs always go
    to the extraction pool (pypdf on a hostile file is what a process of its own is for)."""
    return (
        result.mime_type not in PDF_TYPES
        and result.body[:5] != b"%PDF-"
        and len(result.body) <= settings.REEX_EXTRACT_INLINE_BYTES
    )


def finish_stored(
    *, snapshot_id: int, token, snapshot: Snapshot | None = None, body: bytes | None = None
) -> Outcome:
    """The extraction step of a stored snapshot (sources.extract.extract_snapshot), inline or in
    the extraction task (`snapshot` and `body`: the row just stored and its body, not read
    again). Should it fail outright (the final write refused by the database, say),
    the attempt fails `internal` (retried while attempts remain) and the files it stored are
    deleted: no orphan WARCs, no `archived` row without its files."""
    try:
        return extract_snapshot(snapshot_id=snapshot_id, token=token, snapshot=snapshot, body=body)
    except Exception as exc:
        log.exception("finishing snapshot %s failed unexpectedly", snapshot_id)
        snapshot = Snapshot.objects.select_related("previous").get(pk=snapshot_id)
        names = [
            f.name for f in (snapshot.warc, snapshot.body, snapshot.screenshot, snapshot.wacz) if f
        ]
        outcome = snapshots.snapshot_fetch_failed(
            snapshot=snapshot,
            token=token,
            error=FetchError(f"internal error: {exc}", True, "internal"),
            unstore=True,
        )
        _delete_written(names)  # only what no snapshot refers to any more
        return outcome


def _fetch_and_store(
    snapshot: Snapshot, token, *, inline: bool = True
) -> tuple[Outcome, FetchResult | None]:
    """The outcome, and the response when it was stored (`stored`)."""
    # A browser capture (sources/render.py) takes the attempt over, before or after the fetch.
    from sources import render

    handed, note = render.before_fetch(snapshot, token, inline=inline)
    if handed is not None:
        return handed, None
    started = time.perf_counter()
    try:
        result = fetch(snapshot.url, accept_types=ARCHIVABLE_TYPES)
    except FetchError as exc:
        return snapshots.snapshot_fetch_failed(snapshot=snapshot, token=token, error=exc), None
    if not note:
        handed, note = render.after_fetch(snapshot, token, result, inline=inline)
        if handed is not None:
            return handed, None
    fetched = time.perf_counter()
    sha256 = hashlib.sha256(result.body).hexdigest()
    written: list[str] = []
    try:
        outcome = _store(snapshot, token, result, sha256, written, capture_note=note)
    except BaseException:
        # Nothing refers to what this attempt stored: leave no orphans for the next attempt.
        _delete_written(written)
        raise
    stages.info(
        "snapshot %s fetch %.1f ms store %.1f ms",
        snapshot.pk,
        (fetched - started) * 1000,
        (time.perf_counter() - fetched) * 1000,
    )
    return outcome, result


def _store(
    snapshot: Snapshot,
    token,
    result: FetchResult,
    sha256: str,
    written: list[str],
    *,
    capture_note: str = "",
) -> Outcome:
    body_name, warc_name = store_body_and_warc(
        snapshot,
        token,
        written,
        body=result.body,
        sha256=sha256,
        mime=result.mime_type,
        warc=build_warc(result, requested_url=snapshot.url, sha256=sha256),
    )
    return record_stored(
        snapshot,
        token,
        written,
        **response_fields(result),
        content_type=storable(result.content_type)[:255],
        body=body_name,
        size=len(result.body),
        sha256=sha256,
        warc=warc_name,
        capture=Snapshot.Capture.HTTP,
        capture_note=storable(capture_note),
    )


def response_fields(result: FetchResult) -> dict:
    """The row's fields of the fetched response (the document's, for a browser capture)."""
    return {
        "final_url": storable(result.final_url)[:2000],
        "http_status": result.status,
        "headers": storable(result.headers),
        "ip_address": result.ip_address or None,
        "redirects": storable(result.redirects),
    }


def attempt_stamp(token) -> str:
    """The attempt's part of its files' names (its reservation's time)."""
    return f"{token:%Y%m%dT%H%M%S%f}"


def store_body_and_warc(
    snapshot: Snapshot, token, written: list[str], *, body: bytes, sha256: str, mime: str, warc
) -> tuple[str, str]:
    """Store an attempt's body (once per SHA-256) and its WARC; what this call wrote is added to
    `written` (deleted by the caller should the attempt go no further)."""
    body_name, created = _store_body(body, sha256, mime)
    if created:
        written.append(body_name)
    warc_name = default_storage.save(
        f"warc/{snapshot.pk}/{attempt_stamp(token)}.warc.gz", ContentFile(warc)
    )
    written.append(warc_name)
    return body_name, warc_name


# What a capture of the other kind left on the row: a plain store clears a browser capture's.
_CAPTURE_FILES = ("warc", "screenshot", "wacz")
_CAPTURE_DEFAULTS = {"screenshot": "", "wacz": "", "capture_log": {}, "capture_note": ""}


def record_stored(snapshot: Snapshot, token, written: list[str], **fields) -> Outcome:
    """The one store step of every attempt, plain (`_store`) or browser
    (sources.render._store_browser): write the stored files and the response on the row
    (sources.services.snapshots.snapshot_stored) with every capture field set (what this attempt does not
    have is cleared, so a plain re-store leaves no earlier browser capture's screenshot, WACZ or
    log), then delete the files an earlier attempt of this row stored that nothing refers to
    now. Should the reservation have been lost, what this attempt wrote is deleted instead."""
    fields = {**_CAPTURE_DEFAULTS, **fields}
    stored = snapshots.snapshot_stored(snapshot_id=snapshot.pk, token=token, **fields)
    if not stored:
        # Another worker reclaimed the row (we were presumed dead): its result stands.
        _delete_written(written)  # not what that worker's row refers to
        written.clear()
        return Outcome("skipped", "reservation lost to another worker")
    written.clear()  # the row refers to them now
    new = {fields.get(name) for name in _CAPTURE_FILES}
    old = [getattr(snapshot, name).name for name in _CAPTURE_FILES if getattr(snapshot, name)]
    # An earlier attempt of this snapshot stored its files and was then lost (the sweep
    # archives it again): the row no longer refers to them.
    _delete_written([name for name in old if name not in new])
    # The instance as the row now is, for an extraction in this task (no second read).
    for name, value in fields.items():
        setattr(snapshot, name, value)
    snapshot.error = snapshot.error_kind = ""
    return Outcome("stored")
