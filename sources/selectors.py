"""Reads on the archive that span tables: archiving health, the previous archived copy.

Control summaries and the publisher behind a domain live in `ownership.selectors`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from sources.models import Snapshot, WorkerHeartbeat

# --- Archiving health (for /healthz) ----------------------------------------------------------

# Error kinds that say our side broke (our code, our worker, our queue), not the source.
OUR_SIDE_KINDS = ("internal", "lost", "stuck")


def live_workers(*, now=None) -> list[dict]:
    """Workers whose heartbeat is younger than REEX_HEALTH_WORKER_MAX_AGE, newest first:
    `{"name", "pid", "beat_age_seconds", "queues"}`."""
    now = now or timezone.now()
    fresh_after = now - timedelta(seconds=settings.REEX_HEALTH_WORKER_MAX_AGE)
    return [
        {
            "name": name,
            "pid": pid,
            "beat_age_seconds": round((now - beat_at).total_seconds(), 1),
            "queues": queues,
        }
        for name, pid, beat_at, queues in WorkerHeartbeat.objects.filter(beat_at__gte=fresh_after)
        .order_by("-beat_at")
        .values_list("name", "pid", "beat_at", "queues")
    ]


def archive_queues() -> list[str]:
    """The queues archiving needs a live worker on: fetching (the default queue) and
    extraction (REEX_EXTRACT_QUEUE)."""
    return [settings.CELERY_TASK_DEFAULT_QUEUE, settings.REEX_EXTRACT_QUEUE]


def oldest_waiting_snapshot(*, now=None) -> dict:
    """The snapshots not yet archived or failed (`pending` or `fetching`): how many, and the age
    in seconds of the oldest (None when there is none)."""
    now = now or timezone.now()
    row = Snapshot.objects.filter(
        status__in=[Snapshot.Status.PENDING, Snapshot.Status.FETCHING]
    ).aggregate(count=Count("pk"), oldest=Min("created_at"))
    age = round((now - row["oldest"]).total_seconds(), 1) if row["oldest"] else None
    return {"count": row["count"], "oldest_age_seconds": age}


def recent_archive_outcomes(*, seconds: int, now=None) -> dict:
    """Archive attempts that ended within the last `seconds` (one per snapshot: its latest):
    how many, how many errored on our side (OUR_SIDE_KINDS: a crash, a lost worker, a snapshot
    the sweep gave up on), that share, and the count by error kind ("" = archived)."""
    now = now or timezone.now()
    ended = Snapshot.objects.filter(updated_at__gte=now - timedelta(seconds=seconds)).filter(
        Q(status__in=[Snapshot.Status.ARCHIVED, Snapshot.Status.FAILED])
        | Q(status=Snapshot.Status.PENDING, error_kind__gt="")
    )
    by_kind = {
        row["error_kind"]: row["n"]
        for row in ended.values("error_kind").annotate(n=Count("pk")).order_by("error_kind")
    }
    total = sum(by_kind.values())
    errored = sum(n for kind, n in by_kind.items() if kind in OUR_SIDE_KINDS)
    return {
        "window_seconds": seconds,
        "total": total,
        "errored": errored,
        "errored_share": round(errored / total, 3) if total else None,
        "by_kind": by_kind,
    }


def last_archived_before(snapshot: Snapshot) -> Snapshot | None:
    """The newest archived snapshot in `snapshot`'s chain of earlier ones (what drift is
    measured against)."""
    current = snapshot.previous
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        if current.status == Snapshot.Status.ARCHIVED:
            return current
        seen.add(current.pk)
        current = current.previous
    return None
