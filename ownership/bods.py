"""Beneficial Ownership Data Standard (BODS) 0.4 out (and back in, for the round trip).

One entity statement per entity and one relationship statement per ownership edge, valid
against the published 0.4 schema vendored in ownership/schemas/bods-0.4/ (`validate`).

Mapping (docs/ownership-data.md has the table):

* kinds: state → `state`; government body → `stateBody` (subtype `governmentDepartment`);
  research body → `legalEntity`; companies, SOEs, outlets, data providers →
  `registeredEntity`. `entityType.details` carries the kind's label, so the kind reads back.
* identifiers: LEI (scheme `XI-LEI`), USCC (`CN-USCC`), Wikidata, and each web domain.
* an edge → one interest: `controlByLegalFramework` for a state or government body over a
  government body (it belongs to its state by law); `shareholding` with `share.exact` when the
  stake is known; `otherInfluenceOrControl` for accounting consolidation (GLEIF, with
  `details` saying it is not a shareholding) and for control without a known stake;
  `unknownInterest` otherwise. `beneficialOwnershipOrControl` is the edge's `controlling`
  flag. The register stores exact stakes only, so `share` is always `exact`; share ranges
  (`minimum`/`exclusiveMinimum`...) are not written (nothing here knows a band).
* `source`: `type` from the edge's origin (an editor's research → `primaryResearch`, FtM →
  `thirdParty`, GLEIF → `officialRegister`; plus `verified` when the edge is confirmed),
  `url` = the citation, `assertedBy` = who wrote it. The basis is an annotation.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils import timezone
from followthemoney.types import registry

from ownership.ftm import ownership_id
from ownership.imports import OWN_ID_PREFIX, EdgeRecord, EdgeValues, ImportRefused, OrgRecord
from ownership.models import Entity, EntityKind, Ownership

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "bods-0.4"
PUBLISHER = {"name": "Rare Earth Exchanges claim desk (reex)"}
CONSOLIDATION_DETAILS = "accounting consolidation (GLEIF Level 2), not a shareholding"

_ENTITY_TYPE = {
    EntityKind.STATE: {"type": "state"},
    EntityKind.GOVERNMENT_BODY: {"type": "stateBody", "subtype": "governmentDepartment"},
    EntityKind.RESEARCH_BODY: {"type": "legalEntity"},
}
_SOURCE_TYPE = {
    Ownership.Source.EDITOR: "primaryResearch",
    Ownership.Source.FTM: "thirdParty",
    Ownership.Source.GLEIF: "officialRegister",
}
_KIND_BY_LABEL = {str(k.label).lower(): k.value for k in EntityKind}
_ID_SCHEMES = {
    "lei": ("XI-LEI", "Global Legal Entity Identifier Index"),
    "uscc": ("CN-USCC", "Unified Social Credit Code"),
}


def _statement_id(record: dict) -> str:
    """Deterministic: the same data exports to the same statement id (64 hex characters)."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _entity_details(entity: Entity) -> dict:
    entity_type = dict(_ENTITY_TYPE.get(entity.kind, {"type": "registeredEntity"}))
    entity_type["details"] = str(entity.Kind(entity.kind).label)
    details: dict = {"isComponent": False, "entityType": entity_type, "name": entity.name}
    if entity.aliases:
        details["alternateNames"] = [a for a in entity.aliases if a]
    if entity.country:
        name = registry.country.names.get(entity.country.lower()) or entity.country
        details["jurisdiction"] = {"name": str(name), "code": entity.country}
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
    if identifiers:
        details["identifiers"] = identifiers
    return details


def _interest(edge: Ownership) -> dict:
    interest: dict = {
        "directOrIndirect": "direct",
        "beneficialOwnershipOrControl": edge.controlling,
    }
    legal_framework = edge.owned.kind == EntityKind.GOVERNMENT_BODY and edge.owner.kind in (
        EntityKind.STATE,
        EntityKind.GOVERNMENT_BODY,
    )
    if edge.nature == Ownership.Nature.CONSOLIDATION:
        interest["type"] = "otherInfluenceOrControl"
        interest["details"] = CONSOLIDATION_DETAILS
    elif legal_framework and edge.stake_pct is None:
        interest["type"] = "controlByLegalFramework"
    elif edge.stake_pct is not None:
        interest["type"] = "shareholding"
        interest["share"] = {"exact": float(edge.stake_pct)}
    elif edge.controlling:
        interest["type"] = "otherInfluenceOrControl"
    else:
        interest["type"] = "unknownInterest"
    if edge.start_date:
        interest["startDate"] = edge.start_date.isoformat()
    if edge.end_date:
        interest["endDate"] = edge.end_date.isoformat()
    return interest


def _annotation(target: str, text: str) -> dict:
    return {"motivation": "commenting", "statementPointerTarget": target, "description": text}


