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


def snapshot_discard(*, snapshot: Snapshot) -> None:
    """Delete a snapshot nothing refers to, with its WARC and (when no other snapshot shares
    the same bytes) its body: an ingest that found no article leaves nothing behind."""
    from django.core.files.storage import default_storage

    names = [snapshot.warc.name] if snapshot.warc else []
    if (
        snapshot.body
        and not Snapshot.objects.filter(body=snapshot.body.name).exclude(pk=snapshot.pk).exists()
    ):
        names.append(snapshot.body.name)
    snapshot.delete()
    for name in names:
        default_storage.delete(name)
