"""Writes on sources: snapshots requested, attempts that crashed, and the sweep's bookkeeping;
import conflicts and name matches resolved by editors.

Nothing here imports the fetcher or the extractor (trafilatura, lxml, pypdf): this is what the
archive task and the sweep fall back on when those cannot even be imported, so that a broken
install ends snapshots `failed` with its reason instead of leaving them `pending` for ever.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sources.models import (
    Domain,
    Entity,
    ExternalRecord,
    MatchCandidate,
    Ownership,
    OwnershipConflict,
    ReportingException,
    Snapshot,
)
from sources.signals import snapshot_failed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What happened: `archived`, `failed`, `retry` (after `countdown` seconds) or `skipped`."""

    status: str
    reason: str = ""
    countdown: float = 0.0


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


def backoff_seconds(attempt: int, *, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter: base·2^(n-1), capped, then between half and all of it.
    A server's Retry-After is honoured when longer (still under the cap)."""
    cap = float(settings.REEX_ARCHIVE_RETRY_MAX_SECONDS)
    ceiling = min(cap, settings.REEX_ARCHIVE_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not secrecy
    if retry_after:
        delay = max(delay, min(retry_after, cap))
    return delay


def send_after_commit(signal, snapshot_id: int) -> None:
    """Send `signal` for the snapshot once the current transaction commits; a failing receiver
    is logged, never raised."""

    def send() -> None:
        snapshot = Snapshot.objects.get(pk=snapshot_id)
        for receiver, response in signal.send_robust(sender=Snapshot, snapshot=snapshot):
            if isinstance(response, Exception):
                log.error(
                    "receiver %r failed for snapshot %s",
                    receiver,
                    snapshot_id,
                    exc_info=(type(response), response, response.__traceback__),
                )

    transaction.on_commit(send)


def reservable() -> Q:
    """Rows a delivery of the archive task may take: `pending`, or `fetching` with a reservation
    older than REEX_ARCHIVE_STALE_SECONDS (its worker died)."""
    stale_before = timezone.now() - timedelta(seconds=settings.REEX_ARCHIVE_STALE_SECONDS)
    return Q(status=Snapshot.Status.PENDING) | Q(
        Q(fetch_started_at__lt=stale_before) | Q(fetch_started_at__isnull=True),
        status=Snapshot.Status.FETCHING,
    )


def crash_reason(error: BaseException) -> str:
    """`internal error: ImportError: lxml.html.clean module is now a separate project …`"""
    text = " ".join(str(error).split())
    return f"internal error: {type(error).__name__}: {text}" if text else type(error).__name__


def snapshot_attempt_crashed(*, snapshot_id: int, error: BaseException) -> Outcome:
    """Record an archive attempt that died of something the fetcher did not expect (the
    extractor cannot be imported, a bug) before the service could reserve the row: it counts as
    an attempt, is retried with backoff while attempts remain, and then ends `failed` with the
    reason. A row another worker holds, or that is finished, is left alone."""
    reason = crash_reason(error)
    limit = settings.REEX_ARCHIVE_MAX_ATTEMPTS
    row = Snapshot.objects.filter(reservable(), pk=snapshot_id).values("status", "attempts").first()
    if row is None:
        return Outcome("skipped", "snapshot is not waiting for an attempt")
    attempt = row["attempts"] + 1
    # Compare-and-swap on (status, attempts): a worker that reserved the row meanwhile wins.
    guard = Snapshot.objects.filter(pk=snapshot_id, status=row["status"], attempts=row["attempts"])
    now = timezone.now()
    if attempt < limit:
        countdown = backoff_seconds(attempt)
        updated = guard.update(
            status=Snapshot.Status.PENDING,
            attempts=F("attempts") + 1,
            error=f"{reason} (attempt {attempt} of {limit}; trying again in about {round(countdown)} s)",
            error_kind="internal",
            updated_at=now,
        )
        return Outcome("retry", reason, countdown) if updated else Outcome("skipped", reason)
    reason = f"{reason} (gave up after {attempt} attempts)"
    with transaction.atomic():
        updated = guard.update(
            status=Snapshot.Status.FAILED,
            attempts=F("attempts") + 1,
            error=reason,
            error_kind="internal",
            updated_at=now,
        )
        if updated:
            send_after_commit(snapshot_failed, snapshot_id)
    return Outcome("failed", reason) if updated else Outcome("skipped", reason)


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
            updated = Snapshot.objects.filter(
                _stuck(_stale_before()), pk=row["pk"], requeues=row["requeues"]
            ).update(
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


# ---------------------------------------------------------------------- imports: editors decide
class AlreadyResolved(Exception):
    """Another editor resolved it first (compare-and-swap on `status`)."""


def conflict_resolve(*, conflict: OwnershipConflict, take_imported: bool, actor) -> Ownership:
    """Resolve an import conflict: keep the edge as it is (`take_imported=False`) or write the
    imported values onto it (the edge then carries the import's provenance, so re-importing
    that file again changes nothing). Guarded: a conflict is resolved once."""
    status = OwnershipConflict.Status.TAKEN if take_imported else OwnershipConflict.Status.KEPT
    with transaction.atomic():
        updated = OwnershipConflict.objects.filter(
            pk=conflict.pk, status=OwnershipConflict.Status.OPEN
        ).update(status=status, resolved_by=actor, resolved_at=timezone.now())
        if not updated:
            raise AlreadyResolved(f"Conflict #{conflict.pk} was already resolved.")
        edge = Ownership.objects.select_for_update().get(pk=conflict.ownership_id)
        if take_imported:
            values = conflict.imported
            edge.stake_pct = Decimal(values["stake_pct"]) if values.get("stake_pct") else None
            edge.controlling = bool(values.get("controlling"))
            edge.confirmed = bool(values.get("confirmed"))
            edge.citation_url = values.get("citation_url") or ""
            edge.basis = values.get("basis") or ""
            edge.nature = values.get("nature") or Ownership.Nature.OWNERSHIP
            for name in ("as_of", "start_date", "end_date"):
                setattr(edge, name, date.fromisoformat(values[name]) if values.get(name) else None)
            edge.source = conflict.source
            edge.source_file = conflict.source_file
            edge.source_record = conflict.source_record
            edge.imported_at = timezone.now()
            edge.save()
    return edge


def match_accept(*, candidate: MatchCandidate, actor) -> Entity:
    """Accept a name match: the imported entity is merged into the existing one (its edges,
    domains, identifiers and import records move over; an edge the existing entity already has
    with the same other side is kept as it is and the imported duplicate dropped, with its open
    conflicts). The imported entity is then deleted. Guarded: resolved once."""
    with transaction.atomic():
        updated = MatchCandidate.objects.filter(
            pk=candidate.pk, status=MatchCandidate.Status.OPEN, imported__isnull=False
        ).update(
            status=MatchCandidate.Status.ACCEPTED, resolved_by=actor, resolved_at=timezone.now()
        )
        if not updated:
            raise AlreadyResolved(f"Match candidate #{candidate.pk} was already resolved.")
        imported = Entity.objects.select_for_update().get(pk=candidate.imported_id)
        existing = Entity.objects.select_for_update().get(pk=candidate.existing_id)
        for edge in Ownership.objects.filter(owner=imported):
            if (
                edge.owned_id == existing.pk
                or Ownership.objects.filter(owner=existing, owned_id=edge.owned_id).exists()
            ):
                edge.delete()
            else:
                Ownership.objects.filter(pk=edge.pk).update(owner=existing)
        for edge in Ownership.objects.filter(owned=imported):
            if (
                edge.owner_id == existing.pk
                or Ownership.objects.filter(owned=existing, owner_id=edge.owner_id).exists()
            ):
                edge.delete()
            else:
                Ownership.objects.filter(pk=edge.pk).update(owned=existing)
        Domain.objects.filter(entity=imported).update(entity=existing)
        ExternalRecord.objects.filter(entity=imported).update(entity=existing)
        ReportingException.objects.filter(entity=imported).exclude(
            category__in=existing.gleif_exceptions.values("category")
        ).update(entity=existing)
        changed = []
        for attr in ("lei", "uscc", "wikidata_id"):
            if getattr(imported, attr) and not getattr(existing, attr):
                setattr(existing, attr, getattr(imported, attr))
                setattr(imported, attr, "")
                changed.append(attr)
        aliases = list(existing.aliases or [])
        for name in [imported.name, *(imported.aliases or [])]:
            if name and name != existing.name and name not in aliases:
                aliases.append(name)
        existing.aliases = aliases
        MatchCandidate.objects.filter(imported=imported).exclude(pk=candidate.pk).delete()
        if changed:
            imported.save(update_fields=changed)  # free the identifiers before taking them
        existing.save()
        MatchCandidate.objects.filter(pk=candidate.pk).update(imported=None)
        imported.delete()
    return existing


def match_reject(*, candidate: MatchCandidate, actor) -> None:
    """Reject a name match: both entities stay separate; re-imports find the imported one by
    its record id and raise no new candidate."""
    updated = MatchCandidate.objects.filter(
        pk=candidate.pk, status=MatchCandidate.Status.OPEN
    ).update(status=MatchCandidate.Status.REJECTED, resolved_by=actor, resolved_at=timezone.now())
    if not updated:
        raise AlreadyResolved(f"Match candidate #{candidate.pk} was already resolved.")
