"""Celery tasks for claims: thin, they load by id, call a service and decide about retrying."""

from __future__ import annotations

from celery import shared_task

# claims.services imports this module too (to enqueue): call its functions as attributes.
from claims import services
from claims.webhooks import backoff


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_webhook(self, *, endpoint_id: int, claim_id: int, event_id: str) -> None:
    """One attempt to deliver a status-change webhook; transient failures retry with backoff
    until REEX_WEBHOOK_MAX_ATTEMPTS (the service counts attempts and says when to stop).
    Re-running an attempt (acks_late after a crash) only sends the same signed event again;
    receivers deduplicate on X-Reex-Event-Id."""
    attempt = self.request.retries + 1
    result = services.webhook_deliver(
        endpoint_id=endpoint_id, claim_id=claim_id, event_id=event_id, attempt=attempt
    )
    if result.retry:
        raise self.retry(countdown=backoff(attempt=attempt, retry_after=result.retry_after))


@shared_task(acks_late=True, ignore_result=True)
def sweep_unqueued_webhooks() -> int:
    """Queue the status-change notifications a broker outage kept from being queued. Run by
    celery beat every REEX_WEBHOOK_SWEEP_SECONDS."""
    return services.requeue_unqueued_deliveries()
