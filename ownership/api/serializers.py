"""Entities (publishers) with their control resolution, for the API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ownership.chains import ControlGraph
from ownership.models import Entity


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
