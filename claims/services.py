"""Writes on claims. Every status change goes through `claim_set_status`; nothing else writes
`Claim.status` or `Claim.version` (the admin, the queue, the API, tasks and commands call it).

Sections: decisions and holding claims; evidence and classifying publishers; what archiving
and the domain register change on evidence (called by claims.receivers); webhook delivery
bookkeeping (called by claims.tasks); proposals (issue 10).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.text import slugify

# `claims.tasks` imports this module too; both refer to each other's functions as module
# attributes at call time, so either may be imported first.
from claims import tasks
from claims.hints import DriftHint, EvidenceHints, hints_for_text
from claims.materialised import suggestions_refresh
from claims.models import (
    EXCERPT_MAX_LENGTH,
    RATIONALE_MAX_LENGTH,
    Article,
    Claim,
    ClaimProposal,
    ClassificationRequest,
    Evidence,
    StatusChange,
    WebhookDelivery,
    WebhookEndpoint,
)
from claims.proposals import propose, stored_figures
from claims.selectors import (
    claims_matching,
    evidence_on_domains,
    proposal_entities,
    suggest_for_claim,
)
from claims.suggestion import decision_refusal, publisher_domain
from claims.webhooks import EVENT, MAX_RESPONSE_BYTES, TIMEOUT_SECONDS, AttemptResult, payload, sign
from ownership.models import Domain
from ownership.publishers import publisher_for_url, publisher_ids_for_urls, registrable_domain
from sources.fetch import FetchError, address_problem, allowlisted, fetch
from sources.models import Snapshot
from sources.services import snapshot_discard, snapshot_request

if TYPE_CHECKING:  # claims.ingest imports this module to write what it drafted
    from claims.ingest import Draft

log = logging.getLogger(__name__)


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


class EvidenceRejected(Exception):
    """The URL cannot be attached (duplicate, not http(s), ...): a message a person can act on.
    `duplicate` says the URL is already there (a conflict with what is stored, not bad input)."""

    def __init__(self, message: str, *, field: str = "url", duplicate: bool = False) -> None:
        self.field, self.duplicate = field, duplicate
        super().__init__(message)


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
        updated = target.update(status=status, version=F("version") + 1, updated_at=timezone.now())
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
    claim.status, claim.version, claim.updated_at = fresh.status, fresh.version, fresh.updated_at
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
            Claim.objects.filter(pk=claim.pk, assignee__isnull=True).update(
                assignee=actor, updated_at=timezone.now()
            )
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
    Claim.objects.filter(pk=claim.pk).update(assignee=assignee, updated_at=timezone.now())
    claim.refresh_from_db()
    return claim


def claim_release(*, claim: Claim, actor: AbstractBaseUser) -> Claim:
    """Give a claim back to the queue (only its assignee or an editor)."""
    if claim.assignee_id != actor.pk and not may_decide_held_claims(actor):
        raise PermissionDenied("Only the reviewer holding the claim or an editor may release it.")
    Claim.objects.filter(pk=claim.pk).update(assignee=None, updated_at=timezone.now())
    claim.refresh_from_db()
    return claim


def evidence_check(*, claim: Claim, url: str, stance: str) -> str:
    """The URL as it would be stored, or `EvidenceRejected` with a message a person can act on
    (not a web address, a refused address, an unknown stance, already attached). Forms call it
    to show the message by the field; `evidence_attach` calls it before writing."""
    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        raise EvidenceRejected("Enter a full web address starting with http:// or https://.")
    refusal = address_refusal(url)
    if refusal:
        raise EvidenceRejected(refusal)
    if stance not in Evidence.Stance.values:
        raise EvidenceRejected(
            f"Unknown stance {stance!r}; choose one of {', '.join(Evidence.Stance.values)}.",
            field="stance",
        )
    if Evidence.objects.filter(claim=claim, url=url).exists():
        raise EvidenceRejected("This URL is already attached to this claim.", duplicate=True)
    return url


def evidence_attach(
    *, claim: Claim, url: str, stance: str, excerpt: str = "", actor: AbstractBaseUser | None
) -> Evidence:
    """Attach a source URL to a claim: resolve its publisher, create a `pending` snapshot and
    queue archiving after commit. Refuses a URL already attached to this claim."""
    if actor is not None and not actor.has_perm("claims.add_evidence"):
        raise PermissionDenied("Only reviewers and editors may attach sources.")
    url = evidence_check(claim=claim, url=url, stance=stance)
    excerpt = (excerpt or "").strip()
    if len(excerpt) > EXCERPT_MAX_LENGTH:
        raise EvidenceRejected(
            f"The excerpt is {len(excerpt):,} characters; the most is {EXCERPT_MAX_LENGTH:,}. "
            "Quote the passage that matters, not the whole page.",
            field="excerpt",
        )
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                claim=claim,
                url=url,
                stance=stance,
                excerpt=excerpt,
                added_by=actor,
                publisher=publisher_for_url(url),
                snapshot=snapshot_request(url=url),
            )
            Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now())
    except IntegrityError:
        # The same URL attached by someone else a moment ago: the unique constraint caught it.
        raise EvidenceRejected(
            "This URL is already attached to this claim.", duplicate=True
        ) from None
    return evidence


def evidence_classify_publisher(*, evidence: Evidence, entity, actor: AbstractBaseUser) -> int:
    """An editor says who publishes an evidence URL whose publisher was unknown. In one step:
    set `entity` as this evidence's publisher, register the URL's registrable domain for it
    (when no domain of the URL is registered yet), and set the publisher on every other
    evidence row still unknown on that domain, so they count from the next suggestion on.
    Returns how many evidence rows got the publisher."""
    if not actor.has_perm("claims.change_evidence"):
        raise PermissionDenied("Only editors may classify a publisher.")
    domain = registrable_domain(evidence.url)
    now = timezone.now()
    with transaction.atomic():
        n = Evidence.objects.filter(pk=evidence.pk).update(publisher=entity, updated_at=now)
        if not domain:  # an IP-literal URL: no domain to register, this row only
            classification_requests_resolve(evidence_ids=[evidence.pk], actor=actor)
            suggestions_refresh([evidence.claim_id])
            evidence.publisher = entity
            return n
        # The rows still unknown, found before the domain is registered: registering it
        # already re-resolves them (`evidence_resync_publishers`), and they are counted here.
        ids = [e.pk for e in evidence_on_domains(domains=[domain], unknown_only=True)]
        register = publisher_for_url(evidence.url) is None
        if register and not actor.has_perm("ownership.add_domain"):
            raise PermissionDenied("Only editors may register a domain.")
        # The rows first, then the domain: the requests on them are resolved here, in this
        # editor's name, before the domain's resync (which knows no user) would see them.
        n += Evidence.objects.filter(pk__in=ids).update(publisher=entity, updated_at=now)
        suggestions_refresh(
            Evidence.objects.filter(pk__in=[evidence.pk, *ids]).values_list("claim_id", flat=True)
        )
        classification_requests_resolve(evidence_ids=[evidence.pk, *ids], actor=actor)
        if register:
            Domain.objects.get_or_create(
                domain=domain, defaults={"entity": entity, "note": "Classified from evidence."}
            )
    evidence.publisher = entity
    return n


class ClassificationNotNeeded(Exception):
    """The evidence already has a publisher: there is nothing for an editor to classify."""


def classification_request_ask(
    *, evidence: Evidence, actor: AbstractBaseUser
) -> ClassificationRequest:
    """A reviewer asks an editor to classify the unknown publisher of `evidence`. Asking again
    while a request is open returns that request (one open request per evidence row, held by
    a partial unique constraint, so two reviewers asking at once get the same one)."""
    if not actor.has_perm("claims.add_evidence"):
        raise PermissionDenied("Only reviewers and editors may ask for a classification.")
    if (
        publisher_for_url(evidence.url) is not None
        or Evidence.objects.filter(pk=evidence.pk, publisher__isnull=False).exists()
    ):
        raise ClassificationNotNeeded(
            "This source's publisher is already known: reload the page to see it."
        )
    existing = ClassificationRequest.objects.open().filter(evidence=evidence).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ClassificationRequest.objects.create(
                domain=publisher_domain(evidence.url),
                claim_id=evidence.claim_id,
                evidence=evidence,
                requested_by=actor,
            )
    except IntegrityError:
        # Someone asked a moment ago: the partial unique constraint kept one open request.
        return ClassificationRequest.objects.open().get(evidence=evidence)


def classification_requests_resolve(
    *, evidence_ids: list[int], actor: AbstractBaseUser | None = None
) -> int:
    """Resolve the open requests on `evidence_ids` whose evidence now has a publisher (called
    wherever evidence gets one: `evidence_classify_publisher`, and the domain register's resync
    `evidence_resync_publishers`). A conditional update on `resolved_at IS NULL`, so a request is
    resolved once however many paths see it. Returns how many were resolved."""
    if not evidence_ids:
        return 0
    now = timezone.now()
    publishers = dict(
        Evidence.objects.filter(pk__in=evidence_ids, publisher__isnull=False).values_list(
            "pk", "publisher_id"
        )
    )
    n = 0
    for evidence_id, publisher_id in publishers.items():
        n += (
            ClassificationRequest.objects.open()
            .filter(evidence_id=evidence_id)
            .update(resolved_at=now, resolved_by=actor, publisher_id=publisher_id)
        )
    return n


def classification_request_classify(
    *, request: ClassificationRequest, entity, actor: AbstractBaseUser
) -> int:
    """An editor answers a request: `entity` publishes its evidence URL (and its domain, see
    `evidence_classify_publisher`). Returns how many evidence rows got the publisher."""
    evidence = Evidence.objects.get(pk=request.evidence_id)
    return evidence_classify_publisher(evidence=evidence, entity=entity, actor=actor)


def address_refusal(url: str) -> str | None:
    """Why a URL's address can never be archived, said at attach time (issue 5): an IP literal
    or `localhost` that is not public. Host names are vetted again at fetch time, where DNS is
    resolved (sources.fetch); only REEX_FETCH_ALLOWLIST entries (tests, demos) pass here."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return "That address is not valid (check the host name and port)."
    if not host:
        return "That address has no host name."
    if allowlisted(host, port):
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return "Refused address: localhost is this machine; only public web addresses are archived."
    problem = address_problem(host)
    if problem is not None and problem != "not an IP address":
        return f"Refused address: {host} is {problem}; only public web addresses are archived."
    return None


