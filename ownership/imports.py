"""What every ownership import shares: matching organisations to the register, writing edges
with their provenance, conflicts with other sources' edges, and the summary.

The formats (ownership/ftm.py, ownership/gleif.py) parse and validate a whole file first, into
`OrgRecord` and `EdgeRecord` values, and refuse it naming the line before anything is written;
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
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from anyascii import anyascii
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
from ownership.signals import register_changed

#: Our own export ids: `reex-<slug>` names the entity with that slug.
OWN_ID_PREFIX = "reex-"
#: How a conflict between two records of one file begins (`ImportSession.file_conflict`).
IN_FILE_DISAGREEMENT = "two records of this file disagree"


class ImportRefused(Exception):
    """The file is malformed; the message names the line (or record). Nothing was written."""


@dataclass(slots=True)  # slots: a file of 100,000 records holds 100,000 of these
class OrgRecord:
    """One organisation as a file states it."""

    key: str  # the record id in the file (FtM id, LEI)
    name: str
    kind: str = Entity.Kind.PRIVATE_COMPANY
    country: str = ""
    aliases: list[str] = field(default_factory=list)
    lei: str = ""
    uscc: str = ""
    wikidata_id: str = ""
    domains: list[str] = field(default_factory=list)
    basis: str = ""
    public_role: str = ""
    topics: list[str] = field(default_factory=list)
    line: int = 0


@dataclass(slots=True)
class EdgeValues:
    """What an edge says; compared field by field with an existing edge."""

    stake_pct: Decimal | None = None
    stake_min: Decimal | None = None
    stake_min_exclusive: bool = False
    stake_max: Decimal | None = None
    stake_max_exclusive: bool = False
    interest_level: str = Ownership.Level.DIRECT
    controlling: bool = False
    confirmed: bool = False
    citation_url: str = ""
    as_of: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    basis: str = ""
    nature: str = Ownership.Nature.OWNERSHIP

    def fields(self) -> dict:
        """The values by field name (a shallow `asdict`: no deep copy of every Decimal)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def as_json(self) -> dict:
        return {
            k: (str(v) if isinstance(v, Decimal | date) else v) for k, v in self.fields().items()
        }

    @classmethod
    def from_json(cls, data: dict) -> EdgeValues:
        """The inverse of `as_json` (an `OwnershipConflict.imported`), every field parsed by its
        `Ownership` model field. A field the data lacks, or holds empty (a conflict recorded
        before the field existed), takes its default here."""
        return cls(
            **{
                name: Ownership._meta.get_field(name).to_python(data[name])
                for name in cls.__dataclass_fields__
                if data.get(name) not in (None, "")
            }
        )


@dataclass(slots=True)
class EdgeRecord:
    owner_key: str
    owned_key: str
    values: EdgeValues
    record: str = ""  # the record id (FtM Ownership id, GLEIF relationship)
    line: int = 0
    source_detail: dict = field(default_factory=dict)  # provenance as stated (BODS source)


@dataclass
class ImportSummary:
    entities_added: int = 0
    entities_matched: int = 0
    entities_updated: int = 0
    added: int = 0
    unchanged: int = 0
    updated: int = 0
    conflicts: int = 0
    candidates: int = 0
    merged: int = 0
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def changed_register(self) -> bool:
        """Did the import add or change entities or edges (conflicts and candidates do not)?"""
        return bool(self.entities_added or self.entities_updated or self.added or self.updated)

    def line(self) -> str:
        text = (
            f"{self.added} added, {self.unchanged} unchanged, {self.updated} updated, "
            f"{self.conflicts} conflicts, {self.candidates} candidates "
            f"(edges); entities: {self.entities_added} added, {self.entities_matched} matched"
            f" ({self.entities_updated} given new identifiers or domains)"
        )
        if self.merged:
            text += f"; {self.merged} repeated records of a pair merged into its edge"
        if self.skipped:
            text += "; skipped: " + ", ".join(
                f"{n} {why}" for why, n in sorted(self.skipped.items())
            )
        return text


_LEGAL_SUFFIXES = {
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "sa",
    "ag",
    "gmbh",
    "the",
}


