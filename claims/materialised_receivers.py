"""The receivers that keep the stored suggestions (claims/materialised.py) current: every
write that can change a claim's suggestion (an ownership edge, an entity, evidence, a claim, a
snapshot, a register import) refreshes the rows it touches. Connected once from
ClaimsConfig.ready(), after claims.receivers."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from claims.materialised import (
    _deferred,
    _lock_state,
    suggestions_rebuild,
    suggestions_refresh,
    suggestions_refresh_under,
)
from claims.models import Article, Claim, Evidence
from ownership.chains import register_version
from ownership.models import Entity, Ownership
from ownership.signals import register_changed
from sources.models import Snapshot
from sources.signals import snapshot_archived, snapshot_failed, snapshot_state_written

# --- receivers (connected in ClaimsConfig.ready) --------------------------------------------------
_BEFORE = "_reex_graph_before"


def _graph_before(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    setattr(instance, _BEFORE, register_version())


def on_ownership_changed(sender, instance: Ownership, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    suggestions_refresh_under(
        [instance.owned_id, getattr(instance, "_reex_owned_before", None)],
        graph_before=getattr(instance, _BEFORE, None),
    )


def on_ownership_pre_save(sender, instance: Ownership, **kwargs) -> None:
    _graph_before(sender, instance, **kwargs)
    if instance.pk is not None:
        instance._reex_owned_before = (
            Ownership.objects.filter(pk=instance.pk).values_list("owned_id", flat=True).first()
        )


def on_entity_changed(sender, instance: Entity, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    suggestions_refresh_under([instance.pk], graph_before=getattr(instance, _BEFORE, None))


def on_evidence_changed(sender, instance: Evidence, **kwargs) -> None:
    if kwargs.get("raw") or _deleting_claims(kwargs.get("origin")):
        return
    suggestions_refresh([instance.claim_id])


def _deleting_claims(origin) -> bool:
    """The deletion that removes this evidence removes its claim too (a claim or an article
    deleted): its stored row goes with it, and writing one again would break the cascade."""
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model in (Claim, Article)


def on_claim_pre_save(sender, instance: Claim, **kwargs) -> None:
    """Inside a transaction, lock the suggestion state before the claim's row: every write
    that touches claims' `changed_at` holds the state first (`_write`), so a claim saved
    (its row locked, then refreshed) and a register edit (the state locked, then the claims
    under it touched) never wait on each other in a circle. Outside one, the save commits
    (and releases its row) before its refresh starts."""
    if not kwargs.get("raw") and connection.in_atomic_block and not getattr(_deferred, "depth", 0):
        _lock_state()


def on_claim_saved(sender, instance: Claim, **kwargs) -> None:
    if not kwargs.get("raw"):
        suggestions_refresh([instance.pk], touch=False)  # the save set `changed_at` itself


def on_snapshot_state_written(sender, snapshot_ids: list[int], **kwargs) -> None:
    """A snapshot's state changed (reserved, archived, failed, pending again), inside the
    writing transaction: the claims citing it are rewritten in the same commit, so a read
    right after it finds their rows current."""
    suggestions_refresh(
        Evidence.objects.filter(snapshot_id__in=snapshot_ids).values_list("claim_id", flat=True)
    )


def on_snapshot_changed(sender, instance=None, snapshot=None, **kwargs) -> None:
    """A snapshot saved (post_save) or settled (sources' snapshot signals, after the evidence
    receivers moved evidence onto it): the claims citing it."""
    if kwargs.get("raw"):
        return
    snapshot = snapshot or instance
    suggestions_refresh(
        Evidence.objects.filter(snapshot_id=snapshot.pk).values_list("claim_id", flat=True)
    )


def on_register_changed(sender, **kwargs) -> None:
    suggestions_rebuild()


def connect() -> None:
    """Called once from ClaimsConfig.ready()."""
    uid = "claims-materialised-"
    pre_save.connect(on_ownership_pre_save, sender=Ownership, dispatch_uid=uid + "own-pre")
    pre_delete.connect(_graph_before, sender=Ownership, dispatch_uid=uid + "own-pre-del")
    post_save.connect(on_ownership_changed, sender=Ownership, dispatch_uid=uid + "own")
    post_delete.connect(on_ownership_changed, sender=Ownership, dispatch_uid=uid + "own-del")
    pre_save.connect(_graph_before, sender=Entity, dispatch_uid=uid + "ent-pre")
    pre_delete.connect(_graph_before, sender=Entity, dispatch_uid=uid + "ent-pre-del")
    post_save.connect(on_entity_changed, sender=Entity, dispatch_uid=uid + "ent")
    post_delete.connect(on_entity_changed, sender=Entity, dispatch_uid=uid + "ent-del")
    post_save.connect(on_evidence_changed, sender=Evidence, dispatch_uid=uid + "ev")
    post_delete.connect(on_evidence_changed, sender=Evidence, dispatch_uid=uid + "ev-del")
    pre_save.connect(on_claim_pre_save, sender=Claim, dispatch_uid=uid + "claim-pre")
    post_save.connect(on_claim_saved, sender=Claim, dispatch_uid=uid + "claim")
    post_save.connect(on_snapshot_changed, sender=Snapshot, dispatch_uid=uid + "snap")
    snapshot_state_written.connect(on_snapshot_state_written, dispatch_uid=uid + "state")
    snapshot_archived.connect(on_snapshot_changed, dispatch_uid=uid + "archived")
    snapshot_failed.connect(on_snapshot_changed, dispatch_uid=uid + "failed")
    register_changed.connect(on_register_changed, dispatch_uid=uid + "register")
