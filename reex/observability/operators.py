"""Who may see the operators' figures (/healthz's details, /metrics): the operator token or a
signed-in staff user. One rule, used by `health` and `metrics`."""

from __future__ import annotations

import logging
from importlib import import_module

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

log = logging.getLogger(__name__)

OPERATOR_HEADER = "X-Reex-Health-Token"


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
