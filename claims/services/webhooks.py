"""Webhook notifications on a status change: one queued delivery per active endpoint, and
the sweep that queues what a broker outage kept from being queued. The attempt itself is
claims.services.delivery (run by claims.tasks.deliver_webhook)."""

from __future__ import annotations

import logging
import uuid

from claims import tasks
from claims.models import Claim, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)


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
    version = None  # read once, on the first delivery the broker refuses
    for endpoint_id in endpoints:
        error = _enqueue_delivery(endpoint_id=endpoint_id, claim_id=claim_id, event_id=event_id)
        if error is not None:
            if version is None:
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
