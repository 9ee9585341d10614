"""Writes on claims. Every status change goes through `claim_set_status`; nothing else writes
`Claim.status` or `Claim.version` (the admin, the queue, the API, tasks and commands call it).

Sections: decisions and holding claims; evidence and classifying publishers; what archiving
and the domain register change on evidence (called by claims.receivers); webhook delivery
bookkeeping (called by claims.tasks); claims created from a span (intake accepts proposals
through `claim_create`).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.text import slugify
from knox.models import AuthToken
from knox.settings import knox_settings

# `claims.tasks` imports this module too; both refer to each other's functions as module
# attributes at call time, so either may be imported first.
from claims import tasks
from claims.figures import index_rows
from claims.hints import DriftHint, EvidenceHints, hints_for_text
from claims.materialised import suggestions_refresh
from claims.models import (
    API_CONSUMER_GROUP,
    EXCERPT_MAX_LENGTH,
    RATIONALE_MAX_LENGTH,
    ApiConsumer,
    Article,
    Claim,
    ClaimFigure,
    ClassificationRequest,
    Evidence,
    EvidenceEvent,
    StatusChange,
    TokenUse,
    WebhookDelivery,
    WebhookEndpoint,
)
from claims.selectors import evidence_on_domains, suggest_for_claim
from claims.signals import claim_status_changed, report_publication_changed
from claims.suggestion import decision_refusal, publisher_domain
from claims.webhooks import EVENT, MAX_RESPONSE_BYTES, TIMEOUT_SECONDS, AttemptResult, payload, sign
from ownership.models import Domain
from ownership.publishers import publisher_for_url, publisher_ids_for_urls, registrable_domain
from plumbing.authentication import last_use_key
from sources.addresses import address_problem, allowlisted
from sources.fetch import FetchError, fetch
from sources.models import Snapshot
from sources.services.requests import request_retry, snapshot_request

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
            Claim.objects.filter(pk=claim.pk).touch()
    except IntegrityError:
        # The same URL attached by someone else a moment ago: the unique constraint caught it.
        raise EvidenceRejected(
            "This URL is already attached to this claim.", duplicate=True
        ) from None
    return evidence


# ------------------------------------------------------------------ a source's next step


class ArchiveNotFailed(EvidenceRejected):
    """A retry of an archive that has not failed: a conflict with the source's state (the
    API's 409 `not_failed`), not bad input."""


def _may_manage_evidence(*, evidence: Evidence, actor: AbstractBaseUser, verb: str) -> None:
    """Reviewers and editors fix sources: a reviewer one whose archiving failed or that they
    attached themselves, an editor (`change_evidence`) any. Anyone else: PermissionDenied
    saying who may."""
    if not actor.has_perm("claims.add_evidence"):
        raise PermissionDenied(f"Only reviewers and editors may {verb} a source.")
    if actor.has_perm("claims.change_evidence"):
        return
    snapshot = evidence.snapshot
    failed = snapshot is not None and snapshot.status == Snapshot.Status.FAILED
    if not failed and evidence.added_by_id != actor.pk:
        raise PermissionDenied(
            f"You may {verb} a source you attached or one whose archiving failed; ask an "
            "editor for this one."
        )


def _evidence_event(
    *, evidence: Evidence, actor: AbstractBaseUser, action: str, **fields
) -> EvidenceEvent:
    snapshot = evidence.snapshot
    extra = {
        "stance": evidence.stance,
        "snapshot_id": evidence.snapshot_id,
        "snapshot_status": snapshot.status if snapshot is not None else "",
        "snapshot_error": snapshot.error if snapshot is not None else "",
        **fields.pop("extra", {}),
    }
    return EvidenceEvent.objects.create(
        claim_id=evidence.claim_id,
        evidence_id=evidence.pk,
        actor=actor,
        action=action,
        url=evidence.url,
        extra=extra,
        **fields,
    )


def _locked_evidence(evidence: Evidence) -> Evidence:
    """The row again, locked for this transaction (two clicks on one button act once)."""
    try:
        return (
            Evidence.objects.select_for_update(of=("self",))
            .select_related("snapshot")
            .get(pk=evidence.pk)
        )
    except Evidence.DoesNotExist:
        raise EvidenceRejected(
            "This source was removed a moment ago: reload the claim.", field="evidence"
        ) from None


