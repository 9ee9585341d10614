"""What the reviewers' desk shows: the queue's rows and tabs, the claim page, their labels,
and the admin links editors get. Reads come from claims.selectors (a constant number of
queries per page); nothing here queries the database itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page
from django.urls import NoReverseMatch, reverse

from claims.hints import EvidenceHints
from claims.models import Claim, ClassificationRequest, Evidence, StatusChange
from claims.selectors import (
    ALL,
    IN_FLIGHT,
    NEEDS_WORK,
    PER_PAGE,
    PROBLEMS,
    EvidenceCounts,
    QueueFilters,
    claim_audit,
    claim_evidence_qs,
    claim_suggestion,
    evidence_counts,
    latest_classifications,
    queue_claims,
    queue_counts,
    suggestions_for_claims,
)
from claims.suggestion import Badge, Suggestion, publisher_domain
from ownership.chains import ControlGraph, current_graph
from ownership.selectors import ControlSummary, entity_control_summaries, summarise
from sources.models import Snapshot

SORTS = {
    "oldest": "Oldest first",
    "article": "By article (newest article first, reading order)",
    "priority": "Priority (source problems first, then unassigned, then oldest)",
}

TAB_LABELS = {NEEDS_WORK: "Needs work", PROBLEMS: "Source problems", ALL: "All"}


# --------------------------------------------------------------------------- the queue


@dataclass(frozen=True)
class StatusCount:
    key: str
    label: str
    count: int


def status_tabs(*, filters: QueueFilters, user: AbstractBaseUser) -> list[StatusCount]:
    """The queue's tabs in order (needs work, each status, source problems, all) with their
    counts under the other filters (`claims.selectors.queue_counts`: one query)."""
    counts = queue_counts(filters=filters, user=user)
    labels = {NEEDS_WORK: TAB_LABELS[NEEDS_WORK], **dict(Claim.Status.choices)}
    labels |= {PROBLEMS: TAB_LABELS[PROBLEMS], ALL: TAB_LABELS[ALL]}
    return [StatusCount(key, label, counts.get(key, 0)) for key, label in labels.items()]


def stance_list(stances: dict[str, int]) -> list[tuple[str, str, int]]:
    """(value, label, count) for the stances with evidence, in the stances' order: a claim with
    no sources shows no row of zeros."""
    return [(v, label, stances[v]) for v, label in Evidence.Stance.choices if stances.get(v)]


def independent_group_count(suggestion: Suggestion | None) -> int:
    """How many independent groups back the claim: the rule's own count
    (`Suggestion.independent_groups`), so the desk and the rule never disagree."""
    return suggestion.independent_groups if suggestion is not None else 0


@dataclass
class QueueRow:
    """One row of the queue: the claim and what the reviewer needs to pick it."""

    claim: Claim
    counts: EvidenceCounts = field(default_factory=EvidenceCounts)
    suggestion: Suggestion | None = None

    @property
    def stances(self) -> dict[str, int]:
        return self.counts.stances

    @property
    def evidence_total(self) -> int:
        return self.counts.total

    @property
    def failed(self) -> int:
        return self.counts.failed

    @property
    def drifted(self) -> int:
        return self.counts.drifted

    @property
    def in_flight(self) -> int:
        return self.counts.in_flight

    @property
    def independent_groups(self) -> int:
        return independent_group_count(self.suggestion)

    @property
    def stance_list(self) -> list[tuple[str, str, int]]:
        return stance_list(self.counts.stances)

    @property
    def suggested_label(self) -> str:
        status = self.suggestion.status if self.suggestion is not None else None
        return Claim.Status(status).label if status in Claim.Status.values else ""


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
    (from the status tabs) to skip the count."""
    page = queue_claims(
        filters=filters, user=user, page_number=page_number, per_page=per_page, total=total
    )
    claims: list[Claim] = list(page.object_list)
    rows = [QueueRow(claim=c) for c in claims]
    if rows:
        counts = evidence_counts(claim_ids=[c.pk for c in claims])
        suggestions = suggestions_for_claims(claims=claims)
        for row in rows:
            row.counts = counts[row.claim.pk]
            row.suggestion = suggestions.get(row.claim.pk)
    page.object_list = rows
    return page, rows


# --------------------------------------------------------------------------- the claim page


def panel_reasons(suggestion: Any) -> list[str]:
    """The rule's reasons without its closing "Suggestion: ..." line, which the panel already
    says as its headline."""
    reasons = list(getattr(suggestion, "reasons", None) or [])
    return [r for r in reasons if not r.startswith("Suggestion:")]


def _failed(evidence: list[EvidenceView]) -> list[EvidenceView]:
    return [
        ev
        for ev in evidence
        if ev.snapshot is not None and ev.snapshot.status == Snapshot.Status.FAILED
    ]


def what_would_change(*, suggestion: Suggestion | None, evidence: list[EvidenceView]) -> list[str]:
    """What would change the outcome, in the reviewer's words, when there is no suggestion
    (or a state-sourced one that more independent sources would change)."""
    if suggestion is None:
        return []
    out: list[str] = []
    unknown = sorted({ev.classification_domain for ev in evidence if ev.badge == Badge.UNKNOWN})
    if unknown:
        out.append(
            "an editor classifying "
            + ", ".join(unknown)
            + " (use “Ask an editor to classify” on the source)"
        )
    if any(ev.in_flight for ev in evidence):
        out.append("the sources still archiving (they count once archived)")
    failed = _failed(evidence)
    if failed:
        out.append(f"replacing the {len(failed)} source(s) whose archiving failed")
    needed = suggestion.needed
    if needed and suggestion.status in (None, Claim.Status.STATE_SOURCED):
        out.append(
            f"{needed} more independent supporting source{'s' if needed != 1 else ''} "
            "from publishers outside the origin's group"
        )
    if suggestion.status is None and not out:
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


