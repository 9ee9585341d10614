"""One snapshot's archive attempt: reserve, fetch, store, extract.

    reserve  sources.services.snapshots.snapshot_reserve_row (pending → fetching, the attempt's
             token, and the row as reserved)
    fetch    sources.fetch (safe-fetch rules), types in ARCHIVABLE_TYPES only
    store    sources.store: the decoded body under its SHA-256 (identical bodies are stored once)
             and a WARC (sources.warc: warcinfo, request, response, and a metadata record of the
             redirect chain), then sources.services.snapshots.snapshot_stored (the row stays
             `fetching`)
    extract  `extract_snapshot` (below), text from the stored body (sources.extract), ends the
             snapshot `archived`: right here for a small page (HTML, XML or text up to
             REEX_EXTRACT_INLINE_BYTES: a millisecond or two of CPU, less than a second message,
             a second read of the row and of the body would cost) and with `inline=True`;
             otherwise (PDFs, large pages) queued on its own queue for a pool of processes
             (sources.tasks.extract_snapshot, queued by sources.handoff)

A browser capture (sources/render.py, sources/capture.py) takes an attempt over before the fetch
(`capture_wanted`/REEX_CAPTURE_MODE `browser`) or after it (`auto`, a shell page): on the render
queue, or inline; otherwise the plain fetch is stored with `capture_note` saying why not.

Every state change is a function of sources.services.snapshots; this module only does the
I/O. A transient failure (timeout, connection error, 5xx, 429) puts the row back to `pending` and
asks the task to retry later; a permanent one, or the last attempt, ends `failed` with the reason
in words. Re-running for an archived snapshot does nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from sources.extract import ARCHIVABLE_TYPES, PDF_TYPES, Extracted, extract
from sources.fetch import FetchError, FetchResult, fetch
from sources.handoff import enqueue_extract
from sources.models import Snapshot
from sources.services import snapshots
from sources.services.snapshots import Outcome, snapshot_extracted
from sources.store import _delete_written, _store

log = logging.getLogger(__name__)
# Per-stage times of each snapshot, at INFO when REEX_LOG_STAGES is set (bench.archive).
stages = logging.getLogger("sources.stages")


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
    transaction.on_commit(lambda: enqueue_extract(snapshot_id, token))
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
    """The extraction step of a stored snapshot (`extract_snapshot`), inline or in
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


# --- The extraction step of archiving ---------------------------------------------------------


def _content_type_parts(content_type: str) -> tuple[str, str | None]:
    """("text/html", "utf-8") from "text/html; charset=utf-8"."""
    mime, *params = content_type.split(";")
    charset = None
    for part in params:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return mime.strip().lower(), charset


def extract_snapshot(
    *, snapshot_id: int, token, snapshot: Snapshot | None = None, body: bytes | None = None
) -> Outcome:
    """The last step of archiving one snapshot: text and metadata from its STORED body, then
    `fetching → archived` (sources.services.snapshots.snapshot_extracted). Runs in the extraction
    worker (its own queue and a pool of processes: CPU-bound work, kept off the fetching threads),
    or right after the fetch in the archive task (a small page, or
    `archive_snapshot(inline=True)`), which passes the `snapshot` it just stored and its `body`:
    neither is read again (the `archived` write is still conditioned on the reservation). An
    extractor that raises still archives the snapshot, without text, saying why."""
    started = time.perf_counter()
    if snapshot is None:
        snapshot = Snapshot.objects.select_related("previous").filter(pk=snapshot_id).first()
    if (
        snapshot is None
        or snapshot.status != Snapshot.Status.FETCHING
        or snapshot.fetch_started_at != token
        or not snapshot.body
    ):
        return Outcome("skipped", "not this attempt's to extract (finished or reclaimed)")
    mime, charset = _content_type_parts(snapshot.content_type)
    note = ""
    try:
        if body is None:
            with default_storage.open(snapshot.body.name, "rb") as stored:
                body = stored.read()
        extracted = extract(body, mime_type=mime, url=snapshot.final_url, charset=charset)
    except Exception as exc:
        log.warning("extraction failed for snapshot %s", snapshot_id, exc_info=True)
        extracted, note = Extracted(), f"archived, but text extraction failed: {exc}"
    extracted_at = time.perf_counter()
    outcome = snapshot_extracted(
        snapshot=snapshot,
        token=token,
        title=extracted.title,
        text=extracted.text,
        author=extracted.author,
        published_on=extracted.published_on,
        site_name=extracted.site_name,
        canonical_url=extracted.canonical_url,
        note=note,
    )
    stages.info(
        "snapshot %s extract %.1f ms finish %.1f ms",
        snapshot_id,
        (extracted_at - started) * 1000,
        (time.perf_counter() - extracted_at) * 1000,
    )
    return outcome
