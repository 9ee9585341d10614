"""Entities by domain and snapshot metadata (/api/v1/entities/, /api/v1/snapshots/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from reex.lib.api import READ_ERRORS, ApiPagination, ApiView, errors
from sources.api.filters import EntityFilter
from sources.api.serializers import EntitySerializer, SnapshotSerializer
from sources.chains import current_graph
from sources.models import Entity, Snapshot


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
    action_permissions = {"default": ("sources.view_entity", "read entities")}

    def get_serializer_context(self) -> dict:
        # One graph per request (one query while this process holds the current graph),
        # however many entities the page shows.
        return {**super().get_serializer_context(), "graph": current_graph()}


@extend_schema_view(
    retrieve=extend_schema(
        summary="Snapshot metadata, with links to the archived body, text and WARC",
        responses={200: SnapshotSerializer, **READ_ERRORS},
    ),
)
class SnapshotViewSet(ApiView, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Snapshot.objects.defer("text", "headers")
    serializer_class = SnapshotSerializer
    object_noun = "snapshot"
    action_permissions = {"default": ("sources.view_snapshot", "read snapshots")}
