"""Reads for the reviewers' desk (the web queue and the claim page).

Every function here costs a constant number of queries, whatever the number of claims,
evidence rows or ownership edges: the queue page pages claim ids first and then aggregates the
evidence of that page only; the claim page loads the control graph once and resolves every
publisher from it in memory.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse

from claims.models import Claim, ClassificationRequest, Evidence, StatusChange
from claims.selectors import suggestions_for_claims
from claims.suggestion import publisher_domain
from sources.chains import ControlGraph, current_graph
from sources.models import Snapshot
from sources.selectors import ControlSummary, entity_control_summaries, summarise

PER_PAGE = 50

#: The queue's status tabs besides the claim statuses themselves.
NEEDS_WORK = "needs_work"
PROBLEMS = "problems"
ALL = "all"

SORTS = {
    "oldest": "Oldest first",
    "article": "By article (newest article first, reading order)",
    "priority": "Priority (source problems first, then unassigned, then oldest)",
}

#: Snapshot states that mean "nothing to read yet"; the claim page polls while any is present.
IN_FLIGHT = (Snapshot.Status.PENDING, Snapshot.Status.FETCHING)


def drifted_q() -> Q:
    """Evidence whose source changed or vanished since it was archived. A vanished source keeps
    its evidence on the last good copy, so the flag is in the hints (claims.receivers)."""
    # drift__in, not ~Q(drift=""): the negation would also match evidence with no snapshot.
    drifted = [Snapshot.Drift.CHANGED, Snapshot.Drift.VANISHED]
    return Q(snapshot__drift__in=drifted) | Q(hints__drift__status__in=drifted)


def problem_claim_ids() -> QuerySet[Evidence]:
    """Ids of claims with a failed snapshot or a drifted source, as an uncorrelated subquery
    that the database computes once per query and probes as a hash (a correlated EXISTS per
    claim, inside an OR, would run once per claim row).

    Written so that indexes answer it without reading every snapshot: failed snapshots through
    the status index; drift only ever marks a re-check (`previous` set), found through the
    `previous` index; a re-check that found the source vanished leaves the evidence on its last
    archived copy, which is that re-check's `previous`.
    """
    drifted = [Snapshot.Drift.CHANGED, Snapshot.Drift.VANISHED]
    problem_snapshots = Snapshot.objects.filter(
        Q(status=Snapshot.Status.FAILED) | Q(previous__isnull=False, drift__in=drifted)
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
    sort: str = "oldest"


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
        return Q(status__in=[Claim.Status.UNREVIEWED, Claim.Status.IN_REVIEW]) | Q(
            pk__in=problem_claim_ids()
        )
    if status == PROBLEMS:
        return Q(pk__in=problem_claim_ids())
    if status == ALL:
        return Q()
    return Q(status=status)


@dataclass(frozen=True)
class StatusCount:
    key: str
    label: str
    count: int


def queue_counts(*, filters: QueueFilters, user: AbstractBaseUser) -> list[StatusCount]:
    """Counts per status tab, under the other filters: one grouped query."""
    rows = (
        _filtered(filters=filters, user=user)
        .annotate(has_problem=has_problem_expr())
        .order_by()
        .values("status", "has_problem")
        .annotate(n=Count("id"))
    )
    by_status: dict[str, int] = defaultdict(int)
    problems = needs_work = total = 0
    for row in rows:
        by_status[row["status"]] += row["n"]
        total += row["n"]
        if row["has_problem"]:
            problems += row["n"]
        if row["has_problem"] or row["status"] in (Claim.Status.UNREVIEWED, Claim.Status.IN_REVIEW):
            needs_work += row["n"]
    counts = [StatusCount(NEEDS_WORK, "Needs work", needs_work)]
    counts += [StatusCount(value, label, by_status[value]) for value, label in Claim.Status.choices]
    counts += [
        StatusCount(PROBLEMS, "Source problems", problems),
        StatusCount(ALL, "All", total),
    ]
    return counts


@dataclass
class QueueRow:
    """One row of the queue: the claim and what the reviewer needs to pick it."""

    claim: Claim
    stances: dict[str, int] = field(default_factory=dict)
    evidence_total: int = 0
    failed: int = 0
    drifted: int = 0
    in_flight: int = 0
    suggestion: Any = None  # claims.suggestion.Suggestion
    independent_groups: int = 0

    @property
    def stance_list(self) -> list[tuple[str, str, int]]:
        """(value, label, count) for the stances this claim has evidence for: a row with no
        sources shows no row of zeros."""
        return [
            (value, label, self.stances[value])
            for value, label in Evidence.Stance.choices
            if self.stances.get(value)
        ]

    @property
    def suggested_label(self) -> str:
        status = getattr(self.suggestion, "status", None)
        return Claim.Status(status).label if status in Claim.Status.values else ""


def independent_group_count(suggestion: Any) -> int:
    """How many independent groups back the claim: the rule's own count
    (`Suggestion.independent_groups`), so the desk and the rule never disagree."""
    return getattr(suggestion, "independent_groups", 0) if suggestion is not None else 0


def queue_page(
    *,
    filters: QueueFilters,
    user: AbstractBaseUser,
    page_number: Any = 1,
    per_page: int = PER_PAGE,
    total: int | None = None,
) -> tuple[Page, list[QueueRow]]:
    """One page of the queue: a count, one page of claims, one aggregate over that page's
    evidence, and the suggestions of that page (a constant number of queries). Pass `total`
    (from `queue_counts`) to skip the count."""
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
    # Page the ids on the claims table alone, then load that page's 50 rows with their joins:
    # joining article/origin/assignee before the sort and limit would join every claim.
    paginator = Paginator(qs.values_list("pk", flat=True), per_page)
    if total is not None:
        # The status counts were computed under the same filters: no second COUNT(*).
        paginator.__dict__["count"] = total
    page = paginator.get_page(page_number)
    ids = list(page.object_list)
    by_id = Claim.objects.for_list().defer("article__text").in_bulk(ids)
    claims = [by_id[pk] for pk in ids if pk in by_id]
    rows = {c.pk: QueueRow(claim=c) for c in claims}
    if rows:
        aggregates = (
            Evidence.objects.filter(claim_id__in=list(rows))
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
            row = rows[agg["claim_id"]]
            row.stances[agg["stance"]] = agg["n"]
            row.evidence_total += agg["n"]
            row.failed += agg["failed"]
            row.drifted += agg["drifted"]
            row.in_flight += agg["in_flight"]
        suggestions = suggestions_for_claims(claims=claims)
        for claim_id, row in rows.items():
            row.suggestion = suggestions.get(claim_id)
            row.independent_groups = independent_group_count(row.suggestion)
    page.object_list = [rows[c.pk] for c in claims]
    return page, page.object_list


# --------------------------------------------------------------------------- the claim page


def claim_suggestion(*, claim: Claim, graph: ControlGraph) -> Any:
    """The suggestion the claim page shows (panel, decide box, evidence badges): every claim
    view asks here and nowhere else, so a stored suggestion can replace this one computation.
    Today it is computed fresh from the evidence (claims.selectors)."""
    return suggestions_for_claims(claims=[claim], graph=graph)[claim.pk]


def panel_reasons(suggestion: Any) -> list[str]:
    """The rule's reasons without its closing "Suggestion: ..." line, which the panel already
    says as its headline."""
    reasons = list(getattr(suggestion, "reasons", None) or [])
    return [r for r in reasons if not r.startswith("Suggestion:")]


def what_would_change(*, suggestion: Any, evidence: list[EvidenceView]) -> list[str]:
    """What would change the outcome, in the reviewer's words, when there is no suggestion
    (or a state-sourced one that more independent sources would change)."""
    if suggestion is None:
        return []
    out: list[str] = []
    unknown = sorted({ev.classification_domain for ev in evidence if ev.badge == "unknown"})
    if unknown:
        out.append(
            "an editor classifying "
            + ", ".join(unknown)
            + " (use “Ask an editor to classify” on the source)"
        )
    if any(ev.in_flight for ev in evidence):
        out.append("the sources still archiving (they count once archived)")
    failed = [ev for ev in evidence if ev.snapshot is not None and ev.snapshot.status == "failed"]
    if failed:
        out.append(f"replacing the {len(failed)} source(s) whose archiving failed")
    needed = getattr(suggestion, "needed", 0)
    if needed and getattr(suggestion, "status", None) in (None, "state_sourced"):
        out.append(
            f"{needed} more independent supporting source{'s' if needed != 1 else ''} "
            "from publishers outside the origin's group"
        )
    if getattr(suggestion, "status", None) is None and not out:
        out.append(
            "a source that refutes the claim independently, or “unverifiable” if none exists"
        )
    return out


@dataclass(frozen=True)
class EvidenceSummary:
    """The queue's counts for one claim, shown on the claim page beside the evidence (the
    same chips as its queue row), so both change together."""

    stances: list[tuple[str, str, int]]
    independent_groups: int
    failed: int
    in_flight: int


def evidence_summary(*, evidence: list[EvidenceView], suggestion: Any) -> EvidenceSummary:
    counts: dict[str, int] = defaultdict(int)
    for ev in evidence:
        counts[ev.evidence.stance] += 1
    return EvidenceSummary(
        stances=[(v, label, counts[v]) for v, label in Evidence.Stance.choices if counts.get(v)],
        independent_groups=independent_group_count(suggestion),
        failed=sum(
            1 for ev in evidence if ev.snapshot is not None and ev.snapshot.status == "failed"
        ),
        in_flight=sum(1 for ev in evidence if ev.in_flight),
    )


@dataclass(frozen=True)
class Paragraph:
    """The claim's paragraph of the article, split around the claim's span."""

    before: str
    claim: str
    after: str


def claim_paragraph(claim: Claim) -> Paragraph:
    """The paragraph (blank-line or line separated) that holds the claim's span."""
    text = claim.article.text
    start, end = claim.span_start, claim.span_end
    if not (0 <= start < end <= len(text)):
        return Paragraph("", claim.text, "")
    para_start = max(text.rfind("\n", 0, start) + 1, 0)
    para_end = text.find("\n", end)
    if para_end == -1:
        para_end = len(text)
    return Paragraph(text[para_start:start], text[start:end], text[end:para_end])