# --- What archiving and the domain register change on evidence (claims.receivers) ---------


def _earlier_snapshot_ids(snapshot: Snapshot) -> list[int]:
    """The snapshots this re-check follows, newest first (a broken chain is not followed twice)."""
    ids: list[int] = []
    current = snapshot.previous
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = current.previous
    return ids


def evidence_follow_archived(*, snapshot: Snapshot) -> None:
    """A snapshot ended `archived`: point evidence at the newest archived snapshot of its URL
    and compute its hints.

    Hints are computed with no transaction open (a long text takes a while and must not hold
    locks); each evidence's hints are then written in a short transaction of its own, only
    while the evidence still cites this snapshot."""
    now = timezone.now()
    earlier = _earlier_snapshot_ids(snapshot)
    if earlier:
        # A re-check ended archived: evidence follows it (earlier snapshots are kept). One
        # UPDATE, atomic by itself.
        Evidence.objects.filter(snapshot_id__in=earlier).update(snapshot=snapshot, updated_at=now)
    evidence = list(
        Evidence.objects.filter(snapshot=snapshot).select_related("claim", "claim__origin")
    )
    if not evidence:
        return  # nothing cites it (yet)
    text = "\n".join(part for part in (snapshot.title, snapshot.text) if part)
    for item in evidence:
        hints = hints_for_text(
            text=text,
            figures=item.claim.figures,
            origin=item.claim.origin,
            snapshot_id=snapshot.pk,
        )
        if earlier:
            hints = hints.with_drift(
                DriftHint(
                    status=snapshot.drift or "unchanged",
                    snapshot=snapshot.pk,
                    previous=earlier[0],
                    checked_at=now.isoformat(),
                )
            )
        with transaction.atomic():
            # Moved on to a newer snapshot meanwhile: that snapshot's hints stand.
            if Evidence.objects.filter(pk=item.pk, snapshot=snapshot).update(
                hints=hints.to_json(), updated_at=timezone.now()
            ):
                Claim.objects.filter(pk=item.claim_id).update(updated_at=timezone.now())


