"""Writes of intake: proposals (generated, accepted, merged, rejected) and articles ingested
from a URL or a file. Claims themselves are created through `claims.services.claim_create`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from claims import services
from claims.models import Article, Claim
from intake.models import ClaimProposal
from intake.proposals import propose, stored_figures
from intake.selectors import claims_matching, proposal_entities
from sources.services.snapshots import snapshot_discard

#: An article key's readable part (the title's slug, cut at a word) before its digest.
KEY_SLUG_CHARS = 40

if TYPE_CHECKING:  # intake.ingest imports this module to write what it drafted
    from intake.ingest import Draft


# --- Proposals: candidate claims, and the editors' decisions on them ------------------------


class ProposalDecided(Exception):
    """The proposal is no longer pending (another editor decided it meanwhile)."""

    def __init__(self, *, proposal_id: int, status: str) -> None:
        self.proposal_id, self.status = proposal_id, status
        super().__init__(f"Proposal {proposal_id} was already decided ({status}).")


@dataclass
class ProposalRun:
    """What `proposals_generate` did, in numbers a command or a message can print."""

    created: int = 0
    matched: int = 0
    already: int = 0
    skipped_rejected: int = 0
    found: int = 0

    def summary(self) -> str:
        return (
            f"{self.created} new proposal(s) ({self.matched} matching an existing claim); "
            f"{self.already} already proposed, {self.skipped_rejected} rejected before and "
            f"not proposed again."
        )


def proposals_generate(*, article) -> ProposalRun:
    """Run the proposer (intake.proposals) over `article` and store what is new. A statement
    already proposed for this article (same normalised text) is not proposed twice, and one an
    editor rejected is not proposed again. Each new proposal is linked to an existing claim
    that states the same thing (intake.selectors.claims_matching)."""
    run = ProposalRun()
    found = propose(
        article.text,
        entities=proposal_entities(),
        title=article.title,
        outlet_id=article.outlet_id,
    )
    run.found = len(found)
    seen = dict(ClaimProposal.objects.filter(article=article).values_list("fingerprint", "status"))
    fresh = []
    for p in found:
        status = seen.get(p.fingerprint)
        if status == ClaimProposal.Status.REJECTED:
            run.skipped_rejected += 1
        elif status is not None:
            run.already += 1
        else:
            fresh.append(p)
    matches = claims_matching(article=article, proposals=fresh)
    for p in fresh:
        match = matches.get(p.fingerprint)
        try:
            with transaction.atomic():
                row = ClaimProposal.objects.create(
                    article=article,
                    span_start=p.start,
                    span_end=p.end,
                    text=p.text,
                    kind=p.kind,
                    figures=p.figures,
                    score=p.score,
                    reasons=p.reasons,
                    named_subjects=p.named_subjects[:20],
                    origin_kind=p.origin_kind,
                    origin_phrase=p.origin_phrase[:500],
                    origin_id=p.origin_id,
                    fingerprint=p.fingerprint,
                    matched_claim_id=match[0] if match else None,
                    match_reason=match[1][:300] if match else "",
                )
        except IntegrityError:
            run.already += 1  # the same run on another process got there first
            continue
        row.subjects.set(p.subjects)
        run.created += 1
        run.matched += bool(match)
    return run


def _proposal_decide(*, proposal, actor, status: str, claim: Claim | None) -> None:
    """pending → `status`, compare-and-swap: of two editors deciding one proposal, one wins."""
    updated = ClaimProposal.objects.filter(
        pk=proposal.pk, status=ClaimProposal.Status.PENDING
    ).update(status=status, claim=claim, decided_by=actor, decided_at=timezone.now())
    if not updated:
        current = ClaimProposal.objects.filter(pk=proposal.pk).values_list("status", flat=True)
        raise ProposalDecided(proposal_id=proposal.pk, status=current.first() or "gone")
    proposal.status, proposal.claim, proposal.decided_by = status, claim, actor


def _require_editor(actor) -> None:
    if not (actor.has_perm("intake.change_claimproposal") and actor.has_perm("claims.add_claim")):
        raise PermissionDenied("Only editors decide on proposed claims.")


def proposal_accept(
    *,
    proposal,
    actor,
    restatement: str | None = None,
    kind: str | None = None,
    origin=None,
    subjects=None,
) -> Claim:
    """Accept a proposal, edited or not: it becomes a claim (status `unreviewed`) over the same
    span. Edits (restatement, kind, origin, subjects) apply to the claim and are kept on the
    proposal. The origin defaults to the proposal's guess, then to the article's outlet."""
    _require_editor(actor)
    article = proposal.article
    origin = origin or proposal.origin or article.outlet
    with transaction.atomic():
        claim = services.claim_create(
            article=article,
            span_start=proposal.span_start,
            span_end=proposal.span_end,
            kind=kind or proposal.kind,
            origin=origin,
            restatement=restatement if restatement is not None else proposal.restatement,
            figures=stored_figures(proposal.figures),
            subjects=list(subjects) if subjects is not None else list(proposal.subjects.all()),
        )
        _proposal_decide(
            proposal=proposal, actor=actor, status=proposal.Status.ACCEPTED, claim=claim
        )
        if restatement is not None or kind or origin != proposal.origin:
            type(proposal).objects.filter(pk=proposal.pk).update(
                restatement=claim.restatement, kind=claim.kind, origin=origin
            )
    return claim


def proposal_merge(*, proposal, actor, claim: Claim | None = None) -> Claim:
    """The proposal states what an existing claim states (its match, or `claim`): record that,
    and create no new claim. The existing claim keeps its status, verdict and evidence."""
    _require_editor(actor)
    target = claim or proposal.matched_claim
    if target is None:
        raise ValidationError("This proposal matches no existing claim: accept or reject it.")
    with transaction.atomic():
        _proposal_decide(
            proposal=proposal, actor=actor, status=proposal.Status.MERGED, claim=target
        )
    return target


def proposal_reject(*, proposal, actor) -> None:
    """Reject a proposal. The row stays (by its fingerprint), so the proposer never offers the
    same statement for this article again."""
    _require_editor(actor)
    _proposal_decide(proposal=proposal, actor=actor, status=proposal.Status.REJECTED, claim=None)


# --- Articles ingested from a URL or a file (intake.ingest drafts them) --------------------


@dataclass
class IngestResult:
    """What `article_ingest` did: created, or what differs (and whether it was applied)."""

    article: Article
    created: bool
    differences: list[str] = field(default_factory=list)
    updated: bool = False
    notes: list[str] = field(default_factory=list)
    proposals: ProposalRun | None = None


def _existing(draft: Draft) -> Article | None:
    """The article already ingested from the draft's URL (or, for a file, with its key)."""
    urls = {draft.url}
    if draft.snapshot is not None:
        urls |= {draft.snapshot.final_url, draft.snapshot.canonical_url}
    urls.discard("")
    if urls:
        found = Article.objects.filter(url__in=urls).order_by("pk").first()
        if found is not None:
            return found
    if not draft.url:
        # Keys before issue 27 kept up to 80 characters of the slug: a file ingested then is
        # still found by its old key.
        keys = [_key(draft), _key(draft, slug_chars=80)]
        return Article.objects.filter(key__in=keys).order_by("pk").first()
    return None


