"""Everything a claim's API representation needs beyond its own row, loaded in bulk, and the
representation itself, built as plain dicts.

`ClaimContext.build(claims)` costs a constant number of queries for any number of claims and
evidence rows: the control graph (`ownership.chains.current_graph`: one query while the graph
this process keeps is still the database's, three when it is loaded again), the evidence facts
the suggestion rule reads (one, or none when the claims' evidence was prefetched, plus one when
a publisher is unknown). Publishers, controllers and chains then come from the graph in memory;
nothing below reads the database.

`claim_data()` / `evidence_data()` build exactly what the serializers in
claims/api/serializers.py declare (those declarations are the OpenAPI schema; their
`to_representation` calls these functions, and tests/test_api_presenters.py checks that DRF's
field-by-field rendering of the same declarations gives the same JSON). Plain dicts cost a
fraction of nested serializer fields on a page of 50 claims or a claim with many evidence rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import fields as drf_fields

from claims.models import Claim, Evidence
from claims.selectors import evidence_facts_for_claims, evidence_facts_from_rows
from claims.suggestion import EvidenceFacts, Suggestion, min_sources, suggest
from ownership.chains import ControlGraph, current_graph


@dataclass
class ClaimContext:
    graph: ControlGraph
    suggestions: dict[int, Suggestion] = field(default_factory=dict)
    # evidence id → the publisher the rule used (a domain classified since attaching counts)
    publishers: dict[int, int | None] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        claims: Iterable[Claim],
        *,
        graph: ControlGraph | None = None,
        prefetched: bool = False,
    ) -> ClaimContext:
        """`prefetched`: every claim's `evidence` was prefetched with its snapshot (as the
        detail view does), so the facts come from those rows instead of another query."""
        claims = list(claims)
        graph = graph or current_graph()
        ids = [c.pk for c in claims]
        facts: dict[int, list[EvidenceFacts]]
        if not claims:
            facts = {}
        elif prefetched:
            rows = sorted(
                (
                    (
                        e.pk,
                        e.claim_id,
                        e.stance,
                        e.publisher_id,
                        e.url,
                        e.snapshot.status if e.snapshot is not None else None,
                        e.snapshot.error if e.snapshot is not None else None,
                    )
                    for c in claims
                    for e in c.evidence.all()
                ),
                key=lambda r: r[0],
            )
            facts = evidence_facts_from_rows(claim_ids=ids, rows=rows, graph=graph)
        else:
            facts = evidence_facts_for_claims(claim_ids=ids, graph=graph)
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


# --- the representation ---------------------------------------------------------------------
# Dates and times are written as DRF's DateTimeField/DateField write them (ISO 8601, in the
# current time zone, "Z" for UTC). Aware datetimes (every stored one: USE_TZ) take the short
# path below, the same steps as DRF's; anything else goes through DRF's own field.
_datetime = drf_fields.DateTimeField().to_representation
_date = drf_fields.DateField().to_representation


def _when(value):
    if value is None:
        return None
    if value.tzinfo is None or not settings.USE_TZ:
        return _datetime(value)
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def article_data(article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "key": article.key,
        "title": article.title,
        "url": article.url,
        "published_on": None if article.published_on is None else _date(article.published_on),
    }


def snapshot_data(snapshot) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    return {
        "id": snapshot.pk,
        "status": snapshot.status,
        "sha256": snapshot.sha256,
        "archived_at": _when(snapshot.archived_at),
        "title": snapshot.title,
        "error": snapshot.error,
    }


def assessment_data(found) -> dict[str, Any] | None:
    """How the rule counted one evidence row (`claims.suggestion.EvidenceAssessment`), as the
    API shows it; None when the rule did not assess it."""
    if found is None:
        return None
    return {
        "counts": found.counts,
        "badge": found.badge,
        "group_label": found.group_label,
        "why": found.why,
    }


def evidence_data(evidence: Evidence, ctx: ClaimContext, *, origin_id: int) -> dict[str, Any]:
    publisher_id = ctx.publishers.get(evidence.pk, evidence.publisher_id)
    suggestion = ctx.suggestions.get(evidence.claim_id)
    found = suggestion.assessments.get(evidence.pk) if suggestion else None
    return {
        "id": evidence.pk,
        "url": evidence.url,
        "stance": evidence.stance,
        "excerpt": evidence.excerpt,
        "publisher": ctx.entity(publisher_id) if publisher_id is not None else None,
        "independent": ctx.independent(origin_id=origin_id, publisher_id=publisher_id),
        "snapshot": snapshot_data(evidence.snapshot),
        "assessment": assessment_data(found),
        "created_at": _when(evidence.created_at),
    }


def claim_data(claim: Claim, ctx: ClaimContext, *, with_evidence: bool = False) -> dict[str, Any]:
    """A claim as the list shows it; `with_evidence` adds `evidence` (the detail's shape)."""
    suggestion = ctx.suggestions.get(claim.pk)
    data = {
        "id": claim.pk,
        "article": article_data(claim.article),
        "key": claim.key,
        "text": claim.text,
        "restatement": claim.restatement,
        "kind": claim.kind,
        "figures": claim.figures,
        "status": claim.status,
        "suggested_status": suggestion.status if suggestion else None,
        "suggestion_reasons": list(suggestion.reasons) if suggestion else [],
        "origin": ctx.entity(claim.origin_id),
        "version": claim.version,
        "created_at": _when(claim.created_at),
        "updated_at": _when(claim.updated_at),
    }
    if with_evidence:
        data["evidence"] = [
            evidence_data(e, ctx, origin_id=claim.origin_id) for e in claim.evidence.all()
        ]
    return data
