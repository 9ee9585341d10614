"""The periodic task that queues webhook deliveries a broker outage kept from being queued.

Beside claims/tasks.py, not in it: it calls claims.services.webhooks, which imports
claims.tasks to enqueue `deliver_webhook`, so in one module the two would import each other.
Its Celery name stays `claims.tasks.sweep_unqueued_webhooks` (the beat schedule and messages
already queued use it); reex/celery.py discovers this module as it does sources/capture_tasks.py.
"""

from __future__ import annotations

from celery import shared_task

from claims.services.webhooks import requeue_unqueued_deliveries


@shared_task(name="claims.tasks.sweep_unqueued_webhooks", acks_late=True, ignore_result=True)
def sweep_unqueued_webhooks() -> int:
    """Queue the status-change notifications a broker outage kept from being queued. Run by
    celery beat every REEX_WEBHOOK_SWEEP_SECONDS."""
    return requeue_unqueued_deliveries()
