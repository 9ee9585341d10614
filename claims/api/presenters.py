"""Everything a claim's API representation needs beyond its own row, loaded in bulk.

`ClaimContext.build(claims)` costs a constant number of queries for any number of claims and
evidence rows: the control graph (two), the evidence facts the suggestion rule reads (one, plus
one when a publisher is unknown). Publishers, controllers and chains then come from the graph
in memory; serializers read them from the context, never from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from claims.models import Claim
from claims.selectors import evidence_facts_for_claims
from claims.suggestion import EvidenceFacts, Suggestion, min_sources, suggest
from sources.chains import ControlGraph, load_graph


@dataclass
class ClaimContext:
    graph: ControlGraph
    suggestions: dict[int, Suggestion] = field(default_factory=dict)
    # evidence id → the publisher the rule used (a domain classified since attaching counts)
    publishers: dict[int, int | None] = field(default_factory=dict)

    @classmethod
    def build(cls, claims: Iterable[Claim], *, graph: ControlGraph | None = None) -> ClaimContext:
        claims = list(claims)
        graph = graph or load_graph()
        facts: dict[int, list[EvidenceFacts]] = (
            evidence_facts_for_claims(claim_ids=[c.pk for c in claims], graph=graph)
            if claims
            else {}
        )
        n = min_sources()
        suggestions = {
            c.pk: suggest(origin_id=c.origin_id, evidence=facts[c.pk], graph=graph, min_sources=n)
            for c in claims
        }
        publishers = {f.id: f.publisher_id for rows in facts.values() for f in rows}
        return cls(graph=graph, suggestions=suggestions, publishers=publishers)

    # ------------------------------------------------------------------ entities
    def entity_ref(self, entity_id: int) -> dict[str, Any]:
        node = self.graph.nodes.get(entity_id)
        return {
            "id": entity_id,
            "name": self.graph.name(entity_id),
            "kind": node.kind if node else "",
            "country": node.country if node else "",
        }

    def entity(self, entity_id: int) -> dict[str, Any]:
        """An entity with its control resolution: what `publisher` and `origin` show."""
        resolution = self.graph.resolve(entity_id)
        return {
            **self.entity_ref(entity_id),
            "state_controlled": resolution.state_controlled,
            "controllers": [
                self.entity_ref(i)
                for i in sorted(resolution.controllers, key=lambda i: (self.graph.name(i), i))
            ],
            "chain": [
                [{"id": i, "name": self.graph.name(i)} for i in chain]
                for chain in resolution.chains
            ],
            "notes": list(resolution.notes),
        }

    def independent(self, *, origin_id: int, publisher_id: int | None) -> bool | None:
        """Disjoint ultimate controllers; None when the publisher is unknown."""
        if publisher_id is None:
            return None
        return self.graph.independent(origin_id, publisher_id)