def evidence_retry_archive(*, evidence: Evidence, actor: AbstractBaseUser) -> EvidenceEvent:
    """Archive a source whose snapshot failed once more: the snapshot goes back to `pending`
    with a fresh set of attempts and is queued after commit; the retry is audited. Refused
    (EvidenceRejected) unless the snapshot failed."""
    # Only a failed archive is retried, and reviewers may act on any failed one: the add
    # permission is all it takes.
    if not actor.has_perm("claims.add_evidence"):
        raise PermissionDenied("Only reviewers and editors may retry archiving a source.")
    with transaction.atomic():
        evidence = _locked_evidence(evidence)
        snapshot = evidence.snapshot
        if snapshot is None or snapshot.status != Snapshot.Status.FAILED:
            state = snapshot.get_status_display().lower() if snapshot else "not requested"
            raise ArchiveNotFailed(
                f"Only a failed archive can be retried; this one is {state}.", field="snapshot"
            )
        event = _evidence_event(
            evidence=evidence, actor=actor, action=EvidenceEvent.Action.RETRY_ARCHIVE
        )
        # The snapshot's state write refreshes the stored suggestion of every claim citing it
        # (claims.materialised.on_snapshot_state_written), this one included.
        request_retry(snapshot=snapshot)
        Claim.objects.filter(pk=evidence.claim_id).update(updated_at=timezone.now())
    return event


def evidence_replace_url(
    *, evidence: Evidence, url: str, actor: AbstractBaseUser, reason: str = ""
) -> Evidence:
    """Point a source at another URL (the story moved, a mirror, the original instead of a
    copy): the URL is checked like a new one, its publisher resolved again, a new snapshot
    queued; the old snapshot stays in the archive. Stance and excerpt are kept. Audited with
    both URLs."""
    _may_manage_evidence(evidence=evidence, actor=actor, verb="replace the URL of")
    url = (url or "").strip()
    if url == evidence.url:
        raise EvidenceRejected("That is the URL the source has already: enter the new one.")
    url = evidence_check(claim=evidence.claim, url=url, stance=evidence.stance)
    try:
        with transaction.atomic():
            evidence = _locked_evidence(evidence)
            _evidence_event(
                evidence=evidence,
                actor=actor,
                action=EvidenceEvent.Action.REPLACE_URL,
                new_url=url,
                reason=(reason or "").strip(),
            )
            evidence.url = url
            evidence.publisher = publisher_for_url(url)
            evidence.snapshot = snapshot_request(url=url)
            evidence.hints = {}
            evidence.save(update_fields=["url", "publisher", "snapshot", "hints", "updated_at"])
            Claim.objects.filter(pk=evidence.claim_id).update(updated_at=timezone.now())
    except IntegrityError:
        raise EvidenceRejected(
            "This URL is already attached to this claim.", duplicate=True
        ) from None
    return evidence


def evidence_remove(
    *, evidence: Evidence, actor: AbstractBaseUser, reason: str = ""
) -> EvidenceEvent:
    """Take a source off a claim. The row goes; the audit row keeps its URL, stance, excerpt
    and snapshot (which stays in the archive), and the verdicts recorded before keep the ids
    they rested on."""
    _may_manage_evidence(evidence=evidence, actor=actor, verb="remove")
    with transaction.atomic():
        evidence = _locked_evidence(evidence)
        event = _evidence_event(
            evidence=evidence,
            actor=actor,
            action=EvidenceEvent.Action.REMOVE,
            reason=(reason or "").strip(),
            extra={"excerpt": evidence.excerpt, "publisher_id": evidence.publisher_id},
        )
        evidence.delete()
        Claim.objects.filter(pk=event.claim_id).update(updated_at=timezone.now())
    return event


# ------------------------------------------------------------------ API consumers (issue 25)
# Editors create a partner's account and tokens without a superuser (the admin's *API
# consumers*, `manage.py create_api_consumer`). Least privilege: a consumer is a user in the
# `api-consumer` group and no other, not staff, with no usable password (it signs in to
# neither the desk nor the admin); it reads the API with knox tokens, stored hashed, shown
# once, expiring, revocable.

