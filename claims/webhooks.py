"""Signed webhooks on claim status changes: the body, the signature, and the retry delay.

The bookkeeping lives in claims.services: `notify_status_change` runs after the decision's
transaction commits and only enqueues (one Celery task per active endpoint);
`webhook_deliver` is one attempt, which POSTs `payload()` signed with `sign()` and records it
in WebhookDelivery whatever happens. The task (claims.tasks.deliver_webhook) retries transient
failures with `backoff()`.

Signature (docs/api.md shows how to verify it): with `t` the Unix time in X-Reex-Timestamp,
    X-Reex-Signature: sha256=HEX(HMAC-SHA256(secret, f"{t}.".encode() + body))
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from claims.api.presenters import ClaimContext
from claims.api.serializers import ClaimDetailSerializer
from claims.models import Claim
from plumbing.backoff import backoff as shared_backoff

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


def payload(*, claim: Claim, event_id: str) -> bytes:
    """The body: the event and the claim as GET /api/v1/claims/{id}/ shows it."""
    data = ClaimDetailSerializer(claim, context={"claims": ClaimContext.build([claim])}).data
    body = {"event": EVENT, "event_id": event_id, "claim": data}
    return json.dumps(
        body, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False
    ).encode()


def backoff(*, attempt: int, retry_after: float | None = None) -> float:
    """Seconds before attempt `attempt + 1`: base·2^(attempt-1) with ±10% jitter, at least the
    server's Retry-After, at most an hour (plumbing.backoff, shared with archiving)."""
    return shared_backoff(
        attempt,
        base=settings.REEX_WEBHOOK_RETRY_BASE_SECONDS,
        cap=MAX_BACKOFF_SECONDS,
        spread=(0.9, 1.1),
        retry_after=retry_after,
    )