def evidence_flag_vanished(*, snapshot: Snapshot) -> None:
    """A re-check found the source gone (404/410): flag the evidence, which keeps pointing at
    its last archived copy (that copy still shows what the source said). Other failures change
    nothing on evidence."""
    if snapshot.drift != Snapshot.Drift.VANISHED:
        return
    now = timezone.now()
    earlier = _earlier_snapshot_ids(snapshot)
    drift = DriftHint(
        status=Snapshot.Drift.VANISHED,
        snapshot=snapshot.pk,
        error=snapshot.error,
        checked_at=now.isoformat(),
    )
    with transaction.atomic():
        evidence = list(Evidence.objects.select_for_update().filter(snapshot_id__in=earlier))
        for item in evidence:
            hints = EvidenceHints.from_json(item.hints).with_drift(drift)
            Evidence.objects.filter(pk=item.pk).update(hints=hints.to_json(), updated_at=now)
        if evidence:
            Claim.objects.filter(pk__in={e.claim_id for e in evidence}).update(updated_at=now)


def evidence_resync_publishers(*, domains: Iterable[str]) -> int:
    """Resolve again the publisher of every evidence URL on `domains` (and their subdomains)
    as `ownership.publishers.publisher_for_url` does, write the rows whose publisher changed, and
    bump their `updated_at` and their claims' `updated_at` (API ETags and `updated_since`
    follow). One lookup for all the rows (`publisher_ids_for_urls`). Returns how many rows
    changed.

    Called when an editor adds, changes or deletes an `ownership.Domain` (claims.receivers):
    `Evidence.publisher` is stored at attach time, and without this a domain wrongly
    registered to an independent entity would keep counting as independent after an editor
    moved it to the state outlet that really runs it (docs/verdicts.md). Runs in the saving
    transaction. Bulk `Domain.objects.filter(...).update(...)` sends no signals and is not
    followed: edit domains through the admin or `save()`."""
    rows = evidence_on_domains(domains=domains)
    if not rows:
        return 0
    resolved = publisher_ids_for_urls(e.url for e in rows)
    changed: dict[int | None, list[int]] = {}
    claim_ids: set[int] = set()
    for e in rows:
        new = resolved.get(e.url)
        if new != e.publisher_id:
            changed.setdefault(new, []).append(e.pk)
            claim_ids.add(e.claim_id)
    if not changed:
        return 0
    now = timezone.now()
    n = 0
    for publisher_id, ids in changed.items():
        n += Evidence.objects.filter(pk__in=ids).update(publisher_id=publisher_id, updated_at=now)
    Claim.objects.filter(pk__in=claim_ids).update(updated_at=now)
    suggestions_refresh(claim_ids)
    # Requests to classify these rows are answered now (the editor who saved the domain is not
    # known here: the signal carries no user).
    classification_requests_resolve(evidence_ids=[i for ids in changed.values() for i in ids])
    return n


