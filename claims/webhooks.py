"""Signed webhooks on claim status changes.

`notify_status_change` runs after the decision's transaction commits (claims.services) and
only enqueues: one Celery task per active endpoint. `webhook_deliver` is one attempt: it builds
the claim's JSON (the API's claim detail), signs it and POSTs it through the safe fetcher
(sources.fetch: no private addresses, capped time and size, no redirects for POST), and records
the attempt in WebhookDelivery whatever happens. The task (claims.tasks.deliver_webhook)
retries transient failures with exponential backoff.

Signature (docs/api.md shows how to verify it): with `t` the Unix time in X-Reex-Timestamp,
    X-Reex-Signature: sha256=HEX(HMAC-SHA256(secret, f"{t}.".encode() + body))
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch

from claims.models import Claim, Evidence, WebhookDelivery, WebhookEndpoint
from reex.lib.backoff import backoff as shared_backoff

log = logging.getLogger(__name__)

EVENT = "claim.status_changed"
TIMEOUT_SECONDS = 10.0
MAX_RESPONSE_BYTES = 64 * 1024
MAX_BACKOFF_SECONDS = 3600


@dataclass(frozen=True)
class AttemptResult:
    delivered: bool
    retry: bool
    retry_after: float | None = None


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """The X-Reex-Signature value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    *, secret: str, timestamp: str, body: bytes, signature: str, tolerance: int = 300
) -> bool:
    """What a receiver does: constant-time compare, and refuse timestamps older than
    `tolerance` seconds (replays)."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(
        sign(secret=secret, timestamp=timestamp, body=body), signature
    )


def notify_status_change(*, claim_id: int) -> None:
    """Enqueue one delivery per active endpoint. Never raises: when the broker is unreachable
    the notification is recorded as `unqueued`, the decision that called this stands, and the
    periodic sweep (`sweep_unqueued_webhooks`) queues it once the broker is back."""
    event_id = str(uuid.uuid4())
    try:
        endpoints = list(WebhookEndpoint.objects.filter(active=True).values_list("id", flat=True))
    except Exception:
        log.exception("webhooks: could not list endpoints for claim %s", claim_id)
        return
    for endpoint_id in endpoints:
        error = _enqueue(endpoint_id=endpoint_id, claim_id=claim_id, event_id=event_id)
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


def _enqueue(*, endpoint_id: int, claim_id: int, event_id: str) -> str | None:
    """Queue one delivery; the broker's error in words when it cannot (publishing gives up fast,
    see CELERY_TASK_PUBLISH_RETRY_POLICY), None when queued."""
    from claims.tasks import deliver_webhook

    try:
        deliver_webhook.delay(endpoint_id=endpoint_id, claim_id=claim_id, event_id=str(event_id))
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
        error = _enqueue(endpoint_id=row.endpoint_id, claim_id=row.claim_id, event_id=row.event_id)
        if error is not None:
            WebhookDelivery.objects.filter(pk=row.pk).update(
                outcome=WebhookDelivery.Outcome.UNQUEUED
            )
            break  # the broker is still down: leave the rest for the next sweep
        queued += 1
    return queued


def payload(*, claim: Claim, event_id: str) -> bytes:
    """The body: the event and the claim as GET /api/v1/claims/{id}/ shows it."""
    from claims.api.presenters import ClaimContext
    from claims.api.serializers import ClaimDetailSerializer

    data = ClaimDetailSerializer(claim, context={"claims": ClaimContext.build([claim])}).data
    body = {"event": EVENT, "event_id": event_id, "claim": data}
    return json.dumps(
        body, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False
    ).encode()


def webhook_deliver(
    *, endpoint_id: int, claim_id: int, event_id: str, attempt: int
) -> AttemptResult:
    """One delivery attempt, recorded in WebhookDelivery. `retry` says whether the task should
    try again (a transient failure with attempts left)."""
    from sources.fetch import FetchError, fetch

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


def backoff(*, attempt: int, retry_after: float | None = None) -> float:
    """Seconds before attempt `attempt + 1`: base·2^(attempt-1) with ±10% jitter, at least the
    server's Retry-After, at most an hour (reex.lib.backoff, shared with archiving)."""
    return shared_backoff(
        attempt,
        base=settings.REEX_WEBHOOK_RETRY_BASE_SECONDS,
        cap=MAX_BACKOFF_SECONDS,
        spread=(0.9, 1.1),
        retry_after=retry_after,
    )
