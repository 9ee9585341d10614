"""Claim status: deciding a claim and holding it. Every status change goes through
`claim_set_status`; nothing else writes `Claim.status` or `Claim.version` (the admin, the queue,
the API, tasks and commands call it). Taking, assigning and releasing a claim (who holds it) are
here too, with the exceptions a refused decision raises."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q

from claims.models import RATIONALE_MAX_LENGTH, Claim, StatusChange
from claims.selectors import suggest_for_claim
from claims.services.webhooks import notify_status_change
from claims.signals import claim_status_changed
from claims.suggestion import decision_refusal


class VersionConflict(Exception):
    """The claim changed since the caller read it: nothing was written."""

    def __init__(self, *, claim_id: int, expected: int, current: int) -> None:
        self.claim_id, self.expected, self.current = claim_id, expected, current
        super().__init__(
            f"Claim {claim_id} changed since you loaded it (you had version {expected}, it is now "
            f"version {current}). Reload it, check what changed, and decide again."
        )


@dataclass
class DecisionRefused(Exception):
    """The evidence does not support the verdict; `reasons` say why in words."""

    message: str
    reasons: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class ClaimTaken(PermissionDenied):
    """Another reviewer holds the claim (taking it, or deciding it). A PermissionDenied, so a
    caller that handles refusals in general shows its message."""

    def __init__(self, *, claim_id: int, holder: str, message: str = "") -> None:
        self.claim_id, self.holder = claim_id, holder
        super().__init__(message or f"{holder} is already reviewing this claim.")


FINAL_STATUSES = frozenset(
    {
        Claim.Status.STATE_SOURCED,
        Claim.Status.INDEPENDENTLY_VERIFIED,
        Claim.Status.DISPUTED,
        Claim.Status.UNVERIFIABLE,
    }
)


def claim_set_status(
    *,
    claim: Claim,
    status: str,
    actor: AbstractBaseUser | None,
    rationale: str,
    version: int,
    override: bool = False,
) -> Claim:
    """Move `claim` to `status` if it is still at `version`; write one audit row; bump version.

    Compare-and-swap on `version`: of two concurrent decisions on one version exactly one
    updates a row; the other raises `VersionConflict` and writes nothing. A verdict the evidence
    does not support raises `DecisionRefused` unless an editor overrides with a rationale.
    A reviewer decides only a claim they hold or one nobody holds (`ClaimTaken`, naming the
    holder, otherwise); editors decide any; the holder is part of the guarded update, so a claim
    taken a moment ago is not decided over its holder's head.
    `actor=None` is for system moves (seed loading); it never overrides.
    """
    if status not in Claim.Status.values:
        raise ValidationError(
            {
                "status": f"Unknown status {status!r}; choose one of {', '.join(Claim.Status.values)}."
            }
        )
    rationale = (rationale or "").strip()
    if len(rationale) > RATIONALE_MAX_LENGTH:
        raise ValidationError(
            {"rationale": f"A rationale has at most {RATIONALE_MAX_LENGTH:,} characters."}
        )
    if actor is not None:
        if not actor.has_perm("claims.decide_claim"):
            raise PermissionDenied("Only reviewers and editors may change a claim's status.")
        # A verdict, and undoing one, need a reason; starting a review does not.
        undoing = claim.status in FINAL_STATUSES or status == Claim.Status.UNREVIEWED
        if not rationale and (status in FINAL_STATUSES or undoing):
            raise ValidationError({"rationale": "Say why: a verdict needs a rationale."})
        _refuse_undoing_a_decision(claim=claim, status=status, actor=actor)
        # Refused early from the copy the caller read; the update below guards the race.
        if claim.assignee_id not in (None, actor.pk) and not may_decide_held_claims(actor):
            raise _held_by_another(claim)
    if override:
        if actor is None or not actor.has_perm("claims.override_decision"):
            raise PermissionDenied("Only editors may override the suggestion rule.")
        if not rationale:
            raise ValidationError({"rationale": "An override needs a rationale."})

    with transaction.atomic():
        suggestion = suggest_for_claim(claim)
        if status in FINAL_STATUSES and not override:
            refusal = decision_refusal(status=status, suggestion=suggestion)
            if refusal is not None:
                raise DecisionRefused(refusal, suggestion.reasons)
        from_status = claim.status
        target = Claim.objects.filter(pk=claim.pk, version=version)
        holder_rule = actor is not None and not may_decide_held_claims(actor)
        if holder_rule:
            # The holder rule is part of the compare-and-swap: a claim taken by someone else a
            # moment ago is not decided over their head.
            target = target.filter(Q(assignee__isnull=True) | Q(assignee=actor))
        # A verdict gives the claim back: it is no one's work any more (the queue stops showing
        # it as "Yours", the page stops offering "Release"). The audit row keeps who decided.
        released = {"assignee": None} if status in FINAL_STATUSES else {}
        updated = target.touch(status=status, version=F("version") + 1, **released)
        if not updated:
            # Nothing got updated: another decision got there first (or the caller read an old
            # copy), or another reviewer holds the claim. Say which.
            now = Claim.objects.select_related("assignee").filter(pk=claim.pk).first()
            if now is not None and now.version == version and holder_rule:
                raise _held_by_another(now)
            current = now.version if now is not None else 0
            raise VersionConflict(claim_id=claim.pk, expected=version, current=current)
        fresh = Claim.objects.select_for_update().get(pk=claim.pk)
        StatusChange.objects.create(
            claim=fresh,
            actor=actor,
            from_status=from_status,
            to_status=status,
            rationale=rationale,
            override=override,
            evidence_ids=list(claim.evidence.order_by("id").values_list("id", flat=True)),
            suggested_status=suggestion.status or "",
            extra={"reasons": suggestion.reasons},
        )
        # Webhooks after commit; notify_status_change never raises, so a decision never fails
        # on a partner's endpoint or a broker outage.
        transaction.on_commit(lambda: notify_status_change(claim_id=fresh.pk))
        # robust: a receiver that fails (the cache unreachable) is logged; the decision stands.
        transaction.on_commit(
            lambda: claim_status_changed.send(
                sender=Claim, claim_id=fresh.pk, article_id=fresh.article_id
            ),
            robust=True,
        )
    claim.status, claim.version, claim.updated_at = fresh.status, fresh.version, fresh.updated_at
    if released:
        claim.assignee = None
    return claim


def may_decide_held_claims(actor: AbstractBaseUser) -> bool:
    """Editors may decide (and release) a claim whoever holds it; reviewers only their own
    claims and claims nobody holds."""
    return actor.has_perm("claims.change_claim")


def _held_by_another(claim: Claim) -> ClaimTaken:
    holder = claim.assignee.get_username() if claim.assignee else "someone"
    return ClaimTaken(
        claim_id=claim.pk,
        holder=holder,
        message=(
            f"{holder} holds claim #{claim.pk}: only the reviewer holding a claim, or an editor, "
            f"may decide it. Ask {holder} to release it (or an editor to reassign it)."
        ),
    )


def _refuse_undoing_a_decision(*, claim: Claim, status: str, actor: AbstractBaseUser) -> None:
    """A verdict stands until an editor reopens it: reviewers may not take a decided claim
    back to `unreviewed`/`in_review`, nor change a verdict an editor set by override."""
    if actor.has_perm("claims.override_decision"):
        return
    if status == Claim.Status.UNREVIEWED:
        raise PermissionDenied("Only editors may send a claim back to unreviewed.")
    if claim.status in FINAL_STATUSES and status not in FINAL_STATUSES:
        raise PermissionDenied(
            f"This claim has a verdict ({claim.get_status_display()}); only an editor may reopen it."
        )
    last = StatusChange.objects.filter(claim=claim).order_by("-id").only("override").first()
    if last is not None and last.override:
        raise PermissionDenied(
            "An editor overrode the suggestion on this claim; only an editor may change its verdict."
        )


def claim_take(*, claim: Claim, actor: AbstractBaseUser) -> Claim:
    """Assign `claim` to `actor` and move it into review. Two reviewers never both get it:
    the assignment is a conditional update on "unassigned (or already mine)"."""
    if not actor.has_perm("claims.decide_claim"):
        raise PermissionDenied("Only reviewers and editors may take a claim.")
    with transaction.atomic():
        got = (
            Claim.objects.filter(pk=claim.pk, assignee__isnull=True).touch(assignee=actor)
            or Claim.objects.filter(pk=claim.pk, assignee=actor).count()
        )
        if not got:
            holder = Claim.objects.select_related("assignee").get(pk=claim.pk).assignee
            raise ClaimTaken(
                claim_id=claim.pk, holder=holder.get_username() if holder else "someone"
            )
        fresh = Claim.objects.get(pk=claim.pk)
        if fresh.status == Claim.Status.UNREVIEWED:
            claim_set_status(
                claim=fresh,
                status=Claim.Status.IN_REVIEW,
                actor=actor,
                rationale="Taken for review.",
                version=fresh.version,
            )
    claim.refresh_from_db()
    return claim


def claim_assign(
    *, claim: Claim, assignee: AbstractBaseUser | None, actor: AbstractBaseUser
) -> Claim:
    """An editor (re)assigns a claim; the assignment is not a status change."""
    if not actor.has_perm("claims.change_claim"):
        raise PermissionDenied("Only editors may assign claims.")
    Claim.objects.filter(pk=claim.pk).touch(assignee=assignee)
    claim.refresh_from_db()
    return claim


def claim_release(*, claim: Claim, actor: AbstractBaseUser) -> Claim:
    """Give a claim back to the queue (only its assignee or an editor)."""
    if claim.assignee_id != actor.pk and not may_decide_held_claims(actor):
        raise PermissionDenied("Only the reviewer holding the claim or an editor may release it.")
    Claim.objects.filter(pk=claim.pk).touch(assignee=None)
    claim.refresh_from_db()
    return claim