# --- Webhook delivery bookkeeping (claims.webhooks builds and signs; claims.tasks retries) ---


def notify_status_change(*, claim_id: int) -> None:
    """Enqueue one delivery per active endpoint; runs after the decision's transaction commits
    (`claim_set_status`). Never raises: when the broker is unreachable the notification is
    recorded as `unqueued`, the decision that called this stands, and the periodic sweep
    (`requeue_unqueued_deliveries`) queues it once the broker is back."""
    event_id = str(uuid.uuid4())
    try:
        endpoints = list(WebhookEndpoint.objects.filter(active=True).values_list("id", flat=True))
    except Exception:
        log.exception("webhooks: could not list endpoints for claim %s", claim_id)
        return
    for endpoint_id in endpoints:
        error = _enqueue_delivery(endpoint_id=endpoint_id, claim_id=claim_id, event_id=event_id)
        if error is not None:
            version = (
                Claim.objects.filter(pk=claim_id).values_list("version", flat=True).first() or 0
            )
            WebhookDelivery.objects.create(
                endpoint_id=endpoint_id,
                claim_id=claim_id,
                event_id=event_id,
                attempt=0,
                claim_version=version,
                outcome=WebhookDelivery.Outcome.UNQUEUED,
                error=f"Could not queue the delivery (broker unreachable: {error}); "
                "the sweep sends it when the broker is back.",
            )


