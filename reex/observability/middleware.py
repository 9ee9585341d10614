"""The project's own middleware: health probes and scrapers answered before the host check."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from reex.observability.health import healthz
from reex.observability.metrics import metrics


class HealthCheckMiddleware:
    """Answer /healthz before the host check and the https redirect: container and load
    balancer probes call it by IP address over plain http, which ALLOWED_HOSTS and
    SECURE_SSL_REDIRECT would otherwise turn into a 400 or a redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return healthz(request)
        if request.path_info == "/metrics":  # scrapers come by address too
            return metrics(request)
        return self.get_response(request)
