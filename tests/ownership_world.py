"""Helpers for the ownership import/export tests: the register as comparable data, an empty
desk, and the seed claims' suggestions over a fixed set of evidence."""

from __future__ import annotations

from claims.models import Article, Claim, Evidence
from claims.selectors import suggest_for_claims
from ownership.chains import load_graph
from ownership.models import Domain, Entity, Ownership
from sources.models import Snapshot
from tests.factories import EvidenceFactory


def register() -> dict:
    """Every entity and edge as plain data keyed by slugs (no ids, no provenance)."""
    entities = {
        e.slug: {
            "name": e.name,
            "kind": e.kind,
            "country": e.country,
            "aliases": list(e.aliases),
            "basis": e.basis,
            "lei": e.lei,
            "uscc": e.uscc,
            "wikidata_id": e.wikidata_id,
            "domains": sorted(d.domain for d in e.domains.all()),
        }
        for e in Entity.objects.prefetch_related("domains")
    }
    edges = {
        (o.owner.slug, o.owned.slug): {
            "stake_pct": o.stake_pct,
            "controlling": o.controlling,
            "confirmed": o.confirmed,
            "citation_url": o.citation_url,
            "as_of": o.as_of,
            "basis": o.basis,
            "nature": o.nature,
            "start_date": o.start_date,
            "end_date": o.end_date,
        }
        for o in Ownership.objects.select_related("owner", "owned")
    }
    return {"entities": entities, "edges": edges}


def chains() -> dict:
    """Each entity's resolution in slugs: controllers, chains, state control, notes."""
    graph = load_graph()
    slug = dict(Entity.objects.values_list("id", "slug"))
    out = {}
    for entity_id, s in slug.items():
        res = graph.resolve(entity_id)
        out[s] = {
            "controllers": sorted(slug[c] for c in res.controllers),
            "chains": [[slug[i] for i in chain] for chain in res.chains],
            "state_controlled": res.state_controlled,
            "notes": res.notes,
            "rendered": [graph.render_chain(chain) for chain in res.chains],
        }
    return out


def attach_fixed_evidence() -> None:
    """Three supporting sources per seed claim, picked deterministically from the publishers
    with a domain, archived: so the suggestions depend on the ownership graph."""
    domains = list(Domain.objects.select_related("entity").order_by("domain"))
    for i, claim in enumerate(Claim.objects.order_by("key")):
        for j, step in enumerate((1, 7, 13)):
            d = domains[(i * step + j * 5) % len(domains)]
            EvidenceFactory(
                claim=claim, url=f"https://{d.domain}/story-{i}-{j}", publisher=d.entity
            )


def suggestions() -> dict:
    claims = list(Claim.objects.order_by("key"))
    by_id = suggest_for_claims(claims)
    out = {}
    for claim in claims:
        s = by_id[claim.pk]
        evidence = {e.pk: e.url for e in claim.evidence.all()}
        out[claim.key] = {
            "status": s.status,
            "reasons": s.reasons,
            "needed": s.needed,
            "groups": s.independent_groups,
            "assessments": sorted(
                (evidence[a.evidence_id], a.badge, a.counts, a.group_label, a.why)
                for a in s.assessments.values()
            ),
        }
    return out


def empty_the_desk() -> None:
    """Delete every claim, article, snapshot, edge and entity (an empty desk)."""
    Evidence.objects.all().delete()
    Snapshot.objects.all().delete()
    for claim in Claim.objects.all():
        claim.subjects.clear()
    Claim.objects.all().delete()
    Article.objects.all().delete()
    Ownership.objects.all().delete()
    Domain.objects.all().delete()
    Entity.objects.all().delete()
