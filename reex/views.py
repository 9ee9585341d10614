"""Project-level views: health."""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)

OPERATOR_HEADER = "X-Reex-Health-Token"


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


def is_operator(request: HttpRequest) -> bool:
    """The operator token in `X-Reex-Health-Token`, or a signed-in staff user. The health
    middleware answers before the session and auth middleware run, so the session is read here."""
    token, sent = settings.REEX_HEALTH_TOKEN, request.headers.get(OPERATOR_HEADER, "")
    if token and sent and constant_time_compare(sent, token):
        return True
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    from django.contrib.auth import get_user

    try:
        if not hasattr(request, "session"):
            request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        user = get_user(request)
    except Exception:
        log.warning("healthz: could not read the session", exc_info=True)
        return False
    return bool(user.is_active and user.is_staff)


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


class HealthCheckMiddleware:
    """Answer /healthz before the host check and the https redirect: container and load
    balancer probes call it by IP address over plain http, which ALLOWED_HOSTS and
    SECURE_SSL_REDIRECT would otherwise turn into a 400 or a redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return healthz(request)
        if request.path_info == "/metrics":  # scrapers come by address too (reex/metrics.py)
            from reex.metrics import metrics

            return metrics(request)
        return self.get_response(request)
