"""Reads of intake that span tables: the proposer's lookups (entities with their aliases, the
existing claims a proposal may state again)."""

from __future__ import annotations

import re

from django.db.models import Q

from claims.figures import index_rows, quantitative
from claims.models import Claim, ClaimFigure
from intake.proposer.entities import EntityRef
from intake.proposer.matching import ClaimRef, match_claim
from ownership.models import Entity


def proposal_entities() -> list[EntityRef]:
    """Every known entity with its aliases, as the proposer matches names (one query)."""
    return [
        EntityRef(id=pk, name=name, kind=kind, aliases=tuple(str(a) for a in aliases or []))
        for pk, name, kind, aliases in Entity.objects.values_list("id", "name", "kind", "aliases")
    ]


def claims_matching(*, article, proposals: list) -> dict[str, tuple[int, str]]:
    """For each proposal (by fingerprint), the existing claim that states the same thing and
    why (intake.proposer.matching.match_claim): looked for among the claims of the same
    article, the claims about any of the proposals' subjects, and the claims whose indexed
    figures (claims.models.ClaimFigure) are any of the proposals' amounts, so a restated figure
    is found in another article even when its subject was not recognised (two queries)."""
    if not proposals:
        return {}
    subject_ids = {s for p in proposals for s in p.subjects}
    by_figures = Q()
    for p in proposals:
        amounts = [f for f in quantitative(p.figures) if re.search(r"\d", f.get("text", "0"))]
        for f in amounts:
            for unit, low, high in index_rows([f]):
                eps = 1e-9 * max(1.0, abs(low), abs(high))
                by_figures |= Q(
                    unit=unit,
                    low__range=(low - eps, low + eps),
                    high__range=(high - eps, high + eps),
                )
                if low == high and f.get("qualifier") in ("nearly", "about"):
                    by_figures |= Q(unit=unit, low__lte=low * 1.1, high__gte=low * 0.9)
    where = Q(article=article) | Q(subjects__in=subject_ids)
    if by_figures:
        where |= Q(pk__in=ClaimFigure.objects.filter(by_figures).values("claim_id"))
    candidates = [
        ClaimRef(
            id=c.pk,
            text=c.text,
            figures=tuple(c.figures or []),
            subjects=frozenset(s.pk for s in c.subjects.all()),
        )
        for c in Claim.objects.filter(where)
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
