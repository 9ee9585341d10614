"""Proposed claims: generated from an article's text, and the editors' decisions on them
(accept, merge, reject). Claims themselves are created through
`claims.services.creation.claim_create`."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.figures import stored_figures
from claims.models import Claim
from claims.services.creation import claim_create
from intake.models import ClaimProposal
from intake.proposer.propose import propose
from intake.selectors import claims_matching, proposal_entities


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
    """Run the proposer (intake.proposer) over `article` and store what is new. A statement
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
        claim = claim_create(
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
