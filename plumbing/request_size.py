"""Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE on the desk and the admin (issue 15).

Django refuses such a body the first time something reads `request.POST`, which is the CSRF
middleware, and answers with its bare "Bad Request (400)" page: the reviewer loses the form and
learns nothing. This middleware, placed before CsrfViewMiddleware, catches it first:

- a view marked with `@oversized_post_to_form` gets the part of the form that fits under the
  limit (the fields before the one that overflowed, the CSRF token among them: the browser sends
  fields in page order) and `request.oversized_post` saying which field overflowed; the view
  shows the form again with a message by that field (`bind_oversized`) and saves nothing;
- any other view is not called: the answer is a short page (400, so htmx shows it in place)
  that says what happened and that nothing was saved.

Only what fits under the limit is ever read, as with Django's own check. /api/ is left to DRF,
whose parser and exception handler answer in JSON (plumbing.parsers, claims.api.exceptions).
reex takes no file uploads, so a multipart body is measured whole like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict

V = TypeVar("V", bound=Callable[..., HttpResponse])

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class OversizedPost:
    """A form body over the limit: what fit under it, and the field it overflowed in."""

    data: QueryDict
    field: str
    length: int
    limit: int

    def message(self, max_length: int | None) -> str:
        most = f"; this field takes at most {max_length:,} characters" if max_length else ""
        return (
            f"Too long: the form came to {self.length:,} bytes, over the {self.limit:,} this "
            f"desk takes in one request{most}. Nothing was saved. Shorten it and send again."
        )


def oversized_post_to_form(view: V) -> V:
    """Mark a view that shows its form again when the body is too large (see module doc)."""
    view.oversized_post_to_form = True  # type: ignore[attr-defined]
    return view


def bind_oversized(form_class: type[forms.Form], oversized: OversizedPost, **kwargs: Any):
    """`form_class` bound to what fit, the overflowing field cut to its max_length for
    showing again, and the message by that field. The form is never valid."""
    data = oversized.data.copy()
    field = form_class.base_fields.get(oversized.field)
    max_length = getattr(field, "max_length", None)
    if field is not None and max_length:
        data[oversized.field] = data.get(oversized.field, "")[:max_length]
    form = form_class(data, **kwargs)
    form.add_error(oversized.field if field is not None else None, oversized.message(max_length))
    return form


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.oversized_post = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = _content_length(request)
        if (
            limit is None
            or length is None
            or length <= limit
            or request.path.startswith("/api/")
            or request.method in ("GET", "HEAD", "OPTIONS")
        ):
            return None
        if getattr(view, "oversized_post_to_form", False) and request.content_type == FORM_TYPES[0]:
            oversized = _read_prefix(request, limit=limit, length=length)
            if oversized is not None:
                request._post = oversized.data  # type: ignore[attr-defined]
                request._files = MultiValueDict()  # type: ignore[attr-defined]
                request.oversized_post = oversized  # type: ignore[attr-defined]
                return None
        # 400, not 413: the desk's htmx swaps 400 answers in place (see base.html).
        template = "request_too_large.html"
        if getattr(request, "htmx", False):
            template += "#message"
        return render(request, template, {"length": length, "limit": limit}, status=400)


def _read_prefix(request: HttpRequest, *, limit: int, length: int) -> OversizedPost | None:
    """The fields that fit under `limit` bytes, the last one cut short (None: nothing usable)."""
    raw = request.read(limit)
    cut = raw.rsplit(b"&", 1)
    last_name = cut[-1].split(b"=", 1)[0]
    try:
        data = QueryDict(raw, encoding=request.encoding)
    except TooManyFieldsSent:
        return None
    name = QueryDict(last_name + b"=").keys()
    field = next(iter(name), "")
    if not field:
        return None
    return OversizedPost(data=data, field=field, length=length, limit=limit)


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
