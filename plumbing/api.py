"""API plumbing both apps' endpoints share: authentication, per-action permissions,
per-token throttling, JSON errors in the schema, pagination. (`sources` must not import
`claims`, so what both need lives here.)"""

from __future__ import annotations

import re

import django_filters
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer

from plumbing.api_permissions import ActionPermission
from plumbing.api_throttling import TokenRateThrottle
from plumbing.authentication import ApiTokenAuthentication


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the schema documents the token (drf-spectacular finds this class on import)."""

    target_class = "plumbing.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send "Token <key>"; `manage.py issue_token USER` issues keys.',
        }


# --- errors (for the schema) ------------------------------------------------------------------
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong and what to do, in words.")
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Invalid input: messages by field name.",
    )
    reasons = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Why the rule refused a decision."
    )
    current_version = serializers.IntegerField(required=False, help_text="On 409: the version now.")
    holder = serializers.CharField(
        required=False, help_text="On 409 claim_taken: who holds the claim."
    )


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    words = {
        400: "Invalid input; `errors` lists messages by field.",
        401: "No or an invalid token.",
        403: "Your account may not do this.",
        404: "No such object.",
        409: "Conflicts with what is stored: `version_conflict` (it changed since you read "
        "it), `claim_taken` (another reviewer holds it; `holder` says who), `already_attached`, "
        "`not_failed` (a retry of an archive that has not failed).",
        413: "The body is over the size this server takes (DATA_UPLOAD_MAX_MEMORY_SIZE).",
        415: "The body is not JSON: send `Content-Type: application/json`.",
        429: "Too many requests; see Retry-After.",
    }
    return {c: OpenApiResponse(ErrorSerializer, description=words[c]) for c in codes}


READ_ERRORS = errors(401, 403, 404, 429)


def text_filter(*, max_length: int, **kwargs) -> django_filters.CharFilter:
    """A free-text query filter whose schema states what its form field checks: at most
    `max_length` characters, no NUL (Django's CharField refuses both with a 400)."""
    return set_override(
        django_filters.CharFilter(max_length=max_length, **kwargs),
        "field",
        {"type": "string", "maxLength": max_length, "pattern": r"^[^\x00]*$"},
    )


class ApiView:
    """What every API view shares: token (or desk session) auth, per-action model
    permissions, per-token throttling."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [ActionPermission]
    throttle_classes = [TokenRateThrottle]
    renderer_classes = [JSONRenderer]
    lookup_value_regex = "[0-9]+"
    object_noun = "object"

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        _check_scalar_params(request, getattr(self, "filterset_class", None))

    def filter_queryset(self, queryset):
        """Skip django-filter when the request names none of the filters: it would return the
        queryset unchanged (empty values filter nothing) after building and validating a form."""
        filterset = getattr(self, "filterset_class", None)
        if (
            filterset is not None
            and all(b is DjangoFilterBackend for b in self.filter_backends)
            and not any(name in self.request.query_params for name in filterset.base_filters)
        ):
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise Http404(
                f"There is no {self.object_noun} with id {self.kwargs.get(self.lookup_field)}."
            ) from None


def _query_int(request, name: str, *, maximum: int | None) -> int | None:
    """A query parameter that must be one whole number from 1 (to `maximum`), given at most
    once: None when absent; anything else is a 400 that says what to send."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    upto = f" to {maximum}" if maximum is not None else ""
    if len(values) > 1:
        raise serializers.ValidationError({name: [f"Give {name} once, not {len(values)} times."]})
    raw = values[0]
    number = int(raw) if re.fullmatch(r"[0-9]{1,19}", raw) else None
    if number is None or number < 1 or (maximum is not None and number > maximum):
        raise serializers.ValidationError(
            {name: [f"{name} must be a whole number from 1{upto}; {raw[:40]!r} is not."]}
        )
    return number


class StrictPageSize:
    """`page_size` as every list of this API reads it: absent (the default size), or one whole
    number from 1 to `max_page_size`; anything else is a 400, never a silent default (DRF's
    own pagination ignores a bad value and copies it into `next`). The schema says the same."""

    page_size: int
    page_size_query_param = "page_size"
    max_page_size: int

    def get_page_size(self, request) -> int:
        size = _query_int(request, self.page_size_query_param, maximum=self.max_page_size)
        return self.page_size if size is None else size

    def get_schema_operation_parameters(self, view) -> list[dict]:
        params = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["description"] = (
                    f"Results per page: 1 to {self.max_page_size} (default {self.page_size})."
                )
                param["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return params


def _check_scalar_params(request, filterset) -> None:
    """Every query parameter of this API is one value: given twice is a 400, and so is an
    empty value for a typed one (a number, a choice, a date-time: `?status=` filters nothing,
    which a client did not mean). Free-text filters may be empty. Pagination checks its own."""
    filters = filterset.base_filters if filterset is not None else {}
    typed = {n for n, f in filters.items() if not isinstance(f, django_filters.CharFilter)}
    problems: dict[str, list[str]] = {}
    for name in [*filters, "format"]:
        values = request.query_params.getlist(name)
        if len(values) > 1:
            problems[name] = [f"Give {name} once, not {len(values)} times."]
        elif values and values[0] == "" and (name in typed or name == "format"):
            problems[name] = ["Give a value, or leave the parameter out."]
    if problems:
        raise serializers.ValidationError(problems)


class ApiPagination(StrictPageSize, PageNumberPagination):
    """Numbered pages for every list but the sync feed: `page` from 1 (a page past the last is
    a 404), `page_size` as StrictPageSize says."""

    page_size = 50
    max_page_size = 200
    last_page_strings = ()
    invalid_page_message = "There is no page {page_number} (pages start at 1): {message}"

    def get_page_number(self, request, paginator) -> int:
        number = _query_int(request, self.page_query_param, maximum=None)
        return 1 if number is None else number

    def get_schema_operation_parameters(self, view) -> list[dict]:
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_query_param:
                param["description"] = "Page number, from 1; a page past the last is a 404."
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
        return params

    def paginate_queryset(self, queryset, request, view=None):
        """Ids first: the page's ids come from an index (OFFSET walks the primary key only, not
        the joined rows), then the page's rows in one query by id, in the same order."""
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        if ids is None:
            return None
        rows = queryset.in_bulk(ids)
        return [rows[i] for i in ids]
