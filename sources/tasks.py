"""Celery tasks for sources: thin wrappers that load by id, call the service, decide on retry.

Delivery is at-least-once (`acks_late`, `reject_on_worker_lost`: a worker killed mid-task leaves
the message to be delivered again); the service makes that safe: a snapshot is reserved by a
conditional update, so a second delivery for an archived or in-progress snapshot does nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import Retry
from celery.signals import worker_init

log = logging.getLogger(__name__)


@worker_init.connect
def _preload(**kwargs) -> None:
    # Pay for importing the extraction stack (trafilatura, lxml, pypdf) when the worker boots,
    # not inside the first tasks, where it holds the GIL for every thread at once.
    import sources.archive  # noqa: F401


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
    """Archive one snapshot; retry later (backoff with jitter) only for transient failures."""
    from sources.archive import archive_snapshot as run

    outcome = run(snapshot_id=snapshot_id)
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
    outage, a lost worker). Run by celery beat every REEX_ARCHIVE_SWEEP_SECONDS."""
    from sources.archive import mark_requeued, stuck_snapshot_ids

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
