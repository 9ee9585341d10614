"""FollowTheMoney (FtM) JSON lines in and out: what Aleph and OpenSanctions use.

Entities: Company / Organization / PublicBody / LegalEntity ↔ `Entity`; Ownership ↔
`Ownership`. Other schemata (Person, Address, Sanction...) are skipped and counted.

FtM lets only an Asset be owned (`Ownership.asset` has range Asset), and of our schemata only
`Company` is an Asset. So on export **an entity that is owned in the exported edges is written
as a Company** whatever its kind (a government body owned by its state becomes a Company with
topic `gov` and classification "Government body"); the kind travels in `classification` (the
kind's label) and in `topics`, and the importer reads it back from there before guessing from
the schema. See docs/ownership-data.md for the whole mapping.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from followthemoney import model
from followthemoney.exc import FollowTheMoneyException
from followthemoney.types import registry

from ownership.models import Entity, EntityKind, ExternalRecord, Ownership
from ownership.records import (
    OWN_ID_PREFIX,
    EdgeRecord,
    EdgeValues,
    ImportRefused,
    OrgRecord,
    domain_of,
)
from ownership.values import BadValue, checked_identifier, partial_date, percentage

ORG_SCHEMATA = {"Company", "Organization", "PublicBody", "LegalEntity"}

#: Kind → FtM topics written on export (and read back when no classification says the kind).
KIND_TOPICS: dict[str, list[str]] = {
    EntityKind.STATE: ["gov.national"],
    EntityKind.GOVERNMENT_BODY: ["gov"],
    EntityKind.SOE: ["gov.soe"],
}
#: Kind → the FtM schema of an entity that nothing owns in the export.
KIND_SCHEMA: dict[str, str] = {
    EntityKind.STATE: "PublicBody",
    EntityKind.GOVERNMENT_BODY: "PublicBody",
    EntityKind.SOE: "Company",
    EntityKind.PRIVATE_COMPANY: "Company",
    EntityKind.MEDIA_OUTLET: "Organization",
    EntityKind.DATA_PROVIDER: "Organization",
    EntityKind.RESEARCH_BODY: "Organization",
    EntityKind.PERSON: "Person",
}
_KIND_BY_WORD = {k.value: k.value for k in EntityKind} | {
    str(k.label).lower(): k.value for k in EntityKind
}
CONSOLIDATION_TYPE = "accounting consolidation"


def ownership_id(owner_slug: str, owned_slug: str) -> str:
    digest = hashlib.sha1(f"{owner_slug}>{owned_slug}".encode(), usedforsecurity=False)
    return f"{OWN_ID_PREFIX}own-{digest.hexdigest()[:20]}"


# ---------------------------------------------------------------------- export
def neighbourhood(*, entity: Entity, depth: int) -> tuple[list[Entity], list[Ownership]]:
    """The entities within `depth` edges of `entity` (owners and holdings alike) and the edges
    among them. Two queries per level."""
    seen = {entity.pk}
    frontier = deque([entity.pk])
    for _ in range(max(depth, 0)):
        if not frontier:
            break
        ids = list(frontier)
        frontier.clear()
        pairs = Ownership.objects.filter(owner_id__in=ids).values_list("owned_id", flat=True)
        pairs2 = Ownership.objects.filter(owned_id__in=ids).values_list("owner_id", flat=True)
        for other in [*pairs, *pairs2]:
            if other not in seen:
                seen.add(other)
                frontier.append(other)
    entities = list(Entity.objects.filter(pk__in=seen).prefetch_related("domains").order_by("slug"))
    edges = list(
        Ownership.objects.filter(owner_id__in=seen, owned_id__in=seen)
        .select_related("owner", "owned")
        .order_by("owner__slug", "owned__slug")
    )
    return entities, edges


def whole_graph() -> tuple[list[Entity], list[Ownership]]:
    entities = list(Entity.objects.prefetch_related("domains").order_by("slug"))
    edges = list(
        Ownership.objects.select_related("owner", "owned").order_by("owner__slug", "owned__slug")
    )
    return entities, edges


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def source_ids(entities: Iterable[Entity]) -> dict[int, str]:
    """Each entity's id in the export: the id of the FtM record it was created from, else our
    own `reex-<slug>` (an entity an editor made keeps ours, whatever file matched it later).
    One query."""
    entities = list(entities)
    ids = {e.pk: f"{OWN_ID_PREFIX}{e.slug}" for e in entities}
    first: dict[int, str] = {}
    for entity_id, key in (
        ExternalRecord.objects.filter(
            source=Ownership.Source.FTM, created_entity=True, entity_id__in=list(ids)
        )
        .order_by("created_at", "pk")
        .values_list("entity_id", "key")
    ):
        first.setdefault(entity_id, key)
    return ids | first


def edge_id(edge: Ownership, ids: dict[int, str]) -> str:
    """The FtM Ownership id the edge was imported under (kept after an editor's change), else
    one derived from both ends."""
    from_ftm = Ownership.Source.FTM in (edge.source, edge.imported_from)
    if from_ftm and edge.source_record:
        return edge.source_record
    return ownership_id(edge.owner.slug, edge.owned.slug)


def export_lines(*, entities: Iterable[Entity], edges: list[Ownership]) -> Iterator[str]:
    """FtM JSON lines: entities first, then ownership edges. Entities and edges imported from
    FtM keep the ids their file gave them."""
    entities = list(entities)
    ids = source_ids(entities)
    owned_ids = {e.owned_id for e in edges}
    for entity in entities:
        if entity.kind == EntityKind.PERSON:
            schema = "Person"
        else:
            schema = "Company" if entity.pk in owned_ids else KIND_SCHEMA[entity.kind]
        proxy = model.make_entity(schema)
        proxy.id = ids[entity.pk]
        proxy.add("name", entity.name)
        proxy.add("alias", [a for a in entity.aliases or [] if a])
        if entity.country:
            proxy.add("nationality" if schema == "Person" else "country", entity.country.lower())
        proxy.add("classification", str(entity.Kind(entity.kind).label))
        proxy.add(
            "topics",
            list(dict.fromkeys([*KIND_TOPICS.get(entity.kind, []), *(entity.topics or [])])),
        )
        if entity.public_role and schema == "Person":
            known = {ROLE_WORDS.get(t, "") for t in entity.topics or []}
            proxy.add("position", [r for r in entity.public_role.split("; ") if r not in known])
        if entity.kind == EntityKind.MEDIA_OUTLET:
            proxy.add("sector", "media")
        proxy.add("leiCode", entity.lei or None)
        proxy.add("uscCode", entity.uscc or None)
        proxy.add("wikidataId", entity.wikidata_id or None)
        proxy.add("website", [f"https://{d.domain}/" for d in entity.domains.all()])
        proxy.add("notes", entity.basis or None)
        yield json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True)
    for edge in edges:
        proxy = model.make_entity("Ownership")
        proxy.id = edge_id(edge, ids)
        proxy.add("owner", ids.get(edge.owner_id) or f"{OWN_ID_PREFIX}{edge.owner.slug}")
        proxy.add("asset", ids.get(edge.owned_id) or f"{OWN_ID_PREFIX}{edge.owned.slug}")
        if edge.stake_pct is not None:
            proxy.add("percentage", _number(edge.stake_pct))
        if edge.controlling:
            proxy.add("role", "controlling")
        if edge.nature == Ownership.Nature.CONSOLIDATION:
            proxy.add("ownershipType", CONSOLIDATION_TYPE)
        proxy.add("status", "confirmed" if edge.confirmed else "unconfirmed")
        proxy.add("date", edge.as_of.isoformat() if edge.as_of else None)
        proxy.add("startDate", edge.start_date.isoformat() if edge.start_date else None)
        proxy.add("endDate", edge.end_date.isoformat() if edge.end_date else None)
        proxy.add("sourceUrl", edge.citation_url or None)
        proxy.add("description", edge.basis or None)
        if edge.source != Ownership.Source.EDITOR:
            proxy.add("publisher", f"{edge.get_source_display()}: {edge.source_file}")
        elif edge.imported_from:
            proxy.add(
                "publisher", f"Editor, from {edge.get_imported_from_display()}: {edge.source_file}"
            )
        yield json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------------- import
#: Words of an Ownership's `role` or `ownershipType` that state control, compared whole (case
#: and spacing aside), never as substrings: "non-controlling interest" states no control.
#: BODS interest types that are control by definition are included (docs/ownership.md).
CONTROL_TERMS = frozenset(
    {
        "control",
        "controlling",
        "controlling interest",
        "controlling owner",
        "controlling shareholder",
        "controlling stake",
        "controller",
        "ultimate controller",
        "ultimate controlling party",
        "majority owner",
        "majority shareholder",
        "majority interest",
        "majority stake",
        "parent",
        "parent company",
        "direct parent",
        "ultimate parent",
        "appointment-of-board",
        "other-influence-or-control",
        "control-via-company-rules-or-articles",
        "control-by-legal-framework",
    }
)
CONSOLIDATION_TERMS = frozenset({CONSOLIDATION_TYPE, "consolidation", "consolidated subsidiary"})
PERSON_SCHEMATA = {"Person"}
#: FtM topics that state a public role, in the words shown beside a name.
ROLE_WORDS = {
    "role.pep": "politically exposed person",
    "role.pep.frmr": "former politically exposed person",
    "role.pep.natl": "politically exposed person (national)",
    "role.pep.intl": "politically exposed person (international)",
    "role.rca": "close associate of a politically exposed person",
}


def _words(value: str) -> str:
    return " ".join(value.lower().replace("_", " ").split())


def _raw(data: dict, prop: str) -> list[str]:
    """The property's values as the file has them, in its order (FtM's cleaning would drop a
    bad date or identifier silently; we refuse them instead)."""
    values = (data.get("properties") or {}).get(prop) or []
    if not isinstance(values, list):
        values = [values]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _first_raw(data: dict, prop: str) -> str:
    values = _raw(data, prop)
    return values[0] if values else ""


def _kind(proxy, topics: set[str], classification: list[str]) -> str:
    if proxy.schema.name in PERSON_SCHEMATA:
        return EntityKind.PERSON
    for word in classification:
        kind = _KIND_BY_WORD.get(word.strip().lower())
        if kind and kind != EntityKind.PERSON:
            return kind
    if "gov.soe" in topics:
        return EntityKind.SOE
    if proxy.schema.name == "PublicBody" or any(t == "gov" or t.startswith("gov.") for t in topics):
        return EntityKind.GOVERNMENT_BODY
    if any("media" in s.lower() or "news" in s.lower() for s in proxy.get("sector")):
        return EntityKind.MEDIA_OUTLET
    return EntityKind.PRIVATE_COMPANY


def _date(data: dict, prop: str, line: int) -> date | None:
    """An FtM date (ownership.values.partial_date), refused with its line."""
    try:
        return partial_date(_first_raw(data, prop))
    except BadValue as exc:
        raise ImportRefused(f"line {line}: {prop} {exc}") from None


def _stake(data: dict, line: int) -> Decimal | None:
    try:
        return percentage(_first_raw(data, "percentage"))
    except BadValue as exc:
        raise ImportRefused(f"line {line}: {exc}") from None


def _identifier(data: dict, prop: str, kind: str, line: int) -> str:
    """An LEI or USCC checked by python-stdnum (ownership.values.checked_identifier), compacted."""
    try:
        return checked_identifier(kind, _first_raw(data, prop))
    except BadValue as exc:
        raise ImportRefused(f"line {line}: {prop} {exc}") from None


def _names(data: dict, schema: str) -> tuple[str, list[str]]:
    """The current name first, every other name as an alias, each in its own script.
    FtM lists former names in `previousName`; a name listed there too is not the current one."""
    names = list(dict.fromkeys(_raw(data, "name")))
    former = list(dict.fromkeys(_raw(data, "previousName")))
    if not names and schema in PERSON_SCHEMATA:
        parts = [_first_raw(data, p) for p in ("firstName", "middleName", "lastName")]
        if any(parts):
            names = [" ".join(p for p in parts if p)]
    current = [n for n in names if n not in former] or names or former
    if not current:
        return "", []
    name = current[0]
    others = [*current[1:], *_raw(data, "alias"), *former, *_raw(data, "weakAlias")]
    return name, list(dict.fromkeys(others))


def _public_role(data: dict, topics: list[str]) -> str:
    words = [
        ROLE_WORDS.get(t) or str(registry.topic.caption(t)).lower()
        for t in topics
        if t.startswith("role.")
    ]
    words += _raw(data, "position")
    return "; ".join(dict.fromkeys(w for w in words if w))[:255]


def parse_lines(lines: Iterable[str]) -> tuple[list[OrgRecord], list[EdgeRecord], dict[str, int]]:
    """Parse and validate every line; raise ImportRefused naming the first bad line. Returns
    entities (organisations and people), edges and the skipped schemata with their counts."""
    orgs: list[OrgRecord] = []
    edges: list[EdgeRecord] = []
    skipped: dict[str, int] = {}
    schema_of: dict[str, str] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportRefused(f"line {n}: not JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(data, dict) or not data.get("id") or not data.get("schema"):
            raise ImportRefused(f"line {n}: an FtM entity needs an object with `id` and `schema`")
        try:
            proxy = model.get_proxy(data, cleaned=False)
        except (FollowTheMoneyException, TypeError, ValueError) as exc:
            raise ImportRefused(f"line {n}: {exc}") from None
        schema_of[proxy.id] = proxy.schema.name
        if proxy.schema.is_a("Ownership"):
            owner, asset = _raw(data, "owner"), _raw(data, "asset")
            if len(owner) != 1 or len(asset) != 1:
                raise ImportRefused(f"line {n}: Ownership {proxy.id} needs one owner and one asset")
            terms = {_words(v) for v in _raw(data, "role") + _raw(data, "ownershipType")}
            values = EdgeValues(
                stake_pct=_stake(data, n),
                controlling=bool(terms & CONTROL_TERMS),
                confirmed=_first_raw(data, "status").lower() == "confirmed",
                citation_url=_first_raw(data, "sourceUrl")[:2000],
                as_of=_date(data, "date", n),
                start_date=_date(data, "startDate", n),
                end_date=_date(data, "endDate", n),
                basis="\n".join(_raw(data, "description")),
                nature=Ownership.Nature.CONSOLIDATION
                if terms & CONSOLIDATION_TERMS
                else Ownership.Nature.OWNERSHIP,
            )
            edges.append(
                EdgeRecord(
                    owner_key=owner[0], owned_key=asset[0], values=values, record=proxy.id, line=n
                )
            )
        elif proxy.schema.name in ORG_SCHEMATA | PERSON_SCHEMATA:
            name, aliases = _names(data, proxy.schema.name)
            if not name:
                raise ImportRefused(f"line {n}: {proxy.schema.name} {proxy.id} has no name")
            topics = list(dict.fromkeys(_raw(data, "topics")))
            if proxy.schema.name in PERSON_SCHEMATA:
                country = next(
                    (v for p in ("nationality", "citizenship", "country") for v in _raw(data, p)),
                    "",
                )
            else:
                country = _first_raw(data, "country") or _first_raw(data, "jurisdiction")
            orgs.append(
                OrgRecord(
                    key=proxy.id,
                    name=name[:255],
                    kind=_kind(proxy, set(topics), _raw(data, "classification")),
                    country=country.upper()
                    if len(country) == 2 and country.lower() != "zz"
                    else "",
                    aliases=aliases,
                    lei=_identifier(data, "leiCode", "lei", n),
                    uscc=_identifier(data, "uscCode", "uscc", n),
                    wikidata_id=_first_raw(data, "wikidataId")[:20],
                    domains=[
                        d for d in dict.fromkeys(domain_of(w) for w in _raw(data, "website")) if d
                    ],
                    basis="\n".join(_raw(data, "notes") + _raw(data, "description")),
                    public_role=_public_role(data, topics),
                    topics=topics,
                    line=n,
                )
            )
        else:
            skipped[proxy.schema.name] = skipped.get(proxy.schema.name, 0) + 1
    # Edges of anything that is neither an organisation nor a person (a vessel, an asset) are
    # not ours to keep; nor is a person owned. They are counted, not refused.
    kept = []
    for edge in edges:
        owner_schema, owned_schema = schema_of.get(edge.owner_key), schema_of.get(edge.owned_key)
        ours = ORG_SCHEMATA | PERSON_SCHEMATA
        if (owner_schema is not None and owner_schema not in ours) or (
            owned_schema is not None and owned_schema not in ORG_SCHEMATA
        ):
            skipped["Ownership edges of things neither an organisation nor a person"] = (
                skipped.get("Ownership edges of things neither an organisation nor a person", 0) + 1
            )
            continue
        kept.append(edge)
    return orgs, kept, skipped
