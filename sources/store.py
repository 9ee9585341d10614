"""Storing one attempt's files and recording them on the row: the decoded body under its
SHA-256 (identical bodies are stored once), the WARC (sources.warc for a plain fetch,
sources.capture_warc for a browser capture), then sources.services.snapshots.snapshot_stored
(the row stays `fetching`). Files an attempt wrote that nothing refers to any more are deleted:
no orphan WARCs. Used by sources.archive (a plain fetch) and sources.render (a browser capture).
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q

from sources.fetch import FetchResult
from sources.models import Snapshot
from sources.services import snapshots
from sources.services.snapshots import Outcome, storable
from sources.warc import build_warc

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
    (sources.services.snapshots.snapshot_stored) with every capture field set (what this attempt
    does not have is cleared, so a plain re-store leaves no earlier browser capture's screenshot,
    WACZ or log), then delete the files an earlier attempt of this row stored that nothing refers to
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
