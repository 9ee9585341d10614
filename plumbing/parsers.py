"""The API's request parser: JSON only, and any body it cannot take is a 400 (or 413) in JSON
with a message, never a 500 (issue 15).

DRF's own JSONParser reads the whole stream whatever its size, lets `RecursionError` (a body of
a thousand `[`) escape as a server error, and says "JSON parse error - Expecting value: line 1
column 1 (char 0)". This one bounds the size (Django's DATA_UPLOAD_MAX_MEMORY_SIZE, which forms
already obey) and the nesting depth, and says what to change."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

#: Deepest nesting a body may have. Every input of this API is one flat object (depth 1);
#: the margin is for clients that wrap values, not for real documents.
MAX_JSON_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "The request body is too large."


def too_large_message(limit: int, length: int | None = None) -> str:
    sent = f" (this one is {length:,} bytes)" if length else ""
    return (
        f"The request body is over {limit:,} bytes, the most this server takes{sent}. Send less: "
        "shorten the longest field (an excerpt, a rationale) and try again."
    )


def json_depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            items = item.values()
        elif isinstance(item, list):
            items = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in items)
    return deepest


class JSONParser(BaseParser):
    """JSON bodies, bounded in size and depth; UTF-8 only (RFC 8259)."""

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        length = _content_length(request)
        if limit is not None and length is not None and length > limit:
            raise RequestTooLarge(too_large_message(limit, length))
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(too_large_message(limit))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(
                f"The body is not UTF-8 text (byte {exc.start} is not valid UTF-8). Send JSON "
                "encoded as UTF-8."
            ) from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(_too_deep()) from None
        except ValueError as exc:
            raise exceptions.ParseError(
                f"The body is not valid JSON ({exc}). Send one JSON object, e.g. "
                '{"status": "disputed", "rationale": "...", "version": 3}.'
            ) from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(_too_deep())
        return data


def _too_deep() -> str:
    return (
        f"The JSON body nests lists or objects more than {MAX_JSON_DEPTH} levels deep. Send one "
        "flat JSON object with the fields this endpoint lists."
    )


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _content_length(request) -> int | None:
    if request is None:
        return None
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        return int(raw)
    except ValueError:
        return None
