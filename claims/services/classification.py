"""Who publishes an evidence URL: an editor classifying an unknown publisher, reviewers'
requests for that, and the publisher of stored evidence resolved again when the domain register
changes (called by claims.receivers)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.materialised import suggestions_refresh
from claims.models import Claim, ClassificationRequest, Evidence
from claims.selectors import evidence_on_domains
from claims.suggestion import publisher_domain
from ownership.models import Domain
from ownership.publishers import publisher_for_url, publisher_ids_for_urls, registrable_domain


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
