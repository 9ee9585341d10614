"""Requests for work on sources: new snapshots, re-checks, retries of failures, browser
re-captures. Each writes its rows and queues the archive task once the transaction commits
(sources.tasks.enqueue_archive); the attempt itself is sources.services.snapshots'.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sources import tasks
from sources.models import Snapshot
from sources.services.snapshots import _write_state

# --- Requests for work: new snapshots, re-checks, retries of failures -------------------------


def snapshot_request(*, url: str, previous: Snapshot | None = None) -> Snapshot:
    """Create a `pending` snapshot of `url` and queue its archiving once the transaction commits.

    Nothing is fetched here: a web request that attaches evidence only writes rows. If the broker
    is down the row stays `pending` and the periodic sweep queues it again later.
    """
    snapshot = Snapshot.objects.create(url=url, previous=previous)
    transaction.on_commit(lambda: tasks.enqueue_archive(snapshot.pk))
    return snapshot


def request_recheck(*, snapshot: Snapshot, enqueue: bool = True) -> Snapshot:
    """A new `pending` snapshot of the same URL with `previous=snapshot`, queued after commit
    (unless `enqueue` is False: the caller archives it itself). The earlier snapshot is kept as
    it is; claims moves evidence to the new one when it ends archived."""
    if not enqueue:
        return Snapshot.objects.create(url=snapshot.url, previous=snapshot)
    return snapshot_request(url=snapshot.url, previous=snapshot)


def request_browser_capture(*, snapshot: Snapshot) -> Snapshot:
    """A reviewer's browser re-capture of one source: a new `pending` snapshot of the URL with
    `capture_wanted = browser` and `previous = snapshot` (kept as it is; evidence moves to the
    new one when it ends archived), queued after commit (sources/render.py renders it)."""
    fresh = Snapshot.objects.create(
        url=snapshot.url, previous=snapshot, capture_wanted=Snapshot.Capture.BROWSER
    )
    transaction.on_commit(lambda: tasks.enqueue_archive(fresh.pk))
    return fresh


def request_retry(*, snapshot: Snapshot, enqueue: bool = True) -> bool:
    """Put a `failed` snapshot back to `pending` (a fresh set of attempts) and queue it."""
    updated = _write_state(
        Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.FAILED),
        [snapshot.pk],
        status=Snapshot.Status.PENDING,
        attempts=0,
        requeues=0,
        updated_at=timezone.now(),
    )
    if updated and enqueue:
        transaction.on_commit(lambda: tasks.enqueue_archive(snapshot.pk))
    return bool(updated)


def request_rearchive(*, snapshot: Snapshot, enqueue: bool = True) -> tuple[str, int | None]:
    """One entry point for the admin action and `manage.py archive`: re-check an archived
    snapshot (a new snapshot, `previous` = this one), retry a failed one, re-queue a pending
    one. Returns what was done ("recheck", "retry", "queued", "skipped") and the id of the
    snapshot that will carry the outcome."""
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
        transaction.on_commit(lambda: tasks.enqueue_archive(snapshot.pk))
    return "queued", snapshot.pk
