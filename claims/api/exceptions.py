"""Every API error is JSON: `detail` (a sentence a person can act on), `code`, and for invalid
input `errors` ({field: [messages]}). The services' own exceptions map to their statuses here,
so views call services without try/except ladders."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from claims.services.evidence import ArchiveNotFailed, EvidenceRejected
from claims.services.status import ClaimTaken, DecisionRefused, VersionConflict
from plumbing.parsers import RequestTooLarge, too_large_message

log = logging.getLogger(__name__)

AUTH_HELP = (
    "Send your API token in the header 'Authorization: Token <key>'. An administrator issues "
    "tokens with `python manage.py issue_token <username>`."
)


def _first_messages(errors: Any, prefix: str = "") -> list[str]:
    """Flatten DRF's error structure into "field: message" lines, for the summary sentence."""
    if isinstance(errors, dict):
        out: list[str] = []
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_first_messages(value, "" if key == "non_field_errors" else name))
        return out
    if isinstance(errors, list):
        out = []
        for item in errors:
            out.extend(_first_messages(item, prefix))
        return out
    return [f"{prefix}: {errors}" if prefix else str(errors)]


def _validation_body(errors: Any) -> dict[str, Any]:
    if not isinstance(errors, dict):
        errors = {"non_field_errors": errors if isinstance(errors, list) else [errors]}
    lines = _first_messages(errors)
    summary = "; ".join(lines[:5]) + ("; …" if len(lines) > 5 else "")
    return {"detail": f"Check your input: {summary}", "code": "invalid", "errors": errors}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler with our services' exceptions mapped and every body shaped alike."""
    if isinstance(exc, VersionConflict):
        return Response(
            {"detail": str(exc), "code": "version_conflict", "current_version": exc.current},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DecisionRefused):
        return Response(
            {"detail": exc.message, "code": "decision_refused", "reasons": list(exc.reasons)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ArchiveNotFailed):
        return Response(
            {"detail": str(exc), "code": "not_failed", "errors": {exc.field: [str(exc)]}},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, EvidenceRejected):
        return Response(
            {
                "detail": str(exc),
                "code": "already_attached" if exc.duplicate else "invalid",
                "errors": {exc.field: [str(exc)]},
            },
            status=status.HTTP_409_CONFLICT if exc.duplicate else status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ClaimTaken):
        return Response(
            {"detail": str(exc), "code": "claim_taken", "holder": exc.holder},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    # Django's own limits on a form-encoded body (plumbing.parsers bounds JSON bodies itself).
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(
            f"The body has too many fields (the most is {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}). "
            "Send one JSON object with the fields this endpoint lists."
        )
    if isinstance(exc, DjangoPermissionDenied) and str(exc):
        exc = exceptions.PermissionDenied(str(exc))
    if isinstance(exc, Http404) and str(exc):
        exc = exceptions.NotFound(str(exc))

    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django logs it and answers 500

    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(response.data)
        return response
    data = response.data if isinstance(response.data, dict) else {"detail": response.data}
    detail = str(data.get("detail", "")) or "The request could not be served."
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else code
    if isinstance(exc, exceptions.NotAuthenticated):
        detail = f"Authentication needed. {AUTH_HELP}"
    elif isinstance(exc, exceptions.AuthenticationFailed):
        detail = (
            f"{detail.rstrip('.')}: the token is unknown, expired or revoked. Ask for a new one. "
            f"{AUTH_HELP}"
        )
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        detail = f"{detail} This API takes JSON: send `Content-Type: application/json`."
    elif isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        detail = (
            f"Too many requests for this token; try again in {int(exc.wait) + 1} seconds "
            "(see the Retry-After header)."
        )
    response.data = {
        **{k: v for k, v in data.items() if k != "detail"},
        "detail": detail,
        "code": code,
    }
    return response


@csrf_exempt  # it changes nothing; a stray POST deserves the JSON 404, not the CSRF page
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any /api/ path that names no endpoint: JSON, not Django's HTML page."""
    return JsonResponse(
        {
            "detail": f"There is no API endpoint at {request.path}. The endpoints are listed at /api/docs/.",
            "code": "not_found",
        },
        status=404,
    )
