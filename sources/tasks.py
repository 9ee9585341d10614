"""Celery tasks for sources: thin wrappers that load by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def archive_snapshot(snapshot_id: int) -> None:
    """Archive one snapshot (implemented by the archiving work, issue 4)."""
    from sources.archive import archive_snapshot as run

    run(snapshot_id=snapshot_id)


def enqueue_archive(snapshot_id: int) -> None:
    """Queue archiving; a broker outage is logged, not raised: the sweep re-queues later."""
    try:
        archive_snapshot.delay(snapshot_id)
    except Exception:  # noqa: BLE001 - any broker error; the row stays pending for the sweep
        log.warning("broker unreachable: snapshot %s stays pending for the sweep", snapshot_id, exc_info=True)
