"""Snapshot metadata (/api/v1/snapshots/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from plumbing.api import READ_ERRORS, ApiView
from sources.api.serializers import SnapshotSerializer
from sources.models import Snapshot


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