def _enqueue_delivery(*, endpoint_id: int, claim_id: int, event_id: str) -> str | None:
    """Queue one delivery; the broker's error in words when it cannot (publishing gives up fast,
    see CELERY_TASK_PUBLISH_RETRY_POLICY), None when queued."""
    try:
        tasks.deliver_webhook.delay(
            endpoint_id=endpoint_id, claim_id=claim_id, event_id=str(event_id)
        )
    except Exception as exc:
        log.warning("webhooks: could not queue delivery to endpoint %s", endpoint_id, exc_info=True)
        return str(exc) or exc.__class__.__name__
    return None


def requeue_unqueued_deliveries() -> int:
    """Queue every notification that could not be queued when its status changed. Each row is
    claimed by a compare-and-swap (`unqueued` → `requeued`), so two sweeps never queue one
    twice; a row whose queueing fails again goes back to `unqueued` for the next sweep."""
    queued = 0
    ids = list(
        WebhookDelivery.objects.filter(outcome=WebhookDelivery.Outcome.UNQUEUED)
        .order_by("created_at")
        .values_list("id", flat=True)[:500]
    )
    for row in WebhookDelivery.objects.filter(pk__in=ids).only(
        "id", "endpoint_id", "claim_id", "event_id"
    ):
        claimed = WebhookDelivery.objects.filter(
            pk=row.pk, outcome=WebhookDelivery.Outcome.UNQUEUED
        ).update(outcome=WebhookDelivery.Outcome.REQUEUED)
        if not claimed:
            continue  # another sweep got there first
        error = _enqueue_delivery(
            endpoint_id=row.endpoint_id, claim_id=row.claim_id, event_id=row.event_id
        )
        if error is not None:
            WebhookDelivery.objects.filter(pk=row.pk).update(
                outcome=WebhookDelivery.Outcome.UNQUEUED
            )
            break  # the broker is still down: leave the rest for the next sweep
        queued += 1
    return queued


