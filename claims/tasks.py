"""Celery tasks for claims: thin, they load by id, call a service and decide about retrying.

The webhook sweep's task is in claims/sweep_tasks.py: it calls claims.services.webhooks, which
imports this module to enqueue deliveries."""

from __future__ import annotations

from celery import shared_task

from claims.services.delivery import webhook_deliver
from claims.webhooks import backoff


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_webhook(self, *, endpoint_id: int, claim_id: int, event_id: str) -> None:
    """One attempt to deliver a status-change webhook; transient failures retry with backoff
    until REEX_WEBHOOK_MAX_ATTEMPTS (the service counts attempts and says when to stop).
    Re-running an attempt (acks_late after a crash) only sends the same signed event again;
    receivers deduplicate on X-Reex-Event-Id."""
    attempt = self.request.retries + 1
    result = webhook_deliver(
        endpoint_id=endpoint_id, claim_id=claim_id, event_id=event_id, attempt=attempt
    )
    if result.retry:
        raise self.retry(countdown=backoff(attempt=attempt, retry_after=result.retry_after))
