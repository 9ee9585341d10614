"""Celery tasks for sources: thin wrappers that load by id, call the service, decide on retry.

Archiving one snapshot takes two tasks on two queues:

- `archive_snapshot` (the default queue, a threads pool: I/O) reserves, fetches, stores the
  body and WARC, and queues
- `extract_snapshot` (REEX_EXTRACT_QUEUE, a prefork pool: CPU) which extracts the text from the
  stored body, ends the snapshot `archived` and sends `snapshot_archived` (claims computes its
  hints there, in the extraction worker too).

Delivery is at-least-once (`acks_late`; `reject_on_worker_lost` for fetching: a worker killed
mid-task leaves the message to be delivered again); the services make that safe: a snapshot is
reserved by a conditional update, and every later write is conditioned on that reservation, so
a second delivery for an archived or in-progress snapshot does nothing.

The service modules that import the fetcher and the extractor are imported inside the tasks on
purpose: an install where they cannot be imported still registers these tasks, which then record
the failure on the snapshot (`sources.services.snapshots`) instead of leaving it `pending`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from celery.exceptions import Retry

from sources.services import snapshots, sweep

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # The service counts attempts on the snapshot row (REEX_ARCHIVE_MAX_ATTEMPTS), including
    # deliveries the sweep makes, so Celery's own retry counter is not the limit.
    max_retries=None,
)
def archive_snapshot(self, snapshot_id: int) -> str:
    """Fetch and store one snapshot, then queue its extraction; retry later (backoff with
    jitter) only for transient failures.

    Whatever escapes the service (it cannot be imported, a bug outside its own guard) is still
    an attempt: recorded on the row with its reason, retried while attempts remain, then
    `failed`. Nothing dies silently and leaves the snapshot `pending` for the sweep for ever."""
    try:
        from sources.archive import archive_snapshot as run  # see the module docstring

        outcome = run(snapshot_id=snapshot_id, inline=False)
    except Exception as exc:
        log.exception("archive task for snapshot %s died", snapshot_id)
        outcome = snapshots.snapshot_attempt_crashed(snapshot_id=snapshot_id, error=exc)
    if outcome.status == "retry":
        try:
            raise self.retry(countdown=outcome.countdown)
        except Retry:
            raise
        except Exception:
            log.warning("could not schedule a retry of snapshot %s", snapshot_id, exc_info=True)
    return outcome.status


@shared_task(
    acks_late=True,
    # A child process killed mid-extraction (out of memory on a hostile PDF, the hard time
    # limit) is NOT redelivered at once, which could kill children for ever: the snapshot stays
    # `fetching` under its reservation, and the sweep re-archives it after
    # REEX_ARCHIVE_STALE_SECONDS, as a counted attempt (REEX_ARCHIVE_MAX_ATTEMPTS, then `lost`).
    reject_on_worker_lost=False,
    ignore_result=True,
)
def extract_snapshot(snapshot_id: int, token: str) -> str:
    """Extract the text of a stored snapshot and end it `archived` (then `snapshot_archived`).
    `token` is the reservation (ISO time) the fetch ran under; a reclaimed row is left alone.
    Whatever escapes extraction still archives the snapshot, without text, saying why."""
    reservation = datetime.fromisoformat(token)
    try:
        from sources.archive import finish_stored as run  # see the module docstring
    except Exception as exc:
        log.exception("extract task for snapshot %s cannot import the extractor", snapshot_id)
        outcome = snapshots.snapshot_extraction_crashed(
            snapshot_id=snapshot_id, token=reservation, error=exc
        )
    else:
        outcome = run(snapshot_id=snapshot_id, token=reservation)
    if outcome.status == "retry":
        # The attempt failed after storing (its files are gone): archive it again later.
        enqueue_archive(snapshot_id, countdown=outcome.countdown)
    return outcome.status


@shared_task(acks_late=True, ignore_result=True)
def sweep_stuck_snapshots() -> int:
    """Re-queue snapshots left `pending` or `fetching` past REEX_ARCHIVE_STALE_SECONDS (a broker
    outage, a lost worker, an extraction that never ended), at most REEX_ARCHIVE_MAX_REQUEUES
    times each; after that they end `failed` with the reason. Run by celery beat every
    REEX_ARCHIVE_SWEEP_SECONDS. Needs nothing of the fetcher or extractor, so it runs even where
    those cannot be imported."""
    sweep.snapshots_give_up()
    queued: list[int] = []
    for snapshot_id in sweep.stuck_snapshot_ids():
        if not enqueue_archive(snapshot_id):
            break  # the broker is down: the rest (and this one) wait for the next sweep
        queued.append(snapshot_id)
    # Marked only once queued: the next sweeps skip them for a stale window, not before.
    sweep.mark_requeued(ids=queued)
    if queued:
        log.info("sweep re-queued %d stuck snapshots", len(queued))
    return len(queued)


def enqueue_archive(snapshot_id: int, *, countdown: float | None = None) -> bool:
    """Queue archiving; a broker outage is logged, not raised: the sweep re-queues later.
    Publishing gives up quickly (CELERY_TASK_PUBLISH_RETRY_POLICY), so callers never hang."""
    try:
        archive_snapshot.apply_async((snapshot_id,), countdown=countdown)
    except Exception:
        log.warning(
            "broker unreachable: snapshot %s stays pending for the sweep",
            snapshot_id,
            exc_info=True,
        )
        return False
    return True