def webhook_deliver(
    *, endpoint_id: int, claim_id: int, event_id: str, attempt: int
) -> AttemptResult:
    """One delivery attempt: the signed claim JSON (claims.webhooks) POSTed through the safe
    fetcher (sources.fetch: no private addresses, capped time and size, no redirects for POST),
    recorded in WebhookDelivery whatever happens. `retry` says whether the task should try
    again (a transient failure with attempts left)."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None or not endpoint.active:
        return AttemptResult(delivered=False, retry=False)  # removed or paused since: drop it
    claim = (
        Claim.objects.select_related("article")
        .defer("article__text")
        .prefetch_related(
            Prefetch(
                "evidence", queryset=Evidence.objects.select_related("snapshot").order_by("id")
            )
        )
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        return AttemptResult(delivered=False, retry=False)
    body = payload(claim=claim, event_id=event_id)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "Accept": "*/*",
        "User-Agent": "reex-webhooks/1.0",
        "X-Reex-Event": EVENT,
        "X-Reex-Event-Id": event_id,
        "X-Reex-Attempt": str(attempt),
        "X-Reex-Timestamp": timestamp,
        "X-Reex-Signature": sign(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    started = time.monotonic()
    http_status: int | None = None
    error = ""
    retry_after: float | None = None
    try:
        result = fetch(
            endpoint.url,
            method="POST",
            data=body,
            headers=headers,
            max_bytes=MAX_RESPONSE_BYTES,
            timeout=TIMEOUT_SECONDS,
        )
        http_status = result.status
        delivered, transient = True, False
    except FetchError as exc:
        delivered, transient = False, exc.transient
        http_status, error, retry_after = exc.status, exc.reason, exc.retry_after
    retry = not delivered and transient and attempt < settings.REEX_WEBHOOK_MAX_ATTEMPTS
    if delivered:
        outcome = WebhookDelivery.Outcome.DELIVERED
    elif retry:
        outcome = WebhookDelivery.Outcome.RETRYING
    else:
        outcome = WebhookDelivery.Outcome.GAVE_UP
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        claim=claim,
        event_id=event_id,
        attempt=attempt,
        claim_version=claim.version,
        outcome=outcome,
        http_status=http_status,
        error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    return AttemptResult(delivered=delivered, retry=retry, retry_after=retry_after)


# --- Proposals (issue 10): candidate claims, and the editors' decisions on them -------------


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


def claim_create(
    *,
    article,
    span_start: int,
    span_end: int,
    kind: str,
    origin,
    restatement: str = "",
    figures: list | None = None,
    subjects=(),
    key: str = "",
) -> Claim:
    """A new claim (status `unreviewed`, version 1) over `article.text[span_start:span_end]`,
    with a key unique in its article. Refuses a span outside the text."""
    text = article.text[span_start:span_end]
    if not (0 <= span_start < span_end <= len(article.text)) or not text.strip():
        raise ValidationError({"span_start": "The span is not inside the article text."})
    if kind not in Claim.Kind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}."})
    if origin is None:
        raise ValidationError({"origin": "Say who asserted the claim (its origin)."})
    if not key:
        digest = hashlib.sha256(f"{span_start}:{span_end}:{text}".encode()).hexdigest()[:8]
        key = f"{slugify(restatement or text)[:60].strip('-') or 'claim'}-{digest}"
    claim = Claim.objects.create(
        article=article,
        key=key,
        span_start=span_start,
        span_end=span_end,
        text=text,
        restatement=(restatement or "").strip(),
        kind=kind,
        figures=figures or [],
        origin=origin,
    )
    if subjects:
        claim.subjects.set(subjects)
    return claim


def proposals_generate(*, article) -> ProposalRun:
    """Run the proposer (claims.proposals) over `article` and store what is new. A statement
    already proposed for this article (same normalised text) is not proposed twice, and one an
    editor rejected is not proposed again. Each new proposal is linked to an existing claim
    that states the same thing (claims.selectors.claims_matching)."""
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
    if not (actor.has_perm("claims.change_claimproposal") and actor.has_perm("claims.add_claim")):
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


# --- Articles ingested from a URL or a file (claims.ingest drafts them) --------------------


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
        return Article.objects.filter(key=_key(draft)).first()
    return None


def _key(draft: Draft) -> str:
    digest = hashlib.sha256((draft.url or draft.title).encode()).hexdigest()[:8]
    return f"{slugify(draft.title)[:80].strip('-') or 'article'}-{digest}"


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


# --- The vetting report's publication (issue 12) ----------------------------------------------

PUBLISH_REPORT = "claims.publish_report"


def article_set_report_published(*, article, published: bool, actor: AbstractBaseUser) -> bool:
    """Publish (or withdraw) the article's vetting report: anonymous readers see it read-only
    at its report URL once published; before that it is a 404 for them. Only users with
    `claims.publish_report` (the editor group) may. Returns whether anything changed: a
    compare-and-swap on the flag, so of two editors clicking at once one records it."""
    if not (actor.is_active and actor.has_perm(PUBLISH_REPORT)):
        raise PermissionDenied("Only editors may publish or withdraw a vetting report.")
    changed = (
        Article.objects.filter(pk=article.pk)
        .exclude(report_published=published)
        .update(
            report_published=published,
            report_published_at=timezone.now() if published else None,
            report_published_by=actor if published else None,
            updated_at=timezone.now(),
        )
    )
    article.refresh_from_db(
        fields=["report_published", "report_published_at", "report_published_by", "updated_at"]
    )
    return bool(changed)
