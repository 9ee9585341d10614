"""Entities (publishers) and snapshot metadata for the API."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.chains import ControlGraph
from sources.models import Entity, Snapshot
from sources.views import content_url


class EntityChainLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EntityControllerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    country = serializers.CharField()


class EntitySerializer(serializers.ModelSerializer):
    """An entity with its domains and control resolution (from `context["graph"]`)."""

    domains = serializers.SerializerMethodField()
    state_controlled = serializers.SerializerMethodField()
    controllers = serializers.SerializerMethodField()
    chain = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()

    class Meta:
        model = Entity
        fields = [
            "id",
            "slug",
            "name",
            "kind",
            "country",
            "domains",
            "state_controlled",
            "controllers",
            "chain",
            "notes",
        ]

    def _graph(self) -> ControlGraph:
        return self.context["graph"]

    def _ref(self, entity_id: int) -> dict[str, Any]:
        node = self._graph().nodes.get(entity_id)
        return {
            "id": entity_id,
            "name": self._graph().name(entity_id),
            "kind": node.kind if node else "",
            "country": node.country if node else "",
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_domains(self, obj: Entity) -> list[str]:
        return [d.domain for d in obj.domains.all()]

    @extend_schema_field(serializers.BooleanField())
    def get_state_controlled(self, obj: Entity) -> bool:
        return self._graph().resolve(obj.pk).state_controlled

    @extend_schema_field(EntityControllerSerializer(many=True))
    def get_controllers(self, obj: Entity) -> list[dict[str, Any]]:
        graph = self._graph()
        found = graph.resolve(obj.pk).controllers
        return [self._ref(i) for i in sorted(found, key=lambda i: (graph.name(i), i))]

    @extend_schema_field(serializers.ListField(child=EntityChainLinkSerializer(many=True)))
    def get_chain(self, obj: Entity) -> list[list[dict[str, Any]]]:
        graph = self._graph()
        return [
            [{"id": i, "name": graph.name(i)} for i in chain]
            for chain in graph.resolve(obj.pk).chains
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_notes(self, obj: Entity) -> list[str]:
        return list(self._graph().resolve(obj.pk).notes)


def _archive_url(request, name: str, snapshot_id: int) -> str | None:
    try:
        path = reverse(name, args=[snapshot_id])
    except NoReverseMatch:
        return None
    return request.build_absolute_uri(path) if request is not None else path


class SnapshotSerializer(serializers.ModelSerializer):
    content_url = serializers.SerializerMethodField(
        help_text="The archived body, served sandboxed (Content-Security-Policy: sandbox)."
    )
    text_url = serializers.SerializerMethodField(help_text="The extracted text, as plain text.")
    warc_url = serializers.SerializerMethodField(help_text="The WARC record of the capture.")
    screenshot_url = serializers.SerializerMethodField(
        help_text="A browser capture's full-page PNG screenshot; null for a plain fetch."
    )
    wacz_url = serializers.SerializerMethodField(
        help_text="The capture as a WACZ 1.1 package (WARC, index, pages, digests)."
    )

    class Meta:
        model = Snapshot
        fields = [
            "id",
            "url",
            "status",
            "final_url",
            "http_status",
            "content_type",
            "size",
            "sha256",
            "title",
            "author",
            "published_on",
            "site_name",
            "canonical_url",
            "error",
            "drift",
            "previous",
            "attempts",
            "created_at",
            "fetch_started_at",
            "archived_at",
            "content_url",
            "text_url",
            "warc_url",
            "capture",
            "capture_note",
            "screenshot_url",
            "wacz_url",
        ]

    def _url(self, obj: Snapshot, name: str) -> str | None:
        return _archive_url(self.context.get("request"), name, obj.pk)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_content_url(self, obj: Snapshot) -> str | None:
        """This server's sandboxed path, or (REEX_ARCHIVE_ORIGIN set) a signed link on the
        archive host, valid REEX_ARCHIVE_LINK_SECONDS; the text and WARC links take the token."""
        if not obj.body:
            return None
        request = self.context.get("request")
        url = content_url(obj, user=getattr(request, "user", None))
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_text_url(self, obj: Snapshot) -> str | None:
        return (
            self._url(obj, "sources:snapshot-text")
            if obj.status == Snapshot.Status.ARCHIVED
            else None
        )

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_warc_url(self, obj: Snapshot) -> str | None:
        return self._url(obj, "sources:snapshot-warc") if obj.warc else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_screenshot_url(self, obj: Snapshot) -> str | None:
        if obj.status != Snapshot.Status.ARCHIVED or not obj.screenshot:
            return None
        return self._url(obj, "sources:snapshot-screenshot")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_wacz_url(self, obj: Snapshot) -> str | None:
        if obj.status != Snapshot.Status.ARCHIVED or not (obj.wacz or obj.warc):
            return None
        return self._url(obj, "sources:snapshot-wacz")
