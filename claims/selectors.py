"""Reads on claims that span tables, in bulk: evidence facts and suggestions for many claims,
evidence on a domain, and the review desk's queue and claim page.

Costs (whatever the number of claims, evidence or chain depth):
* `evidence_facts_for_claims`: one query, plus one when some evidence has no publisher yet
  (its URL is looked up again in the domain register, so a domain an editor classified since
  counts at once);
* `suggestions_for_claims`: the above plus two for the control graph (`ownership.chains`);
* `evidence_on_domains`: one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When

from claims.models import Claim, ClassificationRequest, Evidence, StatusChange
from claims.suggestion import EvidenceFacts, Suggestion, min_sources, suggest
from ownership.chains import ControlGraph, current_graph
from ownership.publishers import candidate_domains, publisher_ids_for_urls, to_ascii, to_unicode
from sources.models import Snapshot


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
    URL's host (ownership.publishers.candidate_domains), so `notnews.cn` or `news.cn.example.com`
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


# --------------------------------------------------------------------------- the review queue
# The desk's reads (claims.presenters turns them into what the pages show). Each costs a
# constant number of queries, whatever the number of claims, evidence rows or ownership edges:
# the queue pages claim ids first and then aggregates the evidence of that page only.

PER_PAGE = 50

#: The queue's status tabs besides the claim statuses themselves.
NEEDS_WORK = "needs_work"
PROBLEMS = "problems"
ALL = "all"

#: Claim statuses a claim "needs work" in (besides having a source problem).
OPEN_STATUSES = (Claim.Status.UNREVIEWED, Claim.Status.IN_REVIEW)

#: Snapshot states that mean "nothing to read yet"; the claim page polls while any is present.
IN_FLIGHT = (Snapshot.Status.PENDING, Snapshot.Status.FETCHING)
#: Snapshot drift that flags a source.
DRIFTED = (Snapshot.Drift.CHANGED, Snapshot.Drift.VANISHED)


def drifted_q() -> Q:
    """Evidence whose source changed or vanished since it was archived. A vanished source keeps
    its evidence on the last good copy, so the flag is in the hints
    (claims.services.archiving.evidence_flag_vanished)."""
    # drift__in, not ~Q(drift=""): the negation would also match evidence with no snapshot.
    return Q(snapshot__drift__in=DRIFTED) | Q(hints__drift__status__in=DRIFTED)


def problem_claim_ids() -> QuerySet[Evidence]:
    """Ids of claims with a failed snapshot or a drifted source, as an uncorrelated subquery
    that the database computes once per query and probes as a hash (a correlated EXISTS per
    claim, inside an OR, would run once per claim row).

    Written so that indexes answer it without reading every snapshot: failed snapshots through
    the status index; drift only ever marks a re-check (`previous` set), found through the
    `previous` index; a re-check that found the source vanished leaves the evidence on its last
    archived copy, which is that re-check's `previous`.
    """
    problem_snapshots = Snapshot.objects.filter(
        Q(status=Snapshot.Status.FAILED) | Q(previous__isnull=False, drift__in=DRIFTED)
    ).values("pk")
    vanished_from = Snapshot.objects.filter(
        previous__isnull=False, drift=Snapshot.Drift.VANISHED
    ).values("previous_id")
    return (
        Evidence.objects.filter(
            Q(snapshot_id__in=problem_snapshots) | Q(snapshot_id__in=vanished_from)
        )
        .order_by()
        .values("claim_id")
    )


def has_problem_expr() -> Case:
    """True for a claim with a failed snapshot or a drifted source."""
    return Case(
        When(pk__in=problem_claim_ids(), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


@dataclass(frozen=True)
class QueueFilters:
    """What the reviewer asked the queue for (already validated by `QueueFilterForm`)."""

    status: str = NEEDS_WORK
    article: int | None = None
    origin: int | None = None
    assigned: str = ""  # "" | "me" | "unassigned"
    q: str = ""
    sort: str = "oldest"  # "oldest" | "article" | "priority" (claims.presenters.SORTS)


def _filtered(*, filters: QueueFilters, user: AbstractBaseUser) -> QuerySet[Claim]:
    """Every filter except the status one (the status counts use this set)."""
    qs = Claim.objects.all()
    if filters.article:
        qs = qs.filter(article_id=filters.article)
    if filters.origin:
        qs = qs.filter(origin_id=filters.origin)
    if filters.assigned == "me":
        qs = qs.filter(assignee_id=user.pk)
    elif filters.assigned == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    q = filters.q.strip()
    if q:
        match = (
            Q(text__icontains=q)
            | Q(restatement__icontains=q)
            | Q(key__icontains=q)
            | Q(article__title__icontains=q)
            | Q(origin__name__icontains=q)
        )
        number = q.lstrip("#")
        if number.isdigit() and len(number) < 18:
            match |= Q(pk=int(number))
        qs = qs.filter(match)
    return qs


def _status_q(status: str) -> Q:
    if status == NEEDS_WORK:
        return Q(status__in=OPEN_STATUSES) | Q(pk__in=problem_claim_ids())
    if status == PROBLEMS:
        return Q(pk__in=problem_claim_ids())
    if status == ALL:
        return Q()
    return Q(status=status)


def queue_counts(*, filters: QueueFilters, user: AbstractBaseUser) -> dict[str, int]:
    """Claims per status tab (every claim status, NEEDS_WORK, PROBLEMS, ALL), under the other
    filters: one grouped query."""
    rows = (
        _filtered(filters=filters, user=user)
        .annotate(has_problem=has_problem_expr())
        .order_by()
        .values("status", "has_problem")
        .annotate(n=Count("id"))
    )
    counts: dict[str, int] = dict.fromkeys([NEEDS_WORK, *Claim.Status.values, PROBLEMS, ALL], 0)
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
        counts[ALL] += row["n"]
        if row["has_problem"]:
            counts[PROBLEMS] += row["n"]
        if row["has_problem"] or row["status"] in OPEN_STATUSES:
            counts[NEEDS_WORK] += row["n"]
    return counts


class KnownCountPaginator(Paginator):
    """A paginator that is told the count when the caller already has it (the status counts
    were computed under the same filters: no second COUNT(*))."""

    def __init__(self, object_list, per_page: int, *, count: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count if self.known_count is not None else super().count


def queue_claims(
    *,
    filters: QueueFilters,
    user: AbstractBaseUser,
    page_number: Any = 1,
    per_page: int = PER_PAGE,
    total: int | None = None,
) -> Page:
    """One page of the queue's claims (`page.object_list`: Claim rows with their article,
    origin and assignee): a count and two queries. Pass `total` (from `queue_counts`) to skip
    the count."""
    qs = _filtered(filters=filters, user=user).filter(_status_q(filters.status))
    if filters.sort == "article":
        qs = qs.order_by(
            F("article__published_on").desc(nulls_last=True),
            "-article__created_at",
            "article_id",
            "span_start",
        )
    elif filters.sort == "priority":
        taken = Case(When(assignee__isnull=True, then=Value(0)), default=Value(1))
        qs = qs.annotate(has_problem=has_problem_expr())
        qs = qs.order_by("-has_problem", taken, "created_at", "id")
    else:
        qs = qs.order_by("created_at", "id")
    # Page the ids on the claims table alone, then load that page's rows with their joins:
    # joining article/origin/assignee before the sort and limit would join every claim.
    page = KnownCountPaginator(qs.values_list("pk", flat=True), per_page, count=total).get_page(
        page_number
    )
    ids = list(page.object_list)
    by_id = Claim.objects.for_list().defer("article__text").in_bulk(ids)
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    return page


@dataclass
class EvidenceCounts:
    """One claim's evidence as the queue counts it."""

    stances: dict[str, int] = field(default_factory=dict)
    total: int = 0
    failed: int = 0
    drifted: int = 0
    in_flight: int = 0


