"""Project-level views: health."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachability as JSON; 503 when either is down.

    Anyone may call it, so it says only ok or not; the reason goes to the log."""
    checks: dict[str, dict[str, bool]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception:
        log.exception("healthz: database unreachable")
        checks["database"] = {"ok": False}
    try:
        from reex.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = {"ok": True}
    except Exception:
        log.exception("healthz: broker unreachable")
        checks["broker"] = {"ok": False}
    ok = all(c["ok"] for c in checks.values())
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
        return self.get_response(request)
