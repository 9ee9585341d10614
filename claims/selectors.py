"""Reads on claims that span tables, in bulk: evidence facts and suggestions for many claims.

Costs (whatever the number of claims, evidence or chain depth):
* `evidence_facts_for_claims`: one query, plus one when some evidence has no publisher yet
  (its URL is looked up again in the domain register, so a domain an editor classified since
  counts at once);
* `suggestions_for_claims`: the above plus two for the control graph (`sources.chains`);
* `evidence_on_domains`: one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from claims.models import Claim, Evidence
from claims.proposals import ClaimRef, EntityRef, match_claim
from claims.suggestion import EvidenceFacts, Suggestion, min_sources, suggest
from sources.chains import ControlGraph, current_graph
from sources.models import Entity
from sources.publishers import candidate_domains, publisher_ids_for_urls, to_ascii, to_unicode


def evidence_facts_for_claims(
    *, claim_ids: Iterable[int], graph: ControlGraph
) -> dict[int, list[EvidenceFacts]]:
    """Evidence facts per claim id (every id present, possibly with an empty list)."""
    claim_ids = list(dict.fromkeys(claim_ids))
    rows = list(
        Evidence.objects.filter(claim_id__in=claim_ids)
        .order_by("id")
        .values_list(
            "id", "claim_id", "stance", "publisher_id", "url", "snapshot__status", "snapshot__error"
        )
    )
    return evidence_facts_from_rows(claim_ids=claim_ids, rows=rows, graph=graph)


def evidence_facts_from_rows(
    *, claim_ids: Iterable[int], rows: Iterable[tuple], graph: ControlGraph
) -> dict[int, list[EvidenceFacts]]:
    """`evidence_facts_for_claims` for evidence rows the caller has already read, as
    (id, claim_id, stance, publisher_id, url, snapshot status or None, snapshot error or None)
    in id order: no query, plus one when some publisher is unknown."""
    rows = list(rows)
    unknown = publisher_ids_for_urls(url for _, _, _, pub, url, _, _ in rows if pub is None)
    out: dict[int, list[EvidenceFacts]] = defaultdict(list)
    for cid in dict.fromkeys(claim_ids):
        out[cid] = []
    for eid, cid, stance, pub, url, snap_status, snap_error in rows:
        pub = pub if pub is not None else unknown.get(url)
        out[cid].append(
            EvidenceFacts(
                id=eid,
                stance=stance,
                publisher_id=pub,
                publisher_name=graph.name(pub) if pub is not None else "",
                snapshot_status=snap_status or "",
                url=url,
                snapshot_error=snap_error or "",
            )
        )
    return dict(out)


def suggestions_for_claims(
    *, claims: list[Claim], graph: ControlGraph | None = None
) -> dict[int, Suggestion]:
    """The suggestion for each claim, keyed by claim id: three queries (graph, evidence) plus
    one when some publisher is unknown, however many claims. Pass a loaded `graph` to share
    it with other reads on the same page."""
    graph = graph or current_graph()
    facts = evidence_facts_for_claims(claim_ids=[c.pk for c in claims], graph=graph)
    n = min_sources()
    return {
        c.pk: suggest(origin_id=c.origin_id, evidence=facts[c.pk], graph=graph, min_sources=n)
        for c in claims
    }


def suggest_for_claim(claim: Claim) -> Suggestion:
    """The suggestion for one claim: three queries (the graph, the claim's evidence with its
    publishers and snapshots) plus one when an evidence's publisher is still unknown."""
    return suggestions_for_claims(claims=[claim])[claim.pk]


def suggest_for_claims(claims: Iterable[Claim]) -> dict[int, Suggestion]:
    """Suggestions for many claims (queue, API lists): a constant number of queries however
    many claims (see `suggestions_for_claims`)."""
    return suggestions_for_claims(claims=list(claims))


def _spellings(domain: str) -> tuple[str, str]:
    """(Unicode, ASCII/punycode) forms of a domain as stored or typed."""
    domain = domain.strip().lower().rstrip(".")
    return to_unicode(domain), to_ascii(to_unicode(domain))


def evidence_on_domains(*, domains: Iterable[str], unknown_only: bool = False) -> list[Evidence]:
    """Evidence rows (id, claim_id, url, publisher_id loaded) whose URL host is one of
    `domains` or a subdomain of one, in id order. One query: candidates are filtered in SQL
    (`url` contains the domain, Unicode or punycode), then confirmed in Python against the
    URL's host (sources.publishers.candidate_domains), so `notnews.cn` or `news.cn.example.com`
    never match `news.cn`. `unknown_only`: only rows whose publisher is still empty."""
    wanted = {form for d in domains if d.strip() for form in _spellings(d)}
    if not wanted:
        return []
    match = Q()
    for form in sorted(wanted):
        match |= Q(url__icontains=form)
    qs = Evidence.objects.filter(match)
    if unknown_only:
        qs = qs.filter(publisher__isnull=True)
    unicode_forms = {to_unicode(form) for form in wanted}
    return [
        e
        for e in qs.order_by("id").only("id", "claim_id", "url", "publisher_id")
        if unicode_forms.intersection(candidate_domains(e.url))
    ]


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
