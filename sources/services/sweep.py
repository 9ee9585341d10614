"""The sweep's writes on sources: snapshots left `pending` or `fetching` past
REEX_ARCHIVE_STALE_SECONDS are found, marked as re-queued, and after REEX_ARCHIVE_MAX_REQUEUES
ended `failed` (`stuck`). sources.tasks.sweep_stuck_snapshots calls them.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sources.models import Snapshot
from sources.services.snapshots import _write_state, send_after_commit
from sources.signals import snapshot_failed

log = logging.getLogger(__name__)

# --- The sweep --------------------------------------------------------------------------------


def _stuck(before) -> Q:
    # A `fetching` row is stuck when its reservation is stale (its worker died) AND no sweep
    # re-queued it within the same window: `updated_at` records the sweep's touch. Touching
    # `updated_at` never disturbs the reservation, whose token is `fetch_started_at` alone.
    return Q(status=Snapshot.Status.PENDING, updated_at__lt=before) | Q(
        status=Snapshot.Status.FETCHING, fetch_started_at__lt=before, updated_at__lt=before
    )


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.REEX_ARCHIVE_STALE_SECONDS)


def stuck_snapshot_ids(*, limit: int = 1000) -> list[int]:
    """Snapshots left `pending` or `fetching` longer than REEX_ARCHIVE_STALE_SECONDS, not
    re-queued by a sweep within that time, and not yet re-queued REEX_ARCHIVE_MAX_REQUEUES
    times (those are `snapshots_give_up`'s)."""
    return list(
        Snapshot.objects.filter(_stuck(_stale_before()))
        .filter(requeues__lt=settings.REEX_ARCHIVE_MAX_REQUEUES)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )


def mark_requeued(*, ids: list[int]) -> int:
    """Record that the sweep re-queued these stuck snapshots (`updated_at` = now, `requeues` + 1),
    so that later sweeps leave them alone for REEX_ARCHIVE_STALE_SECONDS while their tasks wait
    in the queue. Rows a worker reserved meanwhile are no longer stuck and are left as they are."""
    return Snapshot.objects.filter(_stuck(_stale_before()), pk__in=ids).update(
        updated_at=timezone.now(), requeues=F("requeues") + 1
    )


def snapshots_give_up(*, limit: int = 1000) -> int:
    """End `failed` the stuck snapshots the sweep already re-queued REEX_ARCHIVE_MAX_REQUEUES
    times: queuing them again has not helped (no worker takes them, or every task dies before it
    can say why). The reason keeps the last error the row had. Returns how many."""
    most = settings.REEX_ARCHIVE_MAX_REQUEUES
    rows = list(
        Snapshot.objects.filter(_stuck(_stale_before()), requeues__gte=most)
        .order_by("updated_at")
        .values("pk", "status", "requeues", "error")[:limit]
    )
    failed = 0
    for row in rows:
        reason = (
            f"gave up: the sweep queued it {row['requeues']} times and no worker finished it"
            + (f" (last error: {row['error']})" if row["error"] else "")
        )
        with transaction.atomic():
            # Only while it is still stuck as we saw it: a worker may have taken it just now.
            updated = _write_state(
                Snapshot.objects.filter(
                    _stuck(_stale_before()), pk=row["pk"], requeues=row["requeues"]
                ),
                [row["pk"]],
                status=Snapshot.Status.FAILED,
                error=reason,
                error_kind="stuck",
                updated_at=timezone.now(),
            )
            if updated:
                send_after_commit(snapshot_failed, row["pk"])
                failed += 1
    if failed:
        log.warning("sweep gave up on %d snapshots re-queued %d times", failed, most)
    return failed
