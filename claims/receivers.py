"""Claims' side of archiving: when a snapshot ends, update the evidence that cites it.

Connected in ClaimsConfig.ready(). `sources` sends the signals and knows nothing of claims.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from claims.hints import compute_hints
from claims.models import Claim, Evidence
from sources.models import Snapshot


def _earlier_ids(snapshot: Snapshot) -> list[int]:
    ids: list[int] = []
    current = snapshot.previous
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = current.previous
    return ids


def on_snapshot_archived(sender, snapshot: Snapshot, **kwargs) -> None:
    """Point evidence at the newest archived snapshot of its URL and compute its hints.

    Hints are computed with no transaction open (a long text takes a while and must not hold
    locks); each evidence's hints are then written in a short transaction of its own, only
    while the evidence still cites this snapshot."""
    now = timezone.now()
    earlier = _earlier_ids(snapshot)
    if earlier:
        # A re-check ended archived: evidence follows it (earlier snapshots are kept). One
        # UPDATE, atomic by itself.
        Evidence.objects.filter(snapshot_id__in=earlier).update(snapshot=snapshot, updated_at=now)
    evidence = list(
        Evidence.objects.filter(snapshot=snapshot).select_related("claim", "claim__origin")
    )
    if not evidence:
        return  # nothing cites it (yet)
    text = "\n".join(part for part in (snapshot.title, snapshot.text) if part)
    for item in evidence:
        hints = compute_hints(
            text=text,
            figures=item.claim.figures,
            origin=item.claim.origin,
            snapshot_id=snapshot.pk,
        )
        if earlier:
            hints["drift"] = {
                "status": snapshot.drift or "unchanged",
                "snapshot": snapshot.pk,
                "previous": earlier[0],
                "checked_at": now.isoformat(),
            }
        with transaction.atomic():
            # Moved on to a newer snapshot meanwhile: that snapshot's hints stand.
            if Evidence.objects.filter(pk=item.pk, snapshot=snapshot).update(
                hints=hints, updated_at=timezone.now()
            ):
                Claim.objects.filter(pk=item.claim_id).update(updated_at=timezone.now())


def on_snapshot_failed(sender, snapshot: Snapshot, **kwargs) -> None:
    """A re-check found the source gone (404/410): flag the evidence, which keeps pointing at
    its last archived copy (that copy still shows what the source said)."""
    if snapshot.drift != Snapshot.Drift.VANISHED:
        return
    now = timezone.now()
    earlier = _earlier_ids(snapshot)
    with transaction.atomic():
        evidence = list(Evidence.objects.select_for_update().filter(snapshot_id__in=earlier))
        for item in evidence:
            hints = dict(item.hints or {})
            hints["drift"] = {
                "status": "vanished",
                "snapshot": snapshot.pk,
                "error": snapshot.error,
                "checked_at": now.isoformat(),
            }
            Evidence.objects.filter(pk=item.pk).update(hints=hints, updated_at=now)
        if evidence:
            Claim.objects.filter(pk__in={e.claim_id for e in evidence}).update(updated_at=now)