def normalise_name(name: str) -> str:
    """Lowercase, accents and punctuation off, legal-form words off: "Baotou Steel (Group) Co.,
    Ltd." and "baotou steel group" normalise alike. CJK characters are kept as they are."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w]+", " ", text)
    words = [w for w in text.split() if w not in _LEGAL_SUFFIXES]
    return " ".join(words)


def transliterated_slug(name: str) -> str:
    """A slug in ASCII for a name in any script (anyascii): "Иван Петров" → "ivan-petrov",
    "中国稀土" → "zhong-guo-xi-tu" (each CJK character a syllable of its own)."""
    parts = []
    for ch in name or "":
        if ord(ch) < 128:
            parts.append(ch)
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            parts.append(f" {anyascii(ch)} ")
        else:
            parts.append(anyascii(ch))
    return slugify("".join(parts))


def domain_of(value: str) -> str:
    """A bare lowercase host from a URL or domain ("https://www.X.com/a" → "x.com")."""
    value = (value or "").strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    value = value.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    return value.removeprefix("www.")


def _effective_control(values: EdgeValues) -> bool:
    return values.controlling or (values.stake_pct is not None and values.stake_pct > 50)


def _values_of(edge: Ownership) -> EdgeValues:
    return EdgeValues(
        stake_pct=edge.stake_pct,
        stake_min=edge.stake_min,
        stake_min_exclusive=edge.stake_min_exclusive,
        stake_max=edge.stake_max,
        stake_max_exclusive=edge.stake_max_exclusive,
        interest_level=edge.interest_level,
        controlling=edge.controlling,
        confirmed=edge.confirmed,
        citation_url=edge.citation_url,
        as_of=edge.as_of,
        start_date=edge.start_date,
        end_date=edge.end_date,
        basis=edge.basis,
        nature=edge.nature,
    )


def disagreements(editor: EdgeValues, imported: EdgeValues) -> list[str]:
    """What an imported edge says against an existing one, in words (empty: they agree).
    A stake one side does not know, another citation or another basis is no disagreement."""
    out = []
    if (
        editor.stake_pct is not None
        and imported.stake_pct is not None
        and abs(editor.stake_pct - imported.stake_pct) > Decimal("0.001")
    ):
        out.append(f"stake {editor.stake_pct}% here, {imported.stake_pct}% imported")
    if _effective_control(editor) != _effective_control(imported):
        here = "confers control" if _effective_control(editor) else "does not confer control"
        out.append(f"the edge {here} here, the import says the opposite")
    # Nature is no disagreement: a shareholding an editor typed and the consolidation a
    # registry reports are two compatible facts about one edge.
    if imported.end_date and imported.end_date != editor.end_date:
        out.append(f"the import says it ended on {imported.end_date}")
    return out


def merge_values(first: EdgeValues, other: EdgeValues) -> tuple[EdgeValues, list[str]]:
    """Two records of one owner/owned pair in one file, merged field by field: the fuller value
    wins (a stake over none, control or confirmation stated by either, the later as-of date,
    both bases). Two different stakes, start dates or end dates are a real disagreement: the
    first record's value stays and the disagreement is returned in words."""
    diffs: list[str] = []

    def one(name: str, a, b, same=lambda a, b: a == b):
        if a is None or a == "":
            return b
        if b is None or b == "" or same(a, b):
            return a
        diffs.append(f"{name} {a} and {b}")
        return a

    stake = one(
        "stake (%)", first.stake_pct, other.stake_pct, lambda a, b: abs(a - b) <= Decimal("0.001")
    )
    as_of = max((d for d in (first.as_of, other.as_of) if d), default=None)
    basis = "\n".join(dict.fromkeys(b for b in (first.basis, other.basis) if b))
    nature = (
        Ownership.Nature.OWNERSHIP
        if Ownership.Nature.OWNERSHIP in (first.nature, other.nature)
        else first.nature
    )
    merged = EdgeValues(
        stake_pct=stake,
        controlling=first.controlling or other.controlling,
        confirmed=first.confirmed or other.confirmed,
        citation_url=first.citation_url or other.citation_url,
        as_of=as_of,
        start_date=one("start date", first.start_date, other.start_date),
        end_date=one("end date", first.end_date, other.end_date),
        basis=basis,
        nature=nature,
    )
    return merged, diffs


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