CONSUMER_MAX_DAYS = 3650
MANAGE_CONSUMERS = "claims.add_apiconsumer"
REVOKE_TOKENS = "claims.change_apiconsumer"


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `key` is the only time the secret exists in clear."""

    consumer: User
    token: AuthToken
    key: str


def _token_expiry(days: int | None) -> timedelta:
    if days is None:
        return knox_settings.TOKEN_TTL
    if not 1 <= days <= CONSUMER_MAX_DAYS:
        raise ValidationError({"days": f"A token lasts between 1 and {CONSUMER_MAX_DAYS} days."})
    return timedelta(days=days)


def _check_consumer_perm(actor: AbstractBaseUser | None, perm: str, what: str) -> None:
    # actor None: the management command (whoever runs it has the server).
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(f"Your account may not {what}: ask an editor who manages partners.")


def consumer_create(
    *,
    username: str,
    email: str = "",
    days: int | None = None,
    actor: AbstractBaseUser | None,
) -> IssuedToken:
    """Create the consumer `username` (api-consumer group only, no password) and its first
    token. Refuses a name already taken (ValidationError on `username`)."""
    _check_consumer_perm(actor, MANAGE_CONSUMERS, "create API consumers")
    username = (username or "").strip()
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from None
    if not username:
        raise ValidationError({"username": "Give the consumer a name, e.g. partner-newsroom."})
    expiry = _token_expiry(days)
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            {
                "username": f"There is already an account named {username!r}. Pick another "
                "name, or issue it a new token from its API consumer page."
            }
        )
    with transaction.atomic():
        user = User(username=username, email=(email or "").strip(), is_staff=False)
        user.set_unusable_password()
        user.save()
        user.groups.set([Group.objects.get(name=API_CONSUMER_GROUP)])
        token, key = AuthToken.objects.create(user=user, expiry=expiry)
    return IssuedToken(consumer=user, token=token, key=key)


def consumer_issue_token(
    *, consumer: User, days: int | None = None, actor: AbstractBaseUser | None
) -> IssuedToken:
    """A further token for an existing consumer (a consumer may hold several, e.g. while a
    partner rotates keys)."""
    _check_consumer_perm(actor, MANAGE_CONSUMERS, "issue API tokens")
    if not ApiConsumer.objects.filter(pk=consumer.pk).exists():
        raise ValidationError(f"{consumer.get_username()} is not an API consumer.")
    if not consumer.is_active:
        raise ValidationError(f"{consumer.get_username()} is inactive; activate it first.")
    token, key = AuthToken.objects.create(user=consumer, expiry=_token_expiry(days))
    return IssuedToken(consumer=consumer, token=token, key=key)


def consumer_revoke_token(*, digest: str, actor: AbstractBaseUser | None) -> bool:
    """Revoke (delete) one token of a consumer: the next request with it is a 401. Returns
    whether there was such a token."""
    _check_consumer_perm(actor, REVOKE_TOKENS, "revoke API tokens")
    deleted, _ = AuthToken.objects.filter(
        digest=digest, user__groups__name=API_CONSUMER_GROUP
    ).delete()
    return bool(deleted)


def tokens_last_used(tokens: list[AuthToken]) -> dict[str, datetime]:
    """When each token was last used (digest → time; absent: never). The API notes uses in the
    cache (plumbing.authentication.note_use, no database write per request); this reads them in
    one cache call, keeps them in `TokenUse` where newer than what is stored (so a cache flush
    loses nothing already listed), and answers from both."""
    if not tokens:
        return {}
    keys = {last_use_key(t.digest): t.digest for t in tokens}
    cached = {
        keys[k]: datetime.fromtimestamp(float(v), tz=UTC) for k, v in cache.get_many(keys).items()
    }
    stored = dict(
        TokenUse.objects.filter(token_id__in=keys.values()).values_list("token_id", "last_used_at")
    )
    newer = {d: w for d, w in cached.items() if stored.get(d) is None or stored[d] < w}
    if newer:  # one upsert for them all (INSERT ... ON CONFLICT DO UPDATE)
        TokenUse.objects.bulk_create(
            [TokenUse(token_id=d, last_used_at=w) for d, w in newer.items()],
            update_conflicts=True,
            unique_fields=["token"],
            update_fields=["last_used_at"],
        )
        stored.update(newer)
    return stored


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
                Claim.objects.filter(pk=item.claim_id).touch()


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
            Claim.objects.filter(pk__in={e.claim_id for e in evidence}).touch(updated_at=now)


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
    # The refresh first: it locks the suggestion state before any claim row, the order every
    # write that touches claims keeps (claims/materialised.py), so two never deadlock.
    suggestions_refresh(claim_ids)
    Claim.objects.filter(pk__in=claim_ids).touch(updated_at=now)
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


# --- Claims created from a span of an article (intake.services accepts proposals) ------


def claim_index_figures(*, claim: Claim) -> int:
    """Write the figure index of `claim` from its `figures` (claims.models.ClaimFigure): the
    rows it should have are kept, others deleted, missing ones added. Returns the row count.
    Called on every save of a claim (claims.receivers)."""
    wanted = set(index_rows(claim.figures if isinstance(claim.figures, list) else []))
    have = {
        (unit, low, high): pk
        for pk, unit, low, high in ClaimFigure.objects.filter(claim=claim).values_list(
            "pk", "unit", "low", "high"
        )
    }
    stale = [pk for row, pk in have.items() if row not in wanted]
    if stale:
        ClaimFigure.objects.filter(pk__in=stale).delete()
    missing = [
        ClaimFigure(claim=claim, unit=unit[:64], low=low, high=high)
        for unit, low, high in sorted(wanted - set(have))
    ]
    ClaimFigure.objects.bulk_create(missing, ignore_conflicts=True)
    return len(wanted)


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
    if changed:

        def announce() -> None:
            report_publication_changed.send(sender=Article, article_id=article.pk)

        announce()
        transaction.on_commit(announce, robust=True)
    return bool(changed)
