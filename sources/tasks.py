"""Celery tasks for sources: thin wrappers that load by id, call the service, decide on retry.

Delivery is at-least-once (`acks_late`, `reject_on_worker_lost`: a worker killed mid-task leaves
the message to be delivered again); the service makes that safe: a snapshot is reserved by a
conditional update, so a second delivery for an archived or in-progress snapshot does nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import Retry

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
    """Archive one snapshot; retry later (backoff with jitter) only for transient failures.

    Whatever escapes the service (it cannot be imported, a bug outside its own guard) is still
    an attempt: recorded on the row with its reason, retried while attempts remain, then
    `failed`. Nothing dies silently and leaves the snapshot `pending` for the sweep for ever."""
    from sources.services import snapshot_attempt_crashed

    try:
        from sources.archive import archive_snapshot as run

        outcome = run(snapshot_id=snapshot_id)
    except Exception as exc:
        log.exception("archive task for snapshot %s died", snapshot_id)
        outcome = snapshot_attempt_crashed(snapshot_id=snapshot_id, error=exc)
    if outcome.status == "retry":
        try:
            raise self.retry(countdown=outcome.countdown)
        except Retry:
            raise
        except Exception:
            log.warning("could not schedule a retry of snapshot %s", snapshot_id, exc_info=True)
    return outcome.status


@shared_task(acks_late=True, ignore_result=True)
def sweep_stuck_snapshots() -> int:
    """Re-queue snapshots left `pending` or `fetching` past REEX_ARCHIVE_STALE_SECONDS (a broker
    outage, a lost worker), at most REEX_ARCHIVE_MAX_REQUEUES times each; after that they end
    `failed` with the reason. Run by celery beat every REEX_ARCHIVE_SWEEP_SECONDS. Needs nothing
    of the fetcher or extractor, so it runs even where those cannot be imported."""
    from sources.services import mark_requeued, snapshots_give_up, stuck_snapshot_ids

    snapshots_give_up()
    queued: list[int] = []
    for snapshot_id in stuck_snapshot_ids():
        if not enqueue_archive(snapshot_id):
            break  # the broker is down: the rest (and this one) wait for the next sweep
        queued.append(snapshot_id)
    # Marked only once queued: the next sweeps skip them for a stale window, not before.
    mark_requeued(ids=queued)
    if queued:
        log.info("sweep re-queued %d stuck snapshots", len(queued))
    return len(queued)


def enqueue_archive(snapshot_id: int) -> bool:
    """Queue archiving; a broker outage is logged, not raised: the sweep re-queues later.
    Publishing gives up quickly (CELERY_TASK_PUBLISH_RETRY_POLICY), so callers never hang."""
    try:
        archive_snapshot.delay(snapshot_id)
    except Exception:
        log.warning(
            "broker unreachable: snapshot %s stays pending for the sweep",
            snapshot_id,
            exc_info=True,
        )
        return False
    return True
