"""/healthz against a real Celery worker: unhealthy with no worker, healthy once one is up,
unhealthy again when it stops (its heartbeat row goes with it) or is killed (its row goes
stale), healthy again when one starts."""

from __future__ import annotations

import pytest

from sources.models import WorkerHeartbeat
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def health(client) -> tuple[int, bool]:
    response = client.get("/healthz")
    return response.status_code, response.json()["checks"]["workers"]["ok"]


def test_healthz_follows_the_worker(client, make_celery_worker, settings):
    settings.REEX_HEALTH_WORKER_MAX_AGE = 4
    assert health(client) == (503, False)

    worker = make_celery_worker(REEX_WORKER_HEARTBEAT_SECONDS="1")
    wait_for(lambda: health(client) == (200, True), timeout=20, what="healthy", worker=worker)
    beat = WorkerHeartbeat.objects.get()
    assert beat.pid == worker.process.pid
    assert beat.name.startswith(worker.env["REEX_CELERY_QUEUE"])

    worker.stop()  # a warm shutdown removes its row at once
    assert not WorkerHeartbeat.objects.exists()
    assert health(client) == (503, False)

    worker.start()
    wait_for(lambda: health(client) == (200, True), timeout=20, what="healthy", worker=worker)

    worker.kill()  # no shutdown at all: the row stays and goes stale
    assert WorkerHeartbeat.objects.exists()
    wait_for(lambda: health(client) == (503, False), timeout=20, what="unhealthy", worker=worker)