def export_statements(
    *, entities: list[Entity], edges: list[Ownership], today: date | None = None
) -> list[dict]:
    """BODS 0.4 statements: entities (each before the edges that name it), then edges."""
    today = today or timezone.localdate()
    publication = {
        "publicationDate": today.isoformat(),
        "bodsVersion": "0.4",
        "publisher": PUBLISHER,
    }
    out = []
    for entity in entities:
        record_id = f"{OWN_ID_PREFIX}{entity.slug}"
        details = _entity_details(entity)
        statement = {
            "recordId": record_id,
            "recordType": "entity",
            "recordStatus": "new",
            "declarationSubject": record_id,
            "statementDate": today.isoformat(),
            "recordDetails": details,
            "source": {"type": ["primaryResearch"], "assertedBy": [PUBLISHER]},
        }
        if entity.basis:
            statement["annotations"] = [_annotation("/recordDetails", entity.basis)]
        statement["statementId"] = _statement_id(statement)
        statement["publicationDetails"] = publication
        out.append(statement)
    for edge in edges:
        subject = f"{OWN_ID_PREFIX}{edge.owned.slug}"
        source_types = [_SOURCE_TYPE[edge.source]] + (["verified"] if edge.confirmed else [])
        source: dict = {"type": source_types}
        if edge.citation_url:
            source["url"] = edge.citation_url
        if edge.source == Ownership.Source.EDITOR:
            source["assertedBy"] = [PUBLISHER]
        else:
            source["assertedBy"] = [{"name": f"{edge.get_source_display()}: {edge.source_file}"}]
        annotations = []
        if edge.basis:
            annotations.append(_annotation("/recordDetails", edge.basis))
        if edge.as_of:
            annotations.append(
                _annotation("/statementDate", "The date the cited document states the edge.")
            )
        statement = {
            "recordId": ownership_id(edge.owner.slug, edge.owned.slug),
            "recordType": "relationship",
            "recordStatus": "new",
            "declarationSubject": subject,
            "statementDate": (edge.as_of or today).isoformat(),
            "recordDetails": {
                "isComponent": False,
                "subject": subject,
                "interestedParty": f"{OWN_ID_PREFIX}{edge.owner.slug}",
                "interests": [_interest(edge)],
            },
            "source": source,
        }
        if annotations:
            statement["annotations"] = annotations
        statement["statementId"] = _statement_id(statement)
        statement["publicationDetails"] = publication
        out.append(statement)
    return out


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


# ---------------------------------------------------------------------- reading back
def parse_statements(statements: list[dict]) -> tuple[list[OrgRecord], list[EdgeRecord]]:
    """Our own BODS back into import records (the round trip; entity and relationship
    statements only). Raises ImportRefused naming the statement."""
    orgs: list[OrgRecord] = []
    edges: list[EdgeRecord] = []
    for n, st in enumerate(statements, 1):
        details = st.get("recordDetails") or {}
        notes = {
            a.get("statementPointerTarget"): a.get("description", "")
            for a in st.get("annotations", [])
        }
        if st.get("recordType") == "entity":
            etype = details.get("entityType") or {}
            kind = _KIND_BY_LABEL.get(str(etype.get("details", "")).lower())
            if kind is None:
                kind = {"state": EntityKind.STATE, "stateBody": EntityKind.GOVERNMENT_BODY}.get(
                    etype.get("type"), EntityKind.PRIVATE_COMPANY
                )
            ids = details.get("identifiers") or []
            by_scheme = {i.get("scheme") or i.get("schemeName"): i.get("id", "") for i in ids}
            orgs.append(
                OrgRecord(
                    key=st["recordId"],
                    name=details.get("name", ""),
                    kind=kind,
                    country=(details.get("jurisdiction") or {}).get("code", ""),
                    aliases=list(details.get("alternateNames") or []),
                    lei=by_scheme.get("XI-LEI", ""),
                    uscc=by_scheme.get("CN-USCC", ""),
                    wikidata_id=by_scheme.get("Wikidata", ""),
                    domains=[i["id"] for i in ids if i.get("schemeName") == "Web domain"],
                    basis=notes.get("/recordDetails", ""),
                    line=n,
                )
            )
        elif st.get("recordType") == "relationship":
            interests = details.get("interests") or []
            if len(interests) != 1:
                raise ImportRefused(f"statement {n}: expected one interest, found {len(interests)}")
            interest = interests[0]
            share = interest.get("share") or {}
            source = st.get("source") or {}
            values = EdgeValues(
                stake_pct=Decimal(str(share["exact"])).quantize(Decimal("0.001"))
                if "exact" in share
                else None,
                controlling=bool(interest.get("beneficialOwnershipOrControl")),
                confirmed="verified" in (source.get("type") or []),
                citation_url=source.get("url", ""),
                as_of=date.fromisoformat(st["statementDate"][:10])
                if "/statementDate" in notes
                else None,
                start_date=date.fromisoformat(interest["startDate"])
                if interest.get("startDate")
                else None,
                end_date=date.fromisoformat(interest["endDate"])
                if interest.get("endDate")
                else None,
                basis=notes.get("/recordDetails", ""),
                nature=Ownership.Nature.CONSOLIDATION
                if interest.get("details") == CONSOLIDATION_DETAILS
                else Ownership.Nature.OWNERSHIP,
            )
            edges.append(
                EdgeRecord(
                    owner_key=details.get("interestedParty", ""),
                    owned_key=details.get("subject", ""),
                    values=values,
                    record=st["recordId"],
                    line=n,
                )
            )
    return orgs, edges
