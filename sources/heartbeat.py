"""The worker's heartbeat: a `WorkerHeartbeat` row written when the worker is ready and every
REEX_WORKER_HEARTBEAT_SECONDS after, from a daemon thread of the worker's main process; deleted
when the worker shuts down warmly. /healthz reads the rows; a killed worker's row goes stale.

The database is the one thing web, worker and beat always share (the embedded development
broker cannot broadcast, so `celery inspect ping` does not reach a worker there)."""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from sources.models import WorkerHeartbeat

log = logging.getLogger(__name__)

_lock = threading.Lock()
_running: dict[str, object] = {}


def beat(*, name: str, started_at, queues: list[str]) -> None:
    """Write (or refresh) this worker's row."""
    # A killed worker of the same name left its row behind: this one takes it over.
    WorkerHeartbeat.objects.update_or_create(
        name=name,
        defaults={
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": timezone.now(),
            "queues": queues,
        },
    )


def _loop(name: str, started_at, queues: list[str], stopping: threading.Event) -> None:
    every = settings.REEX_WORKER_HEARTBEAT_SECONDS
    while True:
        try:
            close_old_connections()  # a database restart leaves a broken connection behind
            beat(name=name, started_at=started_at, queues=queues)
        except Exception:
            log.warning("worker heartbeat: could not write to the database", exc_info=True)
            connection.close()
        if stopping.wait(every):
            break
    try:
        WorkerHeartbeat.objects.filter(name=name, pid=os.getpid()).delete()
    except Exception:
        log.warning("worker heartbeat: could not remove %s", name, exc_info=True)
    finally:
        connection.close()


def start(*, name: str, queues: list[str]) -> None:
    """Start beating as `name` (celery@host) consuming `queues`; a second call for the same
    process does nothing."""
    with _lock:
        if _running:
            return
        stopping = threading.Event()
        thread = threading.Thread(
            target=_loop,
            args=(name, timezone.now(), sorted(queues), stopping),
            name="reex-heartbeat",
            daemon=True,
        )
        _running.update(thread=thread, stopping=stopping)
        thread.start()
    log.info("worker heartbeat: %s every %s s", name, settings.REEX_WORKER_HEARTBEAT_SECONDS)


def stop(timeout: float = 5) -> None:
    """Stop beating and remove the row (a warm shutdown: no longer a live worker)."""
    with _lock:
        thread, stopping = _running.pop("thread", None), _running.pop("stopping", None)
    if thread is None:
        return
    stopping.set()
    thread.join(timeout)
