"""Writes on sources: snapshots requested, (later) archived or failed."""

from __future__ import annotations

from django.db import transaction

from sources.models import Snapshot


def snapshot_request(*, url: str, previous: Snapshot | None = None) -> Snapshot:
    """Create a `pending` snapshot of `url` and queue its archiving once the transaction commits.

    Nothing is fetched here: a web request that attaches evidence only writes rows. If the broker
    is down the row stays `pending` and the periodic sweep queues it again later.
    """
    snapshot = Snapshot.objects.create(url=url, previous=previous)
    transaction.on_commit(lambda: _enqueue_archive(snapshot.pk))
    return snapshot


def _enqueue_archive(snapshot_id: int) -> None:
    # Imported here: tasks import services, not the other way round.
    from sources.tasks import enqueue_archive

    enqueue_archive(snapshot_id)