def _key(draft: Draft, *, slug_chars: int = 0) -> str:
    """The title's slug cut at a word (at most `KEY_SLUG_CHARS` characters), then a digest of
    the URL (or, for a file, of the title): short, readable, and unique per source."""
    digest = hashlib.sha256((draft.url or draft.title).encode()).hexdigest()[:8]
    slug = slugify(draft.title)
    if slug_chars:  # the old, longer form
        return f"{slug[:slug_chars].strip('-') or 'article'}-{digest}"
    if len(slug) > KEY_SLUG_CHARS:
        cut = slug[: KEY_SLUG_CHARS + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:KEY_SLUG_CHARS]
    return f"{slug.strip('-') or 'article'}-{digest}"


def _first_difference(old: str, new: str) -> int:
    for i, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return i
    return min(len(old), len(new))


def differences(article: Article, draft: Draft) -> list[str]:
    """What the new copy says differently, one line per field."""
    out = []
    if article.title != draft.title:
        out.append(f"title: {article.title!r} → {draft.title!r}")
    if draft.published_on and article.published_on != draft.published_on:
        out.append(f"published on: {article.published_on or 'unknown'} → {draft.published_on}")
    if draft.outlet is not None and article.outlet_id != draft.outlet.pk:
        out.append(f"outlet: {article.outlet or 'unknown'} → {draft.outlet}")
    if article.text != draft.text:
        at = _first_difference(article.text, draft.text)
        out.append(
            f"text: {len(article.text):,} → {len(draft.text):,} characters, first difference "
            f"at character {at:,}: {article.text[at : at + 40]!r} → {draft.text[at : at + 40]!r}"
        )
    return out


def article_ingest(
    *,
    draft: Draft,
    update: bool = False,
    propose: bool = True,
) -> IngestResult:
    """Create the article `draft` describes, or report (and with `update`, apply) what differs
    from the article already ingested from the same URL. Proposes claims for a new article or
    a changed text (`proposals_generate`) unless `propose` is False."""
    existing = _existing(draft)
    if existing is None:
        with transaction.atomic():
            article = Article.objects.create(
                key=_key(draft),
                title=draft.title,
                url=draft.url,
                outlet=draft.outlet,
                published_on=draft.published_on,
                text=draft.text,
                snapshot=draft.snapshot,
            )
        result = IngestResult(article=article, created=True)
        if propose:
            result.proposals = proposals_generate(article=article)
        return result

    result = IngestResult(article=existing, created=False, differences=differences(existing, draft))
    if not result.differences or not update:
        if draft.snapshot is not None:
            snapshot_discard(snapshot=draft.snapshot)  # nothing changes: keep nothing new
        return result
    fields = {"snapshot": draft.snapshot} if draft.snapshot is not None else {}
    fields.update(title=draft.title)
    if draft.published_on:
        fields["published_on"] = draft.published_on
    if draft.outlet is not None:
        fields["outlet"] = draft.outlet
    text_changed = existing.text != draft.text
    with transaction.atomic():
        if text_changed:
            # Claims and decided proposals are offsets into the text: it stays frozen then.
            claims = existing.claims.count()
            decided = existing.proposals.exclude(status="pending").count()
            if claims or decided:
                result.notes.append(
                    f"The text was NOT updated: {claims} claim(s) and {decided} decided "
                    "proposal(s) point into it. Ingest the new version as a new article, or "
                    "remove them first."
                )
                text_changed = False
            else:
                fields["text"] = draft.text
                existing.proposals.all().delete()  # their offsets point into the old text
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
    result.updated = True
    if propose and text_changed:
        result.proposals = proposals_generate(article=existing)
    return result