@dataclass
class EvidenceView:
    """One evidence row as the claim page shows it."""

    evidence: Evidence
    publisher: ControlSummary | None
    assessment: Any = None  # claims.suggestion.EvidenceAssessment
    admin: dict[str, str] = field(default_factory=dict)  # editors only
    # The latest request to classify its publisher (open or resolved), if any.
    classification: ClassificationRequest | None = None

    @property
    def classification_domain(self) -> str:
        return publisher_domain(self.evidence.url)

    @property
    def can_ask_classification(self) -> bool:
        open_request = self.classification is not None and self.classification.resolved_at is None
        return self.publisher is None and self.badge == "unknown" and not open_request

    @property
    def snapshot(self) -> Snapshot | None:
        return self.evidence.snapshot

    @property
    def in_flight(self) -> bool:
        return self.snapshot is not None and self.snapshot.status in IN_FLIGHT

    @property
    def badge(self) -> str:
        return getattr(self.assessment, "badge", "") or "unknown"

    @property
    def badge_label(self) -> str:
        return BADGE_LABELS.get(self.badge, self.badge.replace("_", " "))

    @cached_property
    def hints(self) -> Hints:
        return read_hints(self.evidence.hints)

    @property
    def drift(self) -> str:
        """ "changed" / "vanished" from the snapshot, or from the hints of a re-check that
        vanished (the evidence keeps pointing at its last archived copy then)."""
        snap_drift = self.snapshot.drift if self.snapshot is not None else ""
        return snap_drift or (self.hints.drift if self.hints.drift in DRIFTED else "")

    def _snapshot_url(self, name: str) -> str:
        snap = self.snapshot
        if snap is None or snap.status != Snapshot.Status.ARCHIVED:
            return ""
        return _reverse_or_blank(name, snap.pk)

    @property
    def text_url(self) -> str:
        """The extracted text (the no-JavaScript fallback of the lazy text panel)."""
        return self._snapshot_url("sources:snapshot-text")


