"""What every ownership import shares: matching organisations to the register, writing edges
with their provenance, conflicts with other sources' edges, and the summary.

The formats (ownership/ftm.py, ownership/gleif.py) parse and validate a whole file first, into
`OrgRecord` and `EdgeRecord` values (ownership/records.py), and refuse it naming the line before
anything is written;
then one `ImportSession` writes everything inside one transaction.

Rules (docs/ownership-data.md says the same in words):

* An organisation is matched by identifiers first: the import's own record id seen before
  (`ExternalRecord`), our own export id (`reex-<slug>`), LEI, USCC, Wikidata id, then a web
  domain. A match fills the entity's blank identifiers and adds unregistered domains; it never
  changes what an editor wrote (name, kind, country, basis).
* Otherwise a new entity is created; when its normalised name (or an alias) equals that of an
  existing entity a `MatchCandidate` is recorded for an editor (never merged blindly).
* An edge owner → owned that does not exist is added with its provenance. An edge written
  earlier by the same source is updated when the file says something else. An edge of any other
  source (an editor's, or another import's) is never changed: when the import disagrees with it
  (stake, control, end date) an `OwnershipConflict` is recorded, once.
* Re-importing the same file writes nothing: "0 added, N unchanged".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ownership import bulk
from ownership.models import (
    Domain,
    Entity,
    ExternalRecord,
    MatchCandidate,
    Ownership,
    OwnershipConflict,
)
from ownership.records import (
    IN_FILE_DISAGREEMENT,
    OWN_ID_PREFIX,
    EdgeRecord,
    EdgeValues,
    ImportRefused,
    ImportSummary,
    OrgRecord,
    _values_of,
    disagreements,
    merge_values,
    normalise_name,
    transliterated_slug,
)
from ownership.signals import register_changed


def pair_key(owner_id: int, owned_id: int) -> int:
    """One int for an (owner, owned) pair: 150,000 tuple keys, twice (edges and seen pairs),
    were some 20 MiB."""
    return owner_id << 40 | owned_id


class _EdgeRow:
    """An existing edge as the session compares it: its id and the fields `_values_of` and
    `put_edge` read, without a model instance (a register of 150,000 edges as instances took
    some 250 MiB). The instance is loaded only to update it."""

    FIELDS = ("source", "source_detail", *EdgeValues.__dataclass_fields__)
    __slots__ = ("pk", *FIELDS)

    def __init__(self, pk: int, *values) -> None:
        self.pk = pk
        for name, value in zip(self.FIELDS, values, strict=True):
            setattr(self, name, value)

    @classmethod
    def load(cls) -> Iterator[tuple[int, _EdgeRow]]:
        """Every edge, keyed by `pair_key(owner id, owned id)`. Equal `source_detail`s share one dict (a
        BODS file's 150,000 relationships have a handful of sources)."""
        shared: dict[str, dict] = {}
        rows = Ownership.objects.values_list("pk", "owner_id", "owned_id", *cls.FIELDS)
        for pk, owner_id, owned_id, source, detail, *values in rows.iterator(chunk_size=5000):
            detail = shared.setdefault(json.dumps(detail, sort_keys=True), detail)
            yield pair_key(owner_id, owned_id), cls(pk, source, detail, *values)


class ImportSession:
    """Writes one parsed file. Loads the register once (a few queries; existing edges as
    slotted rows, not model instances), then matches in memory; new rows are collected and
    written in bulk (`flush_entities`, `flush_edges`: `ownership.bulk.insert`, a COPY on
    PostgreSQL), so a file of 100,000 entities costs a few dozen statements, not a lookup and
    an insert per row."""

    BATCH = 1000

    def __init__(self, *, source: str, file_name: str) -> None:
        self.source = source
        self.file_name = file_name[:255]
        self.now = timezone.now()
        self.summary = ImportSummary()
        self.by_id: dict[int, Entity] = {}
        self.by_slug: dict[str, Entity] = {}
        self.by_lei: dict[str, Entity] = {}
        self.by_uscc: dict[str, Entity] = {}
        self.by_wikidata: dict[str, Entity] = {}
        self.by_name: dict[str, Entity] = {}
        # In chunks (a server-side cursor on PostgreSQL): the whole result set at once was
        # tens of MiB on top of the instances for a register of 100,000 entities.
        for e in Entity.objects.order_by("pk").iterator(chunk_size=5000):
            self._index(e)
        self.domains: dict[str, Entity] = {
            d: self.by_id[eid] for d, eid in Domain.objects.values_list("domain", "entity_id")
        }
        self.external: dict[str, Entity] = {
            key: self.by_id[eid]
            for key, eid in ExternalRecord.objects.filter(source=source).values_list(
                "key", "entity_id"
            )
        }
        self.edges: dict[int, _EdgeRow] = dict(_EdgeRow.load())
        # Conflicts already recorded: (edge id, imported values as canonical JSON).
        self.known_conflicts: set[tuple[int, str]] = {
            (c.ownership_id, _canon(c.imported))
            for c in OwnershipConflict.objects.filter(source=source)
        }
        self.resolved: dict[str, Entity] = {}
        self.seen_pairs: set[int] = set()  # pair_key()s
        # Rows to write in batches.
        self._new_entities: list[Entity] = []
        self._new_external: list[tuple[str, Entity, bool]] = []
        self._new_domains: list[tuple[str, Entity]] = []
        self._new_candidates: list[tuple[Entity, Entity, str]] = []
        self._new_edges: list[Ownership] = []

    def _index(self, e: Entity) -> None:
        if e.pk is not None:
            self.by_id[e.pk] = e
        self.by_slug[e.slug] = e
        if e.lei:
            self.by_lei[e.lei] = e
        if e.uscc:
            self.by_uscc[e.uscc] = e
        if e.wikidata_id:
            self.by_wikidata[e.wikidata_id] = e
        for n in [e.name, *(e.aliases or [])]:
            self.by_name.setdefault(normalise_name(str(n)), e)

    # ------------------------------------------------------------------ entities
    def match(self, rec: OrgRecord) -> tuple[Entity | None, str]:
        """The existing entity this record names, by identifiers only, and by which one."""
        if rec.key in self.external:
            return self.external[rec.key], "seen in an earlier import"
        if rec.key.startswith(OWN_ID_PREFIX) and rec.key[len(OWN_ID_PREFIX) :] in self.by_slug:
            return self.by_slug[rec.key[len(OWN_ID_PREFIX) :]], "reex id"
        for attr, index in (
            ("lei", self.by_lei),
            ("uscc", self.by_uscc),
            ("wikidata_id", self.by_wikidata),
        ):
            value = getattr(rec, attr)
            if value and value in index:
                return index[value], attr
        for d in rec.domains:
            if d in self.domains:
                return self.domains[d], f"domain {d}"
        return None, ""

    def put_entity(self, rec: OrgRecord) -> Entity:
        entity, _how = self.match(rec)
        created = entity is None
        if entity is None:
            entity = self._create(rec)
        else:
            self.summary.entities_matched += 1
            self._fill_blanks(entity, rec)
        if rec.key not in self.external:
            self._new_external.append((rec.key[:255], entity, created))
            self.external[rec.key] = entity
        self.resolved[rec.key] = entity
        return entity

    def _free_slug(self, rec: OrgRecord) -> str:
        if rec.key.startswith(OWN_ID_PREFIX):
            wanted = slugify(rec.key[len(OWN_ID_PREFIX) :])[:100]
            if wanted and wanted not in self.by_slug:
                return wanted
        base = transliterated_slug(rec.name)[:90].strip("-") or "entity"
        slug, n = base, 1
        while slug in self.by_slug:
            n += 1
            slug = f"{base}-{n}"
        return slug

    def _create(self, rec: OrgRecord) -> Entity:
        same_name = self.by_name.get(normalise_name(rec.name))
        if same_name is None:
            for alias in rec.aliases:
                same_name = self.by_name.get(normalise_name(alias))
                if same_name:
                    break
        entity = Entity(
            name=rec.name[:255],
            slug=self._free_slug(rec),
            kind=rec.kind,
            country=rec.country,
            aliases=rec.aliases,
            basis=rec.basis,
            lei=rec.lei if rec.lei not in self.by_lei else "",
            uscc=rec.uscc if rec.uscc not in self.by_uscc else "",
            wikidata_id=rec.wikidata_id if rec.wikidata_id not in self.by_wikidata else "",
            public_role=rec.public_role,
            topics=rec.topics,
        )
        self._new_entities.append(entity)
        self.summary.entities_added += 1
        if same_name is not None:
            reason = f"same normalised name “{normalise_name(rec.name)}”"
            self._new_candidates.append((entity, same_name, reason))
            self.summary.candidates += 1
        self._index(entity)
        self._add_domains(entity, rec)
        return entity

    def _add_domains(self, entity: Entity, rec: OrgRecord) -> bool:
        added = False
        for d in rec.domains:
            if not d:
                continue
            owner = self.domains.get(d)
            if owner is None:
                self._new_domains.append((d, entity))
                self.domains[d] = entity
                added = True
            elif owner is not entity:
                self.summary.notes.append(f"{rec.name}: domain {d} stays with {owner.name}")
        return added

    def _fill_blanks(self, entity: Entity, rec: OrgRecord) -> None:
        changed = []
        for attr, index in (
            ("lei", self.by_lei),
            ("uscc", self.by_uscc),
            ("wikidata_id", self.by_wikidata),
        ):
            value = getattr(rec, attr)
            if value and not getattr(entity, attr) and value not in index:
                setattr(entity, attr, value)
                index[value] = entity
                changed.append(attr)
        for attr in ("public_role", "topics"):
            if getattr(rec, attr) and not getattr(entity, attr):
                setattr(entity, attr, getattr(rec, attr))
                changed.append(attr)
        if changed and entity.pk is not None:  # a new entity is written with its fields
            entity.save(update_fields=[*changed, "updated_at"])
        if self._add_domains(entity, rec) or changed:
            self.summary.entities_updated += 1

    def flush_entities(self) -> None:
        """Write the new entities, then what names them (records, domains, candidates)."""
        bulk.insert(self._new_entities)
        for e in self._new_entities:
            self.by_id[e.pk] = e
        bulk.insert(
            [
                ExternalRecord(
                    source=self.source,
                    key=k,
                    entity=e,
                    source_file=self.file_name,
                    created_entity=created,
                )
                for k, e, created in self._new_external
            ]
        )
        bulk.insert(
            [
                Domain(domain=d, entity=e, note=f"from {self.file_name}")
                for d, e in self._new_domains
            ]
        )
        MatchCandidate.objects.bulk_create(
            [
                MatchCandidate(
                    imported=new,
                    imported_name=new.name,
                    existing=old,
                    source=self.source,
                    source_file=self.file_name,
                    reason=reason,
                )
                for new, old, reason in self._new_candidates
            ],
            batch_size=self.BATCH,
        )
        self._new_entities, self._new_external = [], []
        self._new_domains, self._new_candidates = [], []

    def flush_edges(self) -> None:
        bulk.insert(self._new_edges)
        self._new_edges = []

    def file_conflict(
        self, *, owner: Entity, owned: Entity, kept: EdgeRecord, other: EdgeRecord, diffs: list[str]
    ) -> None:
        """Two records of this file disagree on one pair: the edge keeps the first record's
        value and an `OwnershipConflict` holds the other's, for an editor (once per values)."""
        row = self.edges.get(pair_key(owner.pk, owned.pk))
        # A new edge is not kept in `self.edges`: it is read back (disputes are few).
        edge_pk = (
            row.pk
            if row is not None
            else Ownership.objects.filter(owner=owner, owned=owned)
            .values_list("pk", flat=True)
            .first()
        )
        if edge_pk is None:
            return
        imported = other.values.as_json()
        if (edge_pk, _canon(imported)) in self.known_conflicts:
            return
        OwnershipConflict.objects.create(
            ownership_id=edge_pk,
            source=self.source,
            source_file=self.file_name,
            source_record=other.record[:255],
            imported=imported,
            differences=(
                f"{IN_FILE_DISAGREEMENT}: {'; '.join(diffs)} "
                f"(line {kept.line} is kept, line {other.line} says otherwise)"
            ),
        )
        self.known_conflicts.add((edge_pk, _canon(imported)))
        self.summary.conflicts += 1

    # ------------------------------------------------------------------ edges
    def put_edge(
        self,
        *,
        owner: Entity,
        owned: Entity,
        values: EdgeValues,
        record: str,
        source_detail: dict | None = None,
    ) -> None:
        if owner.pk == owned.pk:
            self.summary.skipped["self-ownership edges"] += 1
            return
        key = pair_key(owner.pk, owned.pk)
        if key in self.seen_pairs:
            # One edge per pair: the file's first record of a pair stands (so a re-import
            # compares against the same record and changes nothing).
            self.summary.skipped["repeated edges of one pair in the file"] += 1
            return
        self.seen_pairs.add(key)
        edge = self.edges.get(key)
        if edge is None:
            edge = Ownership(
                owner=owner,
                owned=owned,
                **values.fields(),
                source=self.source,
                source_file=self.file_name,
                source_record=record[:255],
                source_detail=source_detail or {},
                imported_at=self.now,
            )
            # Not kept in self.edges: `seen_pairs` already stops a second record of the pair.
            self._new_edges.append(edge)
            if len(self._new_edges) >= 5 * self.BATCH:
                self.flush_edges()  # the new entities are written already: their pks exist
            self.summary.added += 1
            return
        current = _values_of(edge)
        if edge.source == self.source:
            if current == values and edge.source_detail == (source_detail or {}):
                self.summary.unchanged += 1
                return
            edge = Ownership.objects.get(pk=edge.pk)
            for name, value in values.fields().items():
                setattr(edge, name, value)
            edge.source_detail = source_detail or {}
            edge.source_file, edge.source_record = self.file_name, record[:255]
            edge.imported_at = self.now
            edge.save()
            self.summary.updated += 1
            return
        differences = disagreements(current, values)
        if not differences:
            self.summary.unchanged += 1
            return
        imported = values.as_json()
        if (edge.pk, _canon(imported)) in self.known_conflicts:
            self.summary.unchanged += 1
            return
        OwnershipConflict.objects.create(
            ownership_id=edge.pk,
            source=self.source,
            source_file=self.file_name,
            source_record=record[:255],
            imported=imported,
            differences="; ".join(differences),
        )
        self.known_conflicts.add((edge.pk, _canon(imported)))
        self.summary.conflicts += 1


def _canon(data: dict) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def write_import(
    *,
    source: str,
    file_name: str,
    orgs: Iterable[OrgRecord],
    edges: Iterable[EdgeRecord],
    progress=None,
) -> ImportSummary:
    """Write parsed records in one transaction (all or nothing). `progress(iterable, total,
    desc)` wraps the loops (tqdm in commands). `orgs` is emptied once its entities are written
    (100,000 records are tens of MiB the edges' phase does not need)."""
    # The lists are consumed: the records of the entities are dropped (cleared in place, so a
    # caller's list lets go of them too) once the entities are written, before the edges.
    orgs = orgs if isinstance(orgs, list) else list(orgs)
    edges = edges if isinstance(edges, list) else list(edges)
    wrap = progress or (lambda it, total, desc: it)
    with transaction.atomic():
        session = ImportSession(source=source, file_name=file_name)
        for rec in wrap(orgs, len(orgs), "entities"):
            session.put_entity(rec)
        session.flush_entities()
        orgs.clear()
        # One edge per pair: a pair the file repeats is merged field by field first. Kept small
        # (150,000 pairs): the index of each pair's first record, and merged values only for
        # the pairs that repeat.
        first_of: dict[int, int] = {}  # pair_key -> index in `edges`
        merged: dict[int, EdgeValues] = {}
        disputes: list[tuple[Entity, Entity, EdgeRecord, EdgeRecord, list[str]]] = []

        known: dict[str, Entity | None] = {}  # keys the file names but does not describe

        def find(key: str) -> Entity | None:
            if key in session.resolved:
                return session.resolved[key]
            if key not in known:
                known[key] = _known(session, key)
            return known[key]

        def resolve(rec: EdgeRecord) -> tuple[Entity, Entity]:
            owner, owned = find(rec.owner_key), find(rec.owned_key)
            if owner is None or owned is None:
                missing = rec.owner_key if owner is None else rec.owned_key
                raise ImportRefused(
                    f"line {rec.line}: edge {rec.record or ''} names {missing!r}, which is "
                    "neither in the file nor known to the desk; nothing was imported"
                )
            return owner, owned

        for i, rec in enumerate(wrap(edges, len(edges), "edges")):
            owner, owned = resolve(rec)
            key = pair_key(owner.pk, owned.pk)
            if key not in first_of:
                first_of[key] = i
                continue
            first = edges[first_of[key]]
            values, diffs = merge_values(merged.get(key, first.values), rec.values)
            merged[key] = values
            session.summary.merged += 1
            if diffs:
                disputes.append((owner, owned, first, rec, diffs))
        for key, i in first_of.items():
            first = edges[i]
            owner, owned = resolve(first)
            session.put_edge(
                owner=owner,
                owned=owned,
                values=merged.get(key, first.values),
                record=first.record,
                source_detail=first.source_detail,
            )
        session.flush_edges()
        for owner, owned, kept, other, diffs in disputes:
            session.file_conflict(owner=owner, owned=owned, kept=kept, other=other, diffs=diffs)
        if session.summary.changed_register():
            # A no-op re-import leaves the stored suggestions as they are (rebuilding them
            # loads the whole control graph: a third of a 150,000-edge re-import's memory).
            register_changed.send(sender=__name__)
    return session.summary


def _known(session: ImportSession, key: str) -> Entity | None:
    """An entity the file names without describing it: by an earlier import's id, our own id,
    or an LEI (GLEIF files name entities by LEI only)."""
    if key in session.by_lei:
        return session.by_lei[key]
    entity, _ = session.match(OrgRecord(key=key, name=""))
    return entity
