"""Beneficial Ownership Data Standard (BODS) 0.4, out and in.

Out (`export_statements`): one entity or person statement per entity and one relationship
statement per ownership edge, valid against the published 0.4 schema vendored in
ownership/schemas/bods-0.4/ (`validate`). In (ownership/bods_read.py: `read_statements` +
`parse_statements`, the `import_bods` command): entity, person and relationship statements from
a BODS file (a JSON array or JSON lines, streamed), into the import records every import writes
(ownership/records.py, written by ownership/imports.py). Our own export read back into an empty desk exports identically.

Mapping (docs/ownership-data.md has the table):

* kinds: person → a **person statement** (`knownPerson`, names, nationality); state →
  `state`; government body → `stateBody` (subtype `governmentDepartment`); research body →
  `legalEntity`; companies, SOEs, outlets, data providers → `registeredEntity`.
  `entityType.details` carries the kind's label, so the kind reads back.
* identifiers under their org-id.guide schemes: LEI `XI-LEI`, China's Unified Social Credit
  Code `CN-SAIC` (the registration number of the State Administration for Market Regulation,
  formerly SAIC); Wikidata and web domains have no scheme and go by `schemeName` and `uri`.
* an edge → its interests: `shareholding` with `share` (`exact`, or the band `minimum` /
  `exclusiveMinimum` / `maximum` / `exclusiveMaximum`) when a stake is known; when the edge
  confers control beyond what a majority band already says, a control interest:
  `controlByLegalFramework` (a state or government body over a government body),
  `otherInfluenceOrControl` otherwise (with `details` for accounting consolidation);
  `unknownInterest` when neither. Reading back, control comes from these interest types (and
  a band above 50%), never from words.
* `directOrIndirect` from the edge's interest level (GLEIF ultimate parents are indirect).
* `beneficialOwnershipOrControl` is true only for a natural person whose edge confers control
  (the desk's control rule: controlling, or a stake over 50%); an entity is never a
  beneficial owner in BODS.
* `source`: the file's own when the edge came from BODS (kept as it was); otherwise from the
  edge's origin (an editor's research → `primaryResearch`, FtM → `thirdParty`, GLEIF →
  `officialRegister`; plus `verified` when the edge is confirmed), `url` = the citation,
  `assertedBy` = who wrote it. The basis is an annotation.
* Ids: an entity imported from BODS keeps the file's `recordId`; others are `reex-<slug>`.
  Statement ids are the SHA-256 of the statement without its publication details and export
  date, so they stay the same while the data does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils import timezone
from followthemoney.types import registry

from ownership.ftm import ownership_id
from ownership.models import Entity, EntityKind, ExternalRecord, Ownership
from ownership.records import (
    OWN_ID_PREFIX,
)

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "bods-0.4"
PUBLISHER = {"name": "Rare Earth Exchanges claim desk (reex)"}
CONSOLIDATION_DETAILS = "accounting consolidation (GLEIF Level 2), not a shareholding"
#: The kind of an entity that is a natural person (the `person` kind).
PERSON = "person"

_ENTITY_TYPE = {
    EntityKind.STATE: {"type": "state"},
    EntityKind.GOVERNMENT_BODY: {"type": "stateBody", "subtype": "governmentDepartment"},
    EntityKind.RESEARCH_BODY: {"type": "legalEntity"},
}
_SOURCE_TYPE = {
    Ownership.Source.EDITOR: "primaryResearch",
    Ownership.Source.FTM: "thirdParty",
    Ownership.Source.GLEIF: "officialRegister",
    Ownership.Source.BODS: "thirdParty",
}
_KIND_BY_LABEL = {str(k.label).lower(): k.value for k in EntityKind}
#: org-id.guide schemes (https://org-id.guide): our field → (scheme, schemeName).
_ID_SCHEMES = {
    "lei": ("XI-LEI", "Global Legal Entity Identifier Index"),
    "uscc": ("CN-SAIC", "Unified Social Credit Code"),
}
#: Schemes read back as the same field (CN-USCC: what our exports wrote before 2026-12).
_SCHEME_FIELD = {"XI-LEI": "lei", "CN-SAIC": "uscc", "CN-USCC": "uscc"}
#: Interest types that confer control by themselves (BODS interestType codelist).
CONTROL_INTERESTS = {
    "appointmentOfBoard",
    "otherInfluenceOrControl",
    "controlViaCompanyRulesOrArticles",
    "controlByLegalFramework",
}
#: Interest types whose `share` is a stake in the subject.
STAKE_INTERESTS = {"shareholding", "votingRights"}


# ---------------------------------------------------------------------- export
def _statement_id(statement: dict) -> str:
    """Deterministic: the same data exports to the same statement id (64 hex characters).
    The export date is not hashed (publication details, an entity's statement date)."""
    text = json.dumps(statement, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def _identifiers(entity: Entity) -> list[dict]:
    identifiers = []
    for attr, (scheme, scheme_name) in _ID_SCHEMES.items():
        if getattr(entity, attr):
            identifiers.append(
                {"id": getattr(entity, attr), "scheme": scheme, "schemeName": scheme_name}
            )
    if entity.wikidata_id:
        identifiers.append(
            {
                "id": entity.wikidata_id,
                "schemeName": "Wikidata",
                "uri": f"https://www.wikidata.org/wiki/{entity.wikidata_id}",
            }
        )
    for d in entity.domains.all():
        identifiers.append(
            {"id": d.domain, "schemeName": "Web domain", "uri": f"https://{d.domain}/"}
        )
    return identifiers


def _country(code: str) -> dict:
    name = registry.country.names.get(code.lower()) or code
    return {"name": str(name), "code": code}


def _entity_details(entity: Entity) -> dict:
    entity_type = dict(_ENTITY_TYPE.get(entity.kind, {"type": "registeredEntity"}))
    entity_type["details"] = str(entity.Kind(entity.kind).label)
    details: dict = {"isComponent": False, "entityType": entity_type, "name": entity.name}
    if entity.aliases:
        details["alternateNames"] = [a for a in entity.aliases if a]
    if entity.country:
        details["jurisdiction"] = _country(entity.country)
    if identifiers := _identifiers(entity):
        details["identifiers"] = identifiers
    return details


def _person_details(entity: Entity) -> dict:
    names = [{"type": "legal", "fullName": entity.name}]
    names += [{"type": "alternative", "fullName": a} for a in entity.aliases or [] if a]
    details: dict = {"isComponent": False, "personType": "knownPerson", "names": names}
    if entity.country:
        details["nationalities"] = [_country(entity.country)]
    if identifiers := _identifiers(entity):
        details["identifiers"] = identifiers
    return details


def _band_is_majority(minimum: Decimal | None, exclusive: bool) -> bool:
    return minimum is not None and (minimum > 50 or (minimum == 50 and exclusive))


def confers_control(edge: Ownership) -> bool:
    """The desk's control rule (ownership.chains): marked controlling or a stake over 50%;
    a band whose lower bound is over 50% is a majority too."""
    return (
        edge.controlling
        or (edge.stake_pct is not None and edge.stake_pct > 50)
        or _band_is_majority(edge.stake_min, edge.stake_min_exclusive)
    )


def _share(edge: Ownership) -> dict | None:
    if edge.stake_pct is not None:
        return {"exact": _number(edge.stake_pct)}
    share: dict = {}
    if edge.stake_min is not None:
        key = "exclusiveMinimum" if edge.stake_min_exclusive else "minimum"
        share[key] = _number(edge.stake_min)
    if edge.stake_max is not None:
        key = "exclusiveMaximum" if edge.stake_max_exclusive else "maximum"
        share[key] = _number(edge.stake_max)
    return share or None


def _interests(edge: Ownership) -> list[dict]:
    common: dict = {
        "directOrIndirect": edge.interest_level,
        "beneficialOwnershipOrControl": edge.owner.kind == PERSON and confers_control(edge),
    }
    if edge.start_date:
        common["startDate"] = edge.start_date.isoformat()
    if edge.end_date:
        common["endDate"] = edge.end_date.isoformat()
    interests = []
    share = _share(edge)
    if share:
        interests.append({"type": "shareholding", **common, "share": share})
    if edge.controlling and not _band_is_majority(edge.stake_min, edge.stake_min_exclusive):
        legal_framework = edge.owned.kind == EntityKind.GOVERNMENT_BODY and edge.owner.kind in (
            EntityKind.STATE,
            EntityKind.GOVERNMENT_BODY,
        )
        kind = "controlByLegalFramework" if legal_framework else "otherInfluenceOrControl"
        interests.append({"type": kind, **common})
    if not interests:
        interests.append({"type": "unknownInterest", **common})
    if edge.nature == Ownership.Nature.CONSOLIDATION:
        interests[0]["details"] = CONSOLIDATION_DETAILS
    return interests


def _annotation(target: str, text: str) -> dict:
    return {"motivation": "commenting", "statementPointerTarget": target, "description": text}


#: BODS's order of a Source's fields (PostgreSQL's jsonb does not keep the file's order).
_SOURCE_ORDER = ["type", "description", "url", "retrievedAt", "assertedBy"]


def _edge_source(edge: Ownership) -> dict:
    if edge.source == Ownership.Source.BODS and edge.source_detail:
        detail = edge.source_detail
        order = [k for k in _SOURCE_ORDER if k in detail] + sorted(set(detail) - set(_SOURCE_ORDER))
        return {k: detail[k] for k in order}
    source: dict = {"type": [_SOURCE_TYPE[edge.source]] + (["verified"] if edge.confirmed else [])}
    if edge.citation_url:
        source["url"] = edge.citation_url
    if edge.source == Ownership.Source.EDITOR:
        source["assertedBy"] = [PUBLISHER]
    else:
        source["assertedBy"] = [{"name": f"{edge.get_source_display()}: {edge.source_file}"}]
    return source


def record_ids(entities: Iterable[Entity]) -> dict[int, str]:
    """Each entity's BODS record id: the one a BODS file gave it, else `reex-<slug>`."""
    ids = {e.pk: f"{OWN_ID_PREFIX}{e.slug}" for e in entities}
    for entity_id, key in (
        ExternalRecord.objects.filter(source=Ownership.Source.BODS, entity_id__in=list(ids))
        .order_by("-key")
        .values_list("entity_id", "key")
    ):
        ids[entity_id] = key  # the smallest key wins, for a stable choice
    return ids


def export_statements(
    *, entities: list[Entity], edges: list[Ownership], today: date | None = None
) -> list[dict]:
    """BODS 0.4 statements: entities and people (each before the edges that name it), then
    edges. `today` is the publication date (and an entity's statement date)."""
    return list(iter_statements(entities=entities, edges=edges, today=today))


def iter_statements(
    *, entities: list[Entity], edges: list[Ownership], today: date | None = None
) -> Iterator[dict]:
    today = today or timezone.localdate()
    publication = {
        "publicationDate": today.isoformat(),
        "bodsVersion": "0.4",
        "publisher": PUBLISHER,
    }
    ids = record_ids([*entities, *(e.owner for e in edges), *(e.owned for e in edges)])
    # A person statement declares the ownership of an entity: the first one the person holds.
    held: dict[int, str] = {}
    for edge in edges:
        held.setdefault(edge.owner_id, ids[edge.owned_id])
    for entity in entities:
        person = entity.kind == PERSON
        statement = {
            "recordId": ids[entity.pk],
            "recordType": "person" if person else "entity",
            "recordStatus": "new",
            "declarationSubject": held.get(entity.pk, ids[entity.pk]) if person else ids[entity.pk],
            "recordDetails": _person_details(entity) if person else _entity_details(entity),
            "source": {"type": ["primaryResearch"], "assertedBy": [PUBLISHER]},
        }
        if entity.basis:
            statement["annotations"] = [_annotation("/recordDetails", entity.basis)]
        statement["statementId"] = _statement_id(statement)
        statement["statementDate"] = today.isoformat()
        statement["publicationDetails"] = publication
        yield statement
    for edge in edges:
        subject = ids[edge.owned_id]
        annotations = []
        if edge.basis:
            annotations.append(_annotation("/recordDetails", edge.basis))
        if edge.as_of:
            annotations.append(
                _annotation("/statementDate", "The date the cited document states the edge.")
            )
        record_id = (
            edge.source_record
            if edge.source == Ownership.Source.BODS and edge.source_record
            else ownership_id(edge.owner.slug, edge.owned.slug)
        )
        statement = {
            "recordId": record_id,
            "recordType": "relationship",
            "recordStatus": "new",
            "declarationSubject": subject,
            "recordDetails": {
                "isComponent": False,
                "subject": subject,
                "interestedParty": ids[edge.owner_id],
                "interests": _interests(edge),
            },
            "source": _edge_source(edge),
        }
        if annotations:
            statement["annotations"] = annotations
        if edge.as_of:  # a date of the data, not of the export: it is part of the id
            statement["statementDate"] = edge.as_of.isoformat()
        statement["statementId"] = _statement_id(statement)
        statement["statementDate"] = (edge.as_of or today).isoformat()
        statement["publicationDetails"] = publication
        yield statement


# ---------------------------------------------------------------------- validation
@cache
def _validator():
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource

    resources = []
    for name in (
        "statement",
        "entity-record",
        "person-record",
        "relationship-record",
        "components",
    ):
        contents = json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents)))
    reg = Registry().with_resources(resources)
    root = json.loads((SCHEMA_DIR / "statement.json").read_text(encoding="utf-8"))
    return Draft202012Validator(root, registry=reg, format_checker=FormatChecker())


def validate(statements: list[dict]) -> list[str]:
    """Schema errors against BODS 0.4, as "path: message" lines (empty: valid)."""
    errors = sorted(_validator().iter_errors(statements), key=lambda e: list(e.absolute_path))
    return ["/".join(str(p) for p in e.absolute_path) + f": {e.message}" for e in errors]
