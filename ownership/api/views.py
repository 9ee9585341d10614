"""Entities by domain (/api/v1/entities/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from ownership.api.filters import EntityFilter
from ownership.api.serializers import EntitySerializer
from ownership.chains import current_graph
from ownership.models import Entity
from plumbing.api import READ_ERRORS, ApiPagination, ApiView, errors


@extend_schema_view(
    list=extend_schema(
        summary="Entities; `?domain=D` gives the publisher behind a domain",
        responses={200: EntitySerializer(many=True), **errors(400, 401, 403, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One entity with its control resolution",
        responses={200: EntitySerializer, **READ_ERRORS},
    ),
)
class EntityViewSet(
    ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Entity.objects.prefetch_related("domains").order_by("id")
    serializer_class = EntitySerializer
    filterset_class = EntityFilter
    pagination_class = ApiPagination
    object_noun = "entity"
    action_permissions = {"default": ("ownership.view_entity", "read entities")}

    def get_serializer_context(self) -> dict:
        # One graph per request (one query while this process holds the current graph),
        # however many entities the page shows.
        return {**super().get_serializer_context(), "graph": current_graph()}