BADGE_LABELS = {
    "independent": "Independent",
    "same_group": "Same group as the origin",
    "unknown": "Unknown publisher",
    "not_archived": "Not archived yet",
    "echo": "Echoes the claimant",
    "refutes": "Refutes",
    "context": "Context",
}


@dataclass(frozen=True)
class FigureHint:
    figure: str
    state: str  # "found" | "approximate" | "partial" | "missing"
    attributed: bool
    phrases: list[str]
    excerpt: str


@dataclass(frozen=True)
class Hints:
    """`Evidence.hints` (written by claims.hints when a snapshot is archived) read defensively:
    hints are hints, and a malformed value shows nothing rather than breaking the page."""

    figures: list[FigureHint]
    found: int
    total: int
    echo_likely: bool
    echo_phrases: list[str]
    echo_excerpt: str
    drift: str  # "" | "unchanged" | "changed" | "vanished"
    drift_error: str

    @property
    def any(self) -> bool:
        return bool(self.figures or self.echo_likely or self.drift in DRIFTED)


DRIFTED = ("changed", "vanished")


def read_hints(raw: Any) -> Hints:
    raw = raw if isinstance(raw, dict) else {}
    figures = []
    for item in raw.get("figures") or []:
        if not isinstance(item, dict):
            continue
        if not item.get("found"):
            state = "partial" if item.get("partial") else "missing"
        else:
            state = "approximate" if item.get("approximate") else "found"
        excerpts = [e for e in item.get("excerpts") or [] if isinstance(e, str)]
        figures.append(
            FigureHint(
                figure=str(item.get("figure", "")),
                state=state,
                attributed=bool(item.get("attributed")),
                phrases=[str(p) for p in item.get("phrases") or []],
                excerpt=excerpts[0] if excerpts else "",
            )
        )
    echo = raw.get("echo") if isinstance(raw.get("echo"), dict) else {}
    echo_excerpts = [e for e in echo.get("excerpts") or [] if isinstance(e, str)]
    drift = raw.get("drift") if isinstance(raw.get("drift"), dict) else {}
    return Hints(
        figures=figures,
        found=_int(raw.get("figures_found")),
        total=_int(raw.get("figures_total")),
        echo_likely=bool(echo.get("likely")),
        echo_phrases=[str(p) for p in echo.get("phrases") or []],
        echo_excerpt=echo_excerpts[0] if echo_excerpts else "",
        drift=str(drift.get("status") or ""),
        drift_error=str(drift.get("error") or ""),
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def claim_evidence_qs(claim: Claim) -> QuerySet[Evidence]:
    # The extracted text and headers can be large: the page loads them on demand.
    return (
        claim.evidence.select_related("publisher", "snapshot", "added_by")
        .defer("snapshot__text", "snapshot__headers")
        .order_by("created_at", "id")
    )


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


def evidence_views(
    *, evidence: list[Evidence], suggestion: Any, graph: ControlGraph, editor: bool = False
) -> list[EvidenceView]:
    assessments = getattr(suggestion, "assessments", None) or {}
    summaries = entity_control_summaries(
        entity_ids=[ev.publisher_id for ev in evidence if ev.publisher_id], graph=graph
    )
    requests = latest_classifications([ev.pk for ev in evidence])
    return [
        EvidenceView(
            evidence=ev,
            publisher=summaries.get(ev.publisher_id) if ev.publisher_id else None,
            assessment=assessments.get(ev.pk),
            admin=evidence_admin_links(ev) if editor else {},
            classification=requests.get(ev.pk),
        )
        for ev in evidence
    ]


@dataclass
class ClaimPage:
    claim: Claim
    paragraph: Paragraph
    origin: ControlSummary
    evidence: list[EvidenceView]
    suggestion: Any
    audit: list[StatusChange]
    admin_links: dict[str, str]

    @property
    def polling(self) -> bool:
        return any(ev.in_flight for ev in self.evidence)

    @cached_property
    def reasons(self) -> list[str]:
        return panel_reasons(self.suggestion)

    @cached_property
    def would_change(self) -> list[str]:
        return what_would_change(suggestion=self.suggestion, evidence=self.evidence)

    @cached_property
    def summary(self) -> EvidenceSummary:
        return evidence_summary(evidence=self.evidence, suggestion=self.suggestion)

    @cached_property
    def origin_chains(self) -> OriginChains:
        return origin_chains(self.origin)

    @cached_property
    def classified(self) -> list[ClassificationRequest]:
        """Requests on this claim an editor has answered (the reviewer's notice)."""
        return [
            ev.classification
            for ev in self.evidence
            if ev.classification is not None and ev.classification.resolved_at is not None
        ]


@dataclass(frozen=True)
class OriginChains:
    """The origin's control chains as the page shows them: the shortest one first, the others
    folded away (a state group can have many)."""

    shortest: list[str]
    others: list[list[str]]


def origin_chains(origin: ControlSummary) -> OriginChains:
    chains = sorted(origin.chains, key=len)  # sorted() is stable: ties keep the graph's order
    if not chains:
        return OriginChains(shortest=list(origin.chain), others=[])
    return OriginChains(shortest=chains[0], others=chains[1:])


def claim_for_page(pk: int) -> Claim:
    """The claim with what every claim view shows (raises Claim.DoesNotExist)."""
    return Claim.objects.for_list().get(pk=pk)


def claim_page(*, claim: Claim, user: AbstractBaseUser) -> ClaimPage:
    """Everything the claim page shows, in a constant number of queries."""
    graph = current_graph()
    evidence = list(claim_evidence_qs(claim))
    suggestion = claim_suggestion(claim=claim, graph=graph)
    audit = list(claim.status_changes.select_related("actor").order_by("-created_at", "-id"))
    return ClaimPage(
        claim=claim,
        paragraph=claim_paragraph(claim),
        origin=summarise(graph=graph, resolution=graph.resolve(claim.origin_id)),
        evidence=evidence_views(
            evidence=evidence, suggestion=suggestion, graph=graph, editor=is_editor(user)
        ),
        suggestion=suggestion,
        audit=audit,
        admin_links=admin_links(claim=claim, user=user),
    )


def evidence_view(
    *, claim: Claim, evidence_id: int, user: AbstractBaseUser
) -> tuple[EvidenceView, Any]:
    """One evidence row (for polling) and the claim's current suggestion."""
    ev = claim_evidence_qs(claim).get(pk=evidence_id)
    graph = current_graph()
    suggestion = claim_suggestion(claim=claim, graph=graph)
    views = evidence_views(
        evidence=[ev], suggestion=suggestion, graph=graph, editor=is_editor(user)
    )
    return views[0], suggestion


def open_classification_count(user: AbstractBaseUser) -> int | None:
    """How many classification requests wait for an editor (None for non-editors, who do not
    see the count)."""
    if not user.has_perm("claims.change_evidence"):
        return None
    return ClassificationRequest.objects.open().count()


def _reverse_or_blank(name: str, pk: int | None) -> str:
    """The URL, or "" when that view is not installed (e.g. a model not in the admin)."""
    if pk is None:
        return ""
    try:
        return (
            reverse(name, kwargs={"pk": pk})
            if name.startswith("sources:")
            else reverse(name, args=[pk])
        )
    except NoReverseMatch:
        return ""


def is_editor(user: AbstractBaseUser) -> bool:
    """Editors work in the admin too: staff who may change claims."""
    return bool(user.is_staff and user.has_perm("claims.change_claim"))


def admin_links(*, claim: Claim, user: AbstractBaseUser) -> dict[str, str]:
    """Links to the claim, its article and its origin in the admin (editors only)."""
    if not is_editor(user):
        return {}
    links = {
        "claim": _reverse_or_blank("admin:claims_claim_change", claim.pk),
        "article": _reverse_or_blank("admin:claims_article_change", claim.article_id),
        "origin": _reverse_or_blank("admin:sources_entity_change", claim.origin_id),
    }
    return {k: v for k, v in links.items() if v}


def evidence_admin_links(ev: Evidence) -> dict[str, str]:
    links = {
        "evidence": _reverse_or_blank("admin:claims_evidence_change", ev.pk),
        "publisher": _reverse_or_blank("admin:sources_entity_change", ev.publisher_id),
        "snapshot": _reverse_or_blank("admin:sources_snapshot_change", ev.snapshot_id),
    }
    return {k: v for k, v in links.items() if v}
