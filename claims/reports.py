"""The vetted article (issue 12): what the report page shows, read in a constant number of
queries however many claims and sources the article has.

The report is the article's text with every claim highlighted in its status colour, a bar of
the statuses, and for each claim its verdict, the verdict's reasons, the sources (publisher,
independence badge, archived copy) and the ownership picture of its evidence
(ownership/svg.py), with each decided claim's ClaimReview JSON-LD
(claims/claimreview.py).

Who may read it (`may_read_report`): staff who may view articles, always; anyone, read-only,
once an editor has published it (claims.services.reports.article_set_report_published). Everyone else
gets a 404, as if there were no report: an unpublished report does not admit it exists.

Text safety: the article text is plain text. It is split at the claims' offsets and every piece
is HTML-escaped (`conditional_escape`), so markup in an article is shown, never run.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, mark_safe
from django.utils.safestring import SafeString

from claims.choices import ClaimStatus
from claims.claimreview import READER_VERDICTS, ClaimReviewUnavailable, claim_review
from claims.models import Article, Claim, Evidence, StatusChange
from claims.selectors import suggest_for_claims
from claims.suggestion import Suggestion
from ownership.chains import ControlGraph, current_graph
from ownership.selectors import ControlSummary, entity_control_summaries
from ownership.svg import Group, Picture, ownership_svg
from sources.models import Snapshot

#: Every status, in the order the summary bar and its legend show them.
STATUS_ORDER = [
    ClaimStatus.INDEPENDENTLY_VERIFIED,
    ClaimStatus.STATE_SOURCED,
    ClaimStatus.DISPUTED,
    ClaimStatus.UNVERIFIABLE,
    ClaimStatus.IN_REVIEW,
    ClaimStatus.UNREVIEWED,
]
#: Status colours (the bar is drawn as SVG, whose attributes no style policy blocks).
STATUS_COLOURS = {
    "independently_verified": "#17703a",
    "state_sourced": "#7a3e9d",
    "disputed": "#a4262c",
    "unverifiable": "#b07a00",
    "in_review": "#1f5fbf",
    "unreviewed": "#9aa3b2",
}
BADGE_LABELS = {
    "independent": "Independent",
    "same_group": "Same group as the origin",
    "unknown": "Unknown publisher",
    "not_archived": "Not archived",
    "echo": "Echoes the claimant",
    "refutes": "Refutes",
    "context": "Context",
}
#: The same badges in a reader's words (the public report shows only sources that count, so
#: "unknown" and "not archived" never reach a reader).
READER_BADGE_LABELS = {
    "independent": "Independent of the claimant",
    "same_group": "Same owners as the claimant",
    # "echo" and "refutes" say what the stance already says ("Repeats the claimant",
    # "Contradicts it"): no second badge.
}
#: How each stance reads to a reader.
READER_STANCES = {
    "supports": "Confirms it",
    "echoes": "Repeats the claimant",
    "refutes": "Contradicts it",
    "context": "Background",
}


def may_read_report(*, user: AbstractBaseUser | AnonymousUser, article: Article) -> bool:
    """Published: anyone. Unpublished: staff who may view articles (editors), and desk users
    (reviewers) who may."""
    return article.report_published or may_read_unpublished_report(user=user)


def may_read_unpublished_report(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff who may view articles (editors) and desk users (reviewers) who may: they read
    any report, and see the desk's view of it."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.has_perm("claims.view_article")
        and (user.is_staff or user.has_perm("claims.decide_claim"))
    )


# --------------------------------------------------------------------------- the text


@dataclass(frozen=True)
class Piece:
    """A run of article text: plain, or inside claims (`claims`: their numbers, innermost
    first; `starts`: the numbers of the claims that begin here)."""

    text: str
    claims: tuple[int, ...] = ()
    starts: tuple[int, ...] = ()


def split_text(text: str, spans: list[tuple[int, int, int]]) -> list[list[Piece]]:
    """Paragraphs (split on line breaks) of pieces, cut at every claim boundary. `spans` are
    (number, start, end); spans out of range are ignored (the card still lists the claim);
    overlapping spans are fine: a piece inside two claims belongs to the shorter one first."""
    n = len(text)
    good = [(num, s, e) for num, s, e in spans if 0 <= s < e <= n]
    cuts = {0, n}
    for _, s, e in good:
        cuts.update((s, e))
    for i, ch in enumerate(text):
        if ch == "\n":
            cuts.update((i, i + 1))
    bounds = sorted(cuts)
    paragraphs: list[list[Piece]] = [[]]
    for a, b in itertools.pairwise(bounds):
        chunk = text[a:b]
        if chunk == "\n":
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        inside = sorted(((e - s, num) for num, s, e in good if s <= a and b <= e), key=lambda t: t)
        starts = tuple(sorted(num for num, s, _ in good if s == a))
        paragraphs[-1].append(Piece(chunk, tuple(num for _, num in inside), starts))
    return [p for p in paragraphs if p]


def render_paragraphs(paragraphs: list[list[Piece]], status_of: dict[int, str]) -> SafeString:
    """The article as HTML: every piece escaped; a claim's pieces are links to its card, in
    its status colour, the claim's number marked where it starts."""
    html: list[str] = []
    for para in paragraphs:
        parts: list[str] = []
        for piece in para:
            text = conditional_escape(piece.text)
            if not piece.claims:
                parts.append(str(text))
                continue
            num = piece.claims[0]
            marks = "".join(
                str(format_html('<sup class="claim-num" aria-hidden="true">{}</sup>', n))
                for n in piece.starts
            )
            parts.append(
                str(
                    format_html(
                        '<a class="hl status-{}{}" href="#claim-{}" data-claim="{}" '
                        'aria-describedby="claim-{}-label">{}{}</a>',
                        status_of[num],
                        " overlap" if len(piece.claims) > 1 else "",
                        num,
                        num,
                        num,
                        mark_safe(marks),  # noqa: S308 - built by format_html above
                        text,
                    )
                )
            )
        html.append("<p>" + "".join(parts) + "</p>")
    return mark_safe("\n".join(html))  # noqa: S308 - every piece escaped above


