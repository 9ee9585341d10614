"""Throttling per API token (per user for session logins), with 429 and Retry-After."""

from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

log = logging.getLogger(__name__)


class TokenRateThrottle(SimpleRateThrottle):
    """`settings.REEX_API_THROTTLE_RATE` requests per token. Counts live in the default cache
    (Redis in production, so every web process shares them). A cache outage lets requests
    through rather than failing them: throttling protects the service, it is not a gate."""

    scope = "token"

    def get_rate(self) -> str:
        # Read at request time (not import time) so tests and operators can change it.
        return settings.REEX_API_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str | None:
        digest = getattr(request.auth, "digest", None)
        if digest:
            ident = f"token:{digest[:40]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:
            log.warning("throttle cache unreachable; request not throttled", exc_info=True)
            return True
