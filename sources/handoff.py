"""Handing an attempt on to the next queue: its extraction (REEX_EXTRACT_QUEUE) once the body is
stored, or its browser capture (REEX_RENDER_QUEUE), from the pipeline (sources.archive,
sources.render) that runs inside the tasks.

The tasks are named, not imported: the task modules (sources.tasks, sources.capture_tasks) run
the pipeline, so the pipeline importing them back would be a circle. The names are the tasks'
own, a contract with messages already queued and with CELERY_TASK_ROUTES. `celery.signature`
sends through the registered task object when this process has it (every worker does:
reex/celery.py autodiscovers both task modules), which is the same `apply_async` as calling the
task object itself; a process without it sends by name, routed the same.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import signature

log = logging.getLogger(__name__)

EXTRACT_TASK = "sources.tasks.extract_snapshot"
RENDER_TASK = "sources.capture_tasks.render_snapshot"


def enqueue_extract(snapshot_id: int, token: datetime) -> bool:
    """Queue the extraction of a stored snapshot (REEX_EXTRACT_QUEUE). A broker outage is
    logged: the snapshot stays `fetching` and the sweep re-archives it after the stale window."""
    try:
        signature(EXTRACT_TASK).delay(snapshot_id, token.isoformat())
    except Exception:
        log.warning(
            "broker unreachable: snapshot %s waits for the sweep to archive it again",
            snapshot_id,
            exc_info=True,
        )
        return False
    return True


def tasks_enqueue_render(snapshot_id: int, token, why: str) -> bool:
    try:
        signature(RENDER_TASK).apply_async((snapshot_id, token.isoformat(), why))
    except Exception:
        log.warning(
            "broker unreachable: snapshot %s is fetched plainly", snapshot_id, exc_info=True
        )
        return False
    return True
