"""Reads of intake that span tables: the proposer's lookups (entities with their aliases, the
existing claims a proposal may state again)."""

from __future__ import annotations

from django.db.models import Q

from claims.models import Claim
from intake.proposals import ClaimRef, EntityRef, match_claim
from sources.models import Entity


def proposal_entities() -> list[EntityRef]:
    """Every known entity with its aliases, as the proposer matches names (one query)."""
    return [
        EntityRef(id=pk, name=name, kind=kind, aliases=tuple(str(a) for a in aliases or []))
        for pk, name, kind, aliases in Entity.objects.values_list("id", "name", "kind", "aliases")
    ]


def claims_matching(*, article, proposals: list) -> dict[str, tuple[int, str]]:
    """For each proposal (by fingerprint), the existing claim that states the same thing and
    why: looked for among the claims of the same article and the claims about any of the
    proposals' subjects (two queries)."""
    if not proposals:
        return {}
    subject_ids = {s for p in proposals for s in p.subjects}
    candidates = [
        ClaimRef(
            id=c.pk,
            text=c.text,
            figures=tuple(c.figures or []),
            subjects=frozenset(s.pk for s in c.subjects.all()),
        )
        for c in Claim.objects.filter(Q(article=article) | Q(subjects__in=subject_ids))
        .distinct()
        .only("id", "text", "figures")
        .prefetch_related("subjects")
    ]
    out = {}
    for p in proposals:
        hit = match_claim(p, candidates)
        if hit is not None:
            out[p.fingerprint] = hit
    return out
