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
from decimal import Decimal, InvalidOperation

from followthemoney import model
from followthemoney.exc import FollowTheMoneyException

from ownership.imports import (
    OWN_ID_PREFIX,
    EdgeRecord,
    EdgeValues,
    ImportRefused,
    OrgRecord,
    domain_of,
)
from ownership.models import Entity, EntityKind, Ownership

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


def export_lines(*, entities: Iterable[Entity], edges: list[Ownership]) -> Iterator[str]:
    """FtM JSON lines: entities first, then ownership edges."""
    owned_ids = {e.owned_id for e in edges}
    for entity in entities:
        schema = "Company" if entity.pk in owned_ids else KIND_SCHEMA[entity.kind]
        proxy = model.make_entity(schema)
        proxy.id = f"{OWN_ID_PREFIX}{entity.slug}"
        proxy.add("name", entity.name)
        proxy.add("alias", [a for a in entity.aliases or [] if a])
        if entity.country:
            proxy.add("country", entity.country.lower())
        proxy.add("classification", str(entity.Kind(entity.kind).label))
        proxy.add("topics", KIND_TOPICS.get(entity.kind, []))
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
        proxy.id = ownership_id(edge.owner.slug, edge.owned.slug)
        proxy.add("owner", f"{OWN_ID_PREFIX}{edge.owner.slug}")
        proxy.add("asset", f"{OWN_ID_PREFIX}{edge.owned.slug}")
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
        yield json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------------- import
def _kind(proxy) -> str:
    for word in proxy.get("classification"):
        kind = _KIND_BY_WORD.get(word.strip().lower())
        if kind:
            return kind
    topics = set(proxy.get("topics"))
    if "gov.soe" in topics:
        return EntityKind.SOE
    if proxy.schema.name == "PublicBody" or any(t == "gov" or t.startswith("gov.") for t in topics):
        return EntityKind.GOVERNMENT_BODY
    if any("media" in s.lower() or "news" in s.lower() for s in proxy.get("sector")):
        return EntityKind.MEDIA_OUTLET
    return EntityKind.PRIVATE_COMPANY


def _first(proxy, prop: str) -> str:
    values = proxy.get(prop)
    return values[0].strip() if values else ""


def _date(proxy, prop: str, line: int) -> date | None:
    value = _first(proxy, prop)
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        # FtM allows partial dates ("2021", "2021-06"): an `as_of` needs a day, so it starts
        # the period it names.
        parts = value.split("-")
        try:
            return date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, 1)
        except (ValueError, IndexError):
            raise ImportRefused(f"line {line}: {prop} {value!r} is not a date") from None


def _stake(proxy, line: int) -> Decimal | None:
    value = _first(proxy, "percentage").rstrip("%").strip()
    if not value:
        return None
    try:
        stake = Decimal(value)
    except InvalidOperation:
        raise ImportRefused(f"line {line}: percentage {value!r} is not a number") from None
    if not 0 <= stake <= 100:
        raise ImportRefused(f"line {line}: percentage {value} is not between 0 and 100")
    return stake.quantize(Decimal("0.001"))


def parse_lines(lines: Iterable[str]) -> tuple[list[OrgRecord], list[EdgeRecord], dict[str, int]]:
    """Parse and validate every line; raise ImportRefused naming the first bad line. Returns
    organisations, edges and the skipped schemata with their counts."""
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
            owner, asset = proxy.get("owner"), proxy.get("asset")
            if len(owner) != 1 or len(asset) != 1:
                raise ImportRefused(f"line {n}: Ownership {proxy.id} needs one owner and one asset")
            roles = " ".join(proxy.get("role") + proxy.get("ownershipType")).lower()
            status = _first(proxy, "status").lower()
            values = EdgeValues(
                stake_pct=_stake(proxy, n),
                controlling="control" in roles,
                confirmed=status == "confirmed",
                citation_url=_first(proxy, "sourceUrl")[:2000],
                as_of=_date(proxy, "date", n),
                start_date=_date(proxy, "startDate", n),
                end_date=_date(proxy, "endDate", n),
                basis="\n".join(proxy.get("description")),
                nature=Ownership.Nature.CONSOLIDATION
                if "consolidat" in roles
                else Ownership.Nature.OWNERSHIP,
            )
            edges.append(
                EdgeRecord(
                    owner_key=owner[0], owned_key=asset[0], values=values, record=proxy.id, line=n
                )
            )
        elif proxy.schema.name in ORG_SCHEMATA:
            name = _first(proxy, "name")
            if not name:
                raise ImportRefused(f"line {n}: {proxy.schema.name} {proxy.id} has no name")
            names = proxy.get("name")
            country = _first(proxy, "country") or _first(proxy, "jurisdiction")
            orgs.append(
                OrgRecord(
                    key=proxy.id,
                    name=name,
                    kind=_kind(proxy),
                    country=country.upper() if len(country) == 2 and country != "zz" else "",
                    aliases=list(dict.fromkeys([*names[1:], *proxy.get("alias")])),
                    lei=_first(proxy, "leiCode").upper()[:20],
                    uscc=_first(proxy, "uscCode").upper()[:18],
                    wikidata_id=_first(proxy, "wikidataId")[:20],
                    domains=[
                        d for d in dict.fromkeys(domain_of(w) for w in proxy.get("website")) if d
                    ],
                    basis="\n".join(proxy.get("notes") + proxy.get("description")),
                    line=n,
                )
            )
        else:
            skipped[proxy.schema.name] = skipped.get(proxy.schema.name, 0) + 1
    # Edges whose owner is a person (or another non-organisation) are not ours to keep:
    # entities are organisations. They are counted, not refused.
    kept = []
    for edge in edges:
        other = schema_of.get(edge.owner_key), schema_of.get(edge.owned_key)
        if any(s is not None and s not in ORG_SCHEMATA for s in other):
            skipped["Ownership edges of non-organisations"] = (
                skipped.get("Ownership edges of non-organisations", 0) + 1
            )
            continue
        kept.append(edge)
    return orgs, kept, skipped
