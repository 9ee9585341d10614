"""Writes on ownership that an editor decides: import conflicts, name matches, and an
editor's change to an imported edge (which makes the edge the editor's).

Bulk imports write through `ownership.imports` (one run's batched writes, with its own report).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ownership.models import (
    Domain,
    Entity,
    ExternalRecord,
    MatchCandidate,
    Ownership,
    OwnershipConflict,
    ReportingException,
)
from ownership.records import IN_FILE_DISAGREEMENT, EdgeValues


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
            # Every field an import writes on an edge (ownership.records.EdgeValues).
            for name, value in EdgeValues.from_json(conflict.imported).fields().items():
                setattr(edge, name, value)
            edge.source = conflict.source
            edge.source_file = conflict.source_file
            edge.source_record = conflict.source_record
            edge.imported_at = timezone.now()
            if conflict.differences.startswith(IN_FILE_DISAGREEMENT):
                # The editor chose between two records of one file: the choice is the
                # editor's, so re-importing that file (whose first record stands) cannot undo it.
                edge.imported_from, edge.source = edge.source, Ownership.Source.EDITOR
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


#: What an edge says (an editor changing any of these takes the edge over from its import).
EDGE_STATEMENT_FIELDS = frozenset(
    {
        "owner",
        "owned",
        "stake_pct",
        "controlling",
        "confirmed",
        "citation_url",
        "as_of",
        "basis",
        "nature",
        "start_date",
        "end_date",
    }
)


def edge_taken_over(*, edge: Ownership, changed: Iterable[str]) -> bool:
    """An editor is saving `changed` fields of `edge` (the admin calls this before its save):
    an imported edge becomes the editor's (`source = editor`), its import kept as provenance
    (`imported_from`, `source_file`, `source_record`, `imported_at` stay). A later import
    that disagrees then opens a conflict instead of writing over the editor's word. Returns
    whether the edge was taken over."""
    if edge.pk is None or edge.source == Ownership.Source.EDITOR:
        return False
    if not EDGE_STATEMENT_FIELDS & set(changed):
        return False
    edge.imported_from = edge.source
    edge.source = Ownership.Source.EDITOR
    return True