# --------------------------------------------------------------------------- the cards


@dataclass
class SourceRow:
    evidence: Evidence
    publisher: ControlSummary | None
    badge: str
    why: str
    archive_url: str

    @property
    def badge_label(self) -> str:
        return BADGE_LABELS.get(self.badge, self.badge.replace("_", " "))

    @property
    def reader_badge_label(self) -> str:
        return READER_BADGE_LABELS.get(self.badge, "")

    @property
    def reader_stance(self) -> str:
        return READER_STANCES.get(self.evidence.stance, "")

    @property
    def counts_for_readers(self) -> bool:
        """A source a reader is shown: archived, its publisher known, and not mere context
        (DESIGN.md: only such evidence counts). Failed or pending archives, unknown
        publishers and their reasons stay on the desk."""
        return bool(
            self.archive_url
            and self.publisher is not None
            and self.evidence.stance != Evidence.Stance.CONTEXT
        )

    @property
    def snapshot(self) -> Snapshot | None:
        return self.evidence.snapshot


@dataclass
class ClaimCard:
    number: int
    claim: Claim
    suggestion: Suggestion | None
    decision: StatusChange | None
    sources: list[SourceRow]
    origin: ControlSummary
    picture: Picture
    claimreview: dict[str, Any] | None

    @property
    def reader_sources(self) -> list[SourceRow]:
        return [row for row in self.sources if row.counts_for_readers]

    @property
    def reader_verdict(self) -> str:
        """The verdict in a reader's words (claims.claimreview.READER_VERDICTS)."""
        return READER_VERDICTS[self.claim.status]

    @property
    def recorded_reasons(self) -> list[str]:
        """The rule's reasons as recorded with the verdict (the audit row)."""
        return [
            str(r)
            for r in ((self.decision.extra or {}).get("reasons", []) if self.decision else [])
        ]

    @property
    def rule_changed(self) -> bool:
        """Whether the rule says something else today than what was recorded with the verdict
        (new evidence, an ownership edit): then the report shows both."""
        if self.suggestion is None:
            return False
        if self.decision is None:
            return True
        recorded = (self.decision.extra or {}).get("reasons", [])
        return self.decision.suggested_status != (self.suggestion.status or "") or list(
            recorded
        ) != list(self.suggestion.reasons)

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.claim.status]

    @property
    def claimreview_json(self) -> SafeString:
        """The JSON-LD for a `<script type="application/ld+json">`: `<`, `>` and `&` escaped as
        JSON unicode escapes, so no text in it can close the script element."""
        raw = json.dumps(self.claimreview, ensure_ascii=False, indent=1)
        raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return mark_safe(raw)  # noqa: S308 - escaped just above

    @property
    def picture_svg(self) -> SafeString:
        return mark_safe(self.picture.svg)  # noqa: S308 - ownership.svg escapes names


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    colour: str


