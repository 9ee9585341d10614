"""API plumbing both apps' endpoints share: authentication, per-action permissions,
per-token throttling, JSON errors in the schema, pagination. (`sources` must not import
`claims`, so what both need lives here.)"""

from __future__ import annotations

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer

from reex.lib.api_permissions import ActionPermission
from reex.lib.api_throttling import TokenRateThrottle
from reex.lib.authentication import ApiTokenAuthentication


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the schema documents the token (drf-spectacular finds this class on import)."""

    target_class = "reex.lib.authentication.ApiTokenAuthentication"
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


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    words = {
        400: "Invalid input; `errors` lists messages by field.",
        401: "No or an invalid token.",
        403: "Your account may not do this.",
        404: "No such object.",
        409: "The claim changed since you read it.",
        429: "Too many requests; see Retry-After.",
    }
    return {c: OpenApiResponse(ErrorSerializer, description=words[c]) for c in codes}


READ_ERRORS = errors(401, 403, 404, 429)


class ApiView:
    """What every API view shares: token (or desk session) auth, per-action model
    permissions, per-token throttling."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [ActionPermission]
    throttle_classes = [TokenRateThrottle]
    renderer_classes = [JSONRenderer]
    lookup_value_regex = "[0-9]+"
    object_noun = "object"

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


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "There is no page {page_number} (pages start at 1): {message}"

    def paginate_queryset(self, queryset, request, view=None):
        """Ids first: the page's ids come from an index (OFFSET walks the primary key only, not
        the joined rows), then the page's rows in one query by id, in the same order."""
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        if ids is None:
            return None
        rows = queryset.in_bulk(ids)
        return [rows[i] for i in ids]