def evidence_counts(*, claim_ids: Iterable[int]) -> dict[int, EvidenceCounts]:
    """Evidence counts per claim id (every id present): one aggregate query."""
    out = {cid: EvidenceCounts() for cid in claim_ids}
    if not out:
        return out
    aggregates = (
        Evidence.objects.filter(claim_id__in=list(out))
        .order_by()
        .values("claim_id", "stance")
        .annotate(
            n=Count("id"),
            failed=Count("id", filter=Q(snapshot__status=Snapshot.Status.FAILED)),
            drifted=Count("id", filter=drifted_q()),
            in_flight=Count("id", filter=Q(snapshot__status__in=IN_FLIGHT)),
        )
    )
    for agg in aggregates:
        counts = out[agg["claim_id"]]
        counts.stances[agg["stance"]] = agg["n"]
        counts.total += agg["n"]
        counts.failed += agg["failed"]
        counts.drifted += agg["drifted"]
        counts.in_flight += agg["in_flight"]
    return out


# --------------------------------------------------------------------------- the claim page


def claim_for_page(pk: int) -> Claim:
    """The claim with what every claim view shows (raises Claim.DoesNotExist)."""
    return Claim.objects.for_list().get(pk=pk)


def claim_suggestion(*, claim: Claim, graph: ControlGraph) -> Suggestion:
    """The suggestion the claim page shows (panel, decide box, evidence badges): every claim
    view asks here and nowhere else, so a stored suggestion can replace this one computation.
    Today it is computed fresh from the evidence (`suggestions_for_claims`)."""
    return suggestions_for_claims(claims=[claim], graph=graph)[claim.pk]


def claim_evidence_qs(claim: Claim) -> QuerySet[Evidence]:
    # The extracted text and headers can be large: the page loads them on demand.
    return (
        claim.evidence.select_related("publisher", "snapshot", "added_by")
        .defer("snapshot__text", "snapshot__headers", "snapshot__capture_log")
        .order_by("created_at", "id")
    )


def claim_audit(claim: Claim) -> list[StatusChange]:
    """The claim's status changes, newest first, with their actors (one query)."""
    return list(claim.status_changes.select_related("actor").order_by("-created_at", "-id"))


def latest_classifications(evidence_ids: list[int]) -> dict[int, ClassificationRequest]:
    """The newest classification request per evidence id: one query."""
    out: dict[int, ClassificationRequest] = {}
    if not evidence_ids:
        return out
    requests = (
        ClassificationRequest.objects.filter(evidence_id__in=evidence_ids)
        .select_related("requested_by", "resolved_by", "publisher")
        .order_by("-created_at", "-id")
    )
    for r in requests:
        out.setdefault(r.evidence_id, r)
    return out


def open_classification_count(user: AbstractBaseUser) -> int | None:
    """How many classification requests wait for an editor (None for non-editors, who do not
    see the count)."""
    if not user.has_perm("claims.change_evidence"):
        return None
    return ClassificationRequest.objects.open().count()