@dataclass
class Report:
    article: Article
    text_html: SafeString
    cards: list[ClaimCard]
    counts: list[StatusCount]
    total: int
    bar_segments: list[dict] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return sum(1 for c in self.cards if c.claim.status in DECIDED)


DECIDED = {
    ClaimStatus.INDEPENDENTLY_VERIFIED,
    ClaimStatus.STATE_SOURCED,
    ClaimStatus.DISPUTED,
    ClaimStatus.UNVERIFIABLE,
}


def claim_picture(
    *,
    graph: ControlGraph,
    claim: Claim,
    publisher_ids: list[int],
    id_prefix: str,
) -> Picture:
    """The ownership picture of a claim's evidence: the chains of its origin and of every
    known publisher of its sources, the origin's group (every entity on a chain whose
    controllers meet the origin's) in one colour and each group of publishers independent of
    the origin in a colour of its own."""
    g0 = graph.resolve(claim.origin_id).controllers
    origin_chain_nodes = {n for ch in graph.resolve(claim.origin_id).chains for n in ch}
    same: set[int] = set(origin_chain_nodes) | set(g0)
    independent: dict[frozenset[int], set[int]] = {}
    for pid in dict.fromkeys(publisher_ids):
        res = graph.resolve(pid)
        nodes = {n for ch in res.chains for n in ch} | set(res.controllers)
        if res.controllers & g0:
            same |= nodes
        else:
            independent.setdefault(res.controllers, set()).update(nodes)
    groups = [
        Group(
            key="origin",
            label=f"The claim's origin group: {graph.group_label(g0)}",
            members=frozenset(same),
        )
    ]
    for i, (controllers, nodes) in enumerate(
        sorted(independent.items(), key=lambda kv: graph.group_label(kv[0])), start=1
    ):
        groups.append(
            Group(
                key=f"independent-{i}",
                label=f"Independent group {i}: {graph.group_label(controllers)}",
                members=frozenset(nodes - same),
            )
        )
    tags: dict[int, list[str]] = {claim.origin_id: ["ORIGIN"]}
    for pid in publisher_ids:
        tags.setdefault(pid, [])
        if "SOURCE" not in tags[pid]:
            tags[pid].append("SOURCE")
    return ownership_svg(
        graph=graph,
        entity_ids=[claim.origin_id, *publisher_ids],
        title=f"Who controls the origin and the sources of claim #{claim.pk}",
        groups=groups,
        tags=tags,
        id_prefix=id_prefix,
    )


def claim_picture_for(claim: Claim) -> Picture:
    """The claim page's picture: the graph and the claim's known publishers (two queries)."""
    graph = current_graph()
    publisher_ids = list(
        Evidence.objects.filter(claim=claim, publisher__isnull=False)
        .order_by("id")
        .values_list("publisher_id", flat=True)
    )
    return claim_picture(
        graph=graph, claim=claim, publisher_ids=publisher_ids, id_prefix=f"c{claim.pk}"
    )


