"""The render queue's task (REEX_RENDER_QUEUE): a browser capture handed over by an archive
attempt (sources.render). Its own queue and worker (`make worker-render`: a threads pool of
REEX_RENDER_CONCURRENCY, each thread with its own Chromium), so slow renders never hold plain
fetches; a worker without Chromium does not consume the queue (reex/celery.py).

Delivery is at-least-once like archiving: the task carries the attempt's reservation token and
`sources.render.run` does nothing for a row no longer under it."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task

from sources.services import snapshots

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def render_snapshot(snapshot_id: int, token: str, why: str = "") -> str:
    """Render, store and queue the extraction of one snapshot's attempt (`token`). A transient
    failure puts the snapshot back to `pending` and queues the archive task again later."""
    from sources.tasks import enqueue_archive

    reservation = datetime.fromisoformat(token)
    try:
        from sources.render import run  # heavy imports only in the render worker

        outcome = run(snapshot_id=snapshot_id, token=reservation)
    except Exception as exc:
        log.exception("render task for snapshot %s died", snapshot_id)
        outcome = snapshots.snapshot_attempt_crashed(snapshot_id=snapshot_id, error=exc)
    if outcome.status == "retry":
        enqueue_archive(snapshot_id, countdown=outcome.countdown)
    return outcome.status
