"""Evidence on a claim: checking and attaching a source URL, and a source's next steps
(retry its archiving, replace its URL, remove it), each audited as an EvidenceEvent."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import EXCERPT_MAX_LENGTH, Claim, Evidence, EvidenceEvent
from ownership.publishers import publisher_for_url
from sources.addresses import address_problem, allowlisted
from sources.models import Snapshot
from sources.services.requests import request_retry, snapshot_request


class EvidenceRejected(Exception):
    """The URL cannot be attached (duplicate, not http(s), ...): a message a person can act on.
    `duplicate` says the URL is already there (a conflict with what is stored, not bad input)."""

    def __init__(self, message: str, *, field: str = "url", duplicate: bool = False) -> None:
        self.field, self.duplicate = field, duplicate
        super().__init__(message)


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
        # (claims.materialised_receivers.on_snapshot_state_written), this one included.
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


def address_refusal(url: str) -> str | None:
    """Why a URL's address can never be archived, said at attach time (issue 5): an IP literal
    or `localhost` that is not public. Host names are vetted again at fetch time, where DNS is
    resolved (sources.connections); only REEX_FETCH_ALLOWLIST entries (tests, demos) pass here."""
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