def latest_decisions(claims: list[Claim]) -> dict[int, StatusChange]:
    """The audit row that set each claim's current status (one query)."""
    status_of = {c.pk: c.status for c in claims}
    out: dict[int, StatusChange] = {}
    for change in (
        StatusChange.objects.filter(claim_id__in=status_of)
        .select_related("actor")
        .order_by("-created_at", "-id")
    ):
        if change.claim_id not in out and change.to_status == status_of[change.claim_id]:
            out[change.claim_id] = change
    return out


def build_report(*, article: Article, report_url: str, reader: bool = False) -> Report:
    """Everything the report shows. Queries: the claims, their evidence (publisher and
    snapshot joined), the latest decisions, the control graph and the suggestions: a constant
    number whatever the article holds. `report_url` is the absolute URL of the page (the
    ClaimReview's `url`, with the claim's anchor). `reader`: the public view, whose pictures
    and ClaimReview markup rest on the sources that count only (`SourceRow.counts_for_readers`)
    and say nothing of the desk's working."""
    claims = list(
        Claim.objects.filter(article=article)
        .select_related("article", "origin")
        .order_by("span_start", "id")
    )
    graph = current_graph()
    suggestions = suggest_for_claims(claims) if claims else {}
    evidence_by_claim: dict[int, list[Evidence]] = {c.pk: [] for c in claims}
    for ev in (
        Evidence.objects.filter(claim__article=article)
        .select_related("publisher", "snapshot")
        .order_by("claim_id", "id")
    ):
        evidence_by_claim[ev.claim_id].append(ev)
    decisions = latest_decisions(claims)
    summaries = entity_control_summaries(
        entity_ids=[c.origin_id for c in claims]
        + [ev.publisher_id for evs in evidence_by_claim.values() for ev in evs if ev.publisher_id],
        graph=graph,
    )
    cards: list[ClaimCard] = []
    for number, claim in enumerate(claims, start=1):
        suggestion = suggestions.get(claim.pk)
        assessments = getattr(suggestion, "assessments", {}) or {}
        rows = []
        for ev in evidence_by_claim[claim.pk]:
            assessment = assessments.get(ev.pk)
            archived = ev.snapshot is not None and ev.snapshot.status == Snapshot.Status.ARCHIVED
            rows.append(
                SourceRow(
                    evidence=ev,
                    publisher=summaries.get(ev.publisher_id) if ev.publisher_id else None,
                    badge=getattr(assessment, "badge", "") or "unknown",
                    why=getattr(assessment, "why", ""),
                    archive_url=(
                        reverse("claims:report-archive", args=[article.key, ev.pk])
                        if archived
                        else ""
                    ),
                )
            )
        try:
            review = claim_review(
                claim=claim,
                url=f"{report_url}#claim-{number}",
                decision=decisions.get(claim.pk),
                public=reader,
            )
        except ClaimReviewUnavailable:
            review = None
        cards.append(
            ClaimCard(
                number=number,
                claim=claim,
                suggestion=suggestion,
                decision=decisions.get(claim.pk),
                sources=rows,
                origin=summaries[claim.origin_id],
                picture=claim_picture(
                    graph=graph,
                    claim=claim,
                    publisher_ids=[
                        r.evidence.publisher_id
                        for r in rows
                        if r.publisher and (r.counts_for_readers or not reader)
                    ],
                    id_prefix=f"claim{number}",
                ),
                claimreview=review,
            )
        )
    status_of = {card.number: card.claim.status for card in cards}
    paragraphs = split_text(
        article.text, [(c.number, c.claim.span_start, c.claim.span_end) for c in cards]
    )
    tally = Counter(c.claim.status for c in cards)
    counts = [
        StatusCount(status=s.value, label=s.label, count=tally[s.value], colour=STATUS_COLOURS[s])
        for s in STATUS_ORDER
    ]
    total = len(cards)
    segments, x = [], 0.0
    for sc in counts:
        if sc.count:
            width = 1000 * sc.count / total
            segments.append({"x": round(x, 2), "width": round(width, 2), "count": sc})
            x += width
    return Report(
        article=article,
        text_html=render_paragraphs(paragraphs, status_of),
        cards=cards,
        counts=counts,
        total=total,
        bar_segments=segments,
    )
