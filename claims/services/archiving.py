"""What archiving changes on evidence (called by claims.receivers): an archived snapshot's
evidence and hints, a re-check that found the source gone."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from claims.hints import DriftHint, EvidenceHints, hints_for_text
from claims.models import Claim, Evidence
from sources.models import Snapshot

# --- What archiving and the domain register change on evidence (claims.receivers) ---------


def _earlier_snapshot_ids(snapshot: Snapshot) -> list[int]:
    """The snapshots this re-check follows, newest first (a broken chain is not followed twice)."""
    ids: list[int] = []
    current = snapshot.previous
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = current.previous
    return ids


def evidence_follow_archived(*, snapshot: Snapshot) -> None:
    """A snapshot ended `archived`: point evidence at the newest archived snapshot of its URL
    and compute its hints.

    Hints are computed with no transaction open (a long text takes a while and must not hold
    locks); each evidence's hints are then written in a short transaction of its own, only
    while the evidence still cites this snapshot."""
    now = timezone.now()
    earlier = _earlier_snapshot_ids(snapshot)
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
        hints = hints_for_text(
            text=text,
            figures=item.claim.figures,
            origin=item.claim.origin,
            snapshot_id=snapshot.pk,
        )
        if earlier:
            hints = hints.with_drift(
                DriftHint(
                    status=snapshot.drift or "unchanged",
                    snapshot=snapshot.pk,
                    previous=earlier[0],
                    checked_at=now.isoformat(),
                )
            )
        with transaction.atomic():
            # Moved on to a newer snapshot meanwhile: that snapshot's hints stand.
            if Evidence.objects.filter(pk=item.pk, snapshot=snapshot).update(
                hints=hints.to_json(), updated_at=timezone.now()
            ):
                Claim.objects.filter(pk=item.claim_id).touch()


def evidence_flag_vanished(*, snapshot: Snapshot) -> None:
    """A re-check found the source gone (404/410): flag the evidence, which keeps pointing at
    its last archived copy (that copy still shows what the source said). Other failures change
    nothing on evidence."""
    if snapshot.drift != Snapshot.Drift.VANISHED:
        return
    now = timezone.now()
    earlier = _earlier_snapshot_ids(snapshot)
    drift = DriftHint(
        status=Snapshot.Drift.VANISHED,
        snapshot=snapshot.pk,
        error=snapshot.error,
        checked_at=now.isoformat(),
    )
    with transaction.atomic():
        evidence = list(Evidence.objects.select_for_update().filter(snapshot_id__in=earlier))
        for item in evidence:
            hints = EvidenceHints.from_json(item.hints).with_drift(drift)
            Evidence.objects.filter(pk=item.pk).update(hints=hints.to_json(), updated_at=now)
        if evidence:
            Claim.objects.filter(pk__in={e.claim_id for e in evidence}).touch(updated_at=now)
