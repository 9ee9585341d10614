"""GET /healthz: is the desk up, and what is wrong when it is not (the metrics are in `metrics`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reex.observability.operators import is_operator

log = logging.getLogger(__name__)


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _broker() -> dict:
    from reex.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"ok": True}


def _workers() -> dict:
    from sources.selectors import archive_queues, live_workers

    workers = live_workers()
    # Per queue: a live fetching worker does not archive anything without an extraction one.
    served = {queue for worker in workers for queue in worker["queues"]}
    unserved = [queue for queue in archive_queues() if queue not in served]
    return {
        "ok": bool(workers) and not unserved,
        "live": len(workers),
        "queues_without_a_worker": unserved,
        "workers": workers,
        "max_age_seconds": settings.REEX_HEALTH_WORKER_MAX_AGE,
    }


def _pending() -> dict:
    from sources.selectors import oldest_waiting_snapshot

    waiting = oldest_waiting_snapshot()
    age, most = waiting["oldest_age_seconds"], settings.REEX_HEALTH_PENDING_MAX_AGE
    return {"ok": age is None or age <= most, **waiting, "max_age_seconds": most}


def _archive_tasks() -> dict:
    from sources.selectors import recent_archive_outcomes

    recent = recent_archive_outcomes(seconds=settings.REEX_HEALTH_WINDOW_SECONDS)
    every_one_errored = (
        recent["total"] >= settings.REEX_HEALTH_MIN_TASKS and recent["errored"] == recent["total"]
    )
    return {"ok": not every_one_errored, **recent, "min_tasks": settings.REEX_HEALTH_MIN_TASKS}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": _database,
    "broker": _broker,
    "workers": _workers,
    "pending": _pending,
    "archive_tasks": _archive_tasks,
}
NEEDS_DATABASE = {"workers", "pending", "archive_tasks"}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker, a live worker, the oldest waiting snapshot and recent archive outcomes,
    as JSON; 503 when any is not ok: the database or broker is down, no worker's heartbeat is
    fresh, a snapshot has waited longer than REEX_HEALTH_PENDING_MAX_AGE, or every recent
    archive attempt (at least REEX_HEALTH_MIN_TASKS) errored on our side.

    Anyone may call it, so anonymous callers get only ok or not per check; operators (staff
    session or REEX_HEALTH_TOKEN) get the figures and reasons. Reasons also go to the log."""
    checks: dict[str, dict] = {}
    for name, check in CHECKS.items():
        if name in NEEDS_DATABASE and not checks["database"]["ok"]:
            checks[name] = {"ok": False, "error": "the database is unreachable"}
            continue
        try:
            checks[name] = check()
        except Exception as exc:
            log.exception("healthz: %s check failed", name)
            checks[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    for name, result in checks.items():
        if not result["ok"] and "error" not in result:
            log.warning("healthz: %s not ok: %s", name, result)
    ok = all(c["ok"] for c in checks.values())
    if not is_operator(request):
        checks = {name: {"ok": result["ok"]} for name, result in checks.items()}
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )
