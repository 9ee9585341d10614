"""One webhook delivery attempt and its record (called by claims.tasks.deliver_webhook).
Imports no task module: the task calls it, and what enqueues the task is
claims.services.webhooks."""

from __future__ import annotations

import time

from django.conf import settings
from django.db.models import Prefetch

from claims.models import Claim, Evidence, WebhookDelivery, WebhookEndpoint
from claims.webhooks import EVENT, MAX_RESPONSE_BYTES, TIMEOUT_SECONDS, AttemptResult, payload, sign
from sources.fetch import FetchError, fetch


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
