"""Reads on claims that span tables, in bulk: evidence facts and suggestions for many claims.

Costs (whatever the number of claims, evidence or chain depth):
* `evidence_facts_for_claims`: one query, plus one when some evidence has no publisher yet
  (its URL is looked up again in the domain register, so a domain an editor classified since
  counts at once);
* `suggestions_for_claims`: the above plus two for the control graph (`sources.chains`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from claims.models import Claim, Evidence
from claims.suggestion import EvidenceFacts, Suggestion, min_sources, suggest
from sources.chains import ControlGraph, current_graph
from sources.publishers import publisher_ids_for_urls


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