def evidence_summary(
    *, evidence: list[EvidenceView], suggestion: Suggestion | None
) -> EvidenceSummary:
    counts: dict[str, int] = defaultdict(int)
    for ev in evidence:
        counts[ev.evidence.stance] += 1
    return EvidenceSummary(
        stances=stance_list(counts),
        independent_groups=independent_group_count(suggestion),
        failed=len(_failed(evidence)),
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
        return self.publisher is None and self.badge == Badge.UNKNOWN and not open_request

    @property
    def snapshot(self) -> Snapshot | None:
        return self.evidence.snapshot

    @property
    def in_flight(self) -> bool:
        return self.snapshot is not None and self.snapshot.status in IN_FLIGHT

    @property
    def badge(self) -> str:
        return getattr(self.assessment, "badge", "") or Badge.UNKNOWN

    @property
    def badge_label(self) -> str:
        return Badge(self.badge).label if self.badge in Badge.values else self.badge

    @cached_property
    def hints(self) -> EvidenceHints:
        return EvidenceHints.from_json(self.evidence.hints)

    @property
    def drift(self) -> str:
        """ "changed" / "vanished" from the snapshot, or from the hints of a re-check that
        vanished (the evidence keeps pointing at its last archived copy then)."""
        snap_drift = self.snapshot.drift if self.snapshot is not None else ""
        hint = self.hints.drift
        return snap_drift or (hint.status if hint is not None and hint.flagged else "")

    @property
    def text_url(self) -> str:
        """The extracted text (the no-JavaScript fallback of the lazy text panel)."""
        snap = self.snapshot
        if snap is None or snap.status != Snapshot.Status.ARCHIVED:
            return ""
        return _reverse_or_blank("sources:snapshot-text", snap.pk)


def evidence_views(
    *,
    evidence: list[Evidence],
    suggestion: Suggestion | None,
    graph: ControlGraph,
    editor: bool = False,
) -> list[EvidenceView]:
    assessments = suggestion.assessments if suggestion is not None else {}
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


@dataclass
class ClaimPage:
    claim: Claim
    paragraph: Paragraph
    origin: ControlSummary
    evidence: list[EvidenceView]
    suggestion: Suggestion | None
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
    def picture_key(self) -> str:
        """Changes when the ownership picture would: the origin and the sources' publishers.
        The picture's URL carries it, so an attach or a classification redraws it."""
        publishers = sorted({ev.evidence.publisher_id or 0 for ev in self.evidence})
        return "-".join(str(n) for n in [self.claim.origin_id or 0, *publishers])

    @cached_property
    def classified(self) -> list[ClassificationRequest]:
        """Requests on this claim an editor has answered (the reviewer's notice)."""
        return [
            ev.classification
            for ev in self.evidence
            if ev.classification is not None and ev.classification.resolved_at is not None
        ]


def claim_page(*, claim: Claim, user: AbstractBaseUser) -> ClaimPage:
    """Everything the claim page shows, in a constant number of queries."""
    graph = current_graph()
    evidence = list(claim_evidence_qs(claim))
    suggestion = claim_suggestion(claim=claim, graph=graph)
    return ClaimPage(
        claim=claim,
        paragraph=claim_paragraph(claim),
        origin=summarise(graph=graph, resolution=graph.resolve(claim.origin_id)),
        evidence=evidence_views(
            evidence=evidence, suggestion=suggestion, graph=graph, editor=is_editor(user)
        ),
        suggestion=suggestion,
        audit=claim_audit(claim),
        admin_links=admin_links(claim=claim, user=user),
    )


# --------------------------------------------------------------------------- editors' links


def is_editor(user: AbstractBaseUser) -> bool:
    """Editors work in the admin too: staff who may change claims."""
    return bool(user.is_staff and user.has_perm("claims.change_claim"))


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


def _links(pairs: dict[str, tuple[str, int | None]]) -> dict[str, str]:
    links = {key: _reverse_or_blank(name, pk) for key, (name, pk) in pairs.items()}
    return {k: v for k, v in links.items() if v}


def admin_links(*, claim: Claim, user: AbstractBaseUser) -> dict[str, str]:
    """Links to the claim, its article and its origin in the admin (editors only)."""
    if not is_editor(user):
        return {}
    return _links(
        {
            "claim": ("admin:claims_claim_change", claim.pk),
            "article": ("admin:claims_article_change", claim.article_id),
            "origin": ("admin:ownership_entity_change", claim.origin_id),
        }
    )


def evidence_admin_links(ev: Evidence) -> dict[str, str]:
    return _links(
        {
            "evidence": ("admin:claims_evidence_change", ev.pk),
            "publisher": ("admin:ownership_entity_change", ev.publisher_id),
            "snapshot": ("admin:sources_snapshot_change", ev.snapshot_id),
        }
    )
