"""Beneficial Ownership Data Standard (BODS) 0.4, out and in.

Out (`export_statements`): one entity or person statement per entity and one relationship
statement per ownership edge, valid against the published 0.4 schema vendored in
ownership/schemas/bods-0.4/ (`validate`). In (`read_statements` + `parse_statements`, the
`import_bods` command): entity, person and relationship statements from a BODS file (a JSON
array or JSON lines, streamed), into the import records every import writes
(ownership/imports.py). Our own export read back into an empty desk exports identically.

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
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import BinaryIO

from django.utils import timezone
from followthemoney.types import registry

from ownership.ftm import ownership_id
from ownership.imports import (
    OWN_ID_PREFIX,
    EdgeRecord,
    EdgeValues,
    ImportRefused,
    OrgRecord,
    domain_of,
)
from ownership.models import Entity, EntityKind, ExternalRecord, Ownership
from ownership.values import BadValue, checked_identifier, iso_date, percentage

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


# ---------------------------------------------------------------------- reading
def read_statements(handle: BinaryIO) -> Iterator[tuple[str, dict]]:
    """(where, statement) for each statement of a BODS file, streamed: a JSON array (item by
    item, ijson) or JSON lines (line by line)."""
    import ijson

    head = handle.read(4096)
    handle.seek(0)
    first = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    if first == b"[":
        n = 0
        try:
            for n, statement in enumerate(ijson.items(handle, "item", use_float=True), 1):
                if not isinstance(statement, dict):
                    raise ImportRefused(f"statement {n}: not a JSON object")
                yield f"statement {n}", statement
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            raise ImportRefused(f"statement {n + 1}: not JSON ({exc})") from None
        return
    if first != b"{":
        raise ImportRefused(
            "line 1: not a BODS file (expected a JSON array of statements or JSON lines)"
        )
    text = io.TextIOWrapper(handle, encoding="utf-8-sig")
    try:
        for n, line in enumerate(text, 1):
            if not line.strip():
                continue
            try:
                statement = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportRefused(f"line {n}: not JSON ({exc.msg})") from None
            if not isinstance(statement, dict):
                raise ImportRefused(f"line {n}: not a JSON object")
            yield f"line {n}", statement
    except UnicodeDecodeError as exc:
        raise ImportRefused(f"not UTF-8 text ({exc.reason})") from None
    finally:
        text.detach()


def _date(value, where: str, what: str) -> date | None:
    try:
        return iso_date(value)
    except BadValue as exc:
        raise ImportRefused(f"{where}: {what} {exc}") from None


def _pct(value, where: str, what: str) -> Decimal | None:
    try:
        return percentage(value, f"share {what}")
    except BadValue as exc:
        raise ImportRefused(f"{where}: {exc}") from None


def _checked_identifier(field: str, value: str, where: str) -> str:
    try:
        return checked_identifier(field, value)
    except BadValue as exc:
        raise ImportRefused(f"{where}: identifier {exc}") from None


def _org_record(st: dict, where: str, line: int, notes: dict) -> OrgRecord:
    details = st.get("recordDetails") or {}
    ids = details.get("identifiers") or []
    values = {"lei": "", "uscc": "", "wikidata_id": ""}
    domains = []
    for i in ids:
        scheme, name, value = i.get("scheme", ""), i.get("schemeName", ""), str(i.get("id", ""))
        if scheme in _SCHEME_FIELD and value:
            field = _SCHEME_FIELD[scheme]
            values[field] = _checked_identifier(field, value, where)
        elif name == "Wikidata" and value:
            values["wikidata_id"] = value[:20]
        elif name == "Web domain" and value:
            domains.append(domain_of(value))
    if st["recordType"] == "person":
        names = details.get("names") or []
        full = [
            n.get("fullName") or " ".join(filter(None, [n.get("givenName"), n.get("familyName")]))
            for n in names
        ]
        full = [n for n in full if n]
        individual = next(
            (f for n, f in zip(names, full, strict=False) if n.get("type") == "legal"),
            full[0] if full else "",
        )
        if not individual:
            raise ImportRefused(f"{where}: the person statement names nobody")
        nationalities = details.get("nationalities") or []
        return OrgRecord(
            key=st["recordId"],
            name=individual,
            kind=PERSON,
            country=str((nationalities[0] if nationalities else {}).get("code", ""))[:2].upper(),
            aliases=[f for f in dict.fromkeys(full) if f != individual],
            domains=domains,
            basis=notes.get("/recordDetails", ""),
            line=line,
            **values,
        )
    etype = details.get("entityType") or {}
    kind = _KIND_BY_LABEL.get(str(etype.get("details", "")).lower())
    if kind is None:
        kind = {"state": EntityKind.STATE, "stateBody": EntityKind.GOVERNMENT_BODY}.get(
            etype.get("type"), EntityKind.PRIVATE_COMPANY
        )
    name = details.get("name") or ""
    if not name:
        raise ImportRefused(f"{where}: the entity statement has no name")
    return OrgRecord(
        key=st["recordId"],
        name=name,
        kind=kind,
        country=str((details.get("jurisdiction") or {}).get("code", ""))[:2].upper(),
        aliases=list(details.get("alternateNames") or []),
        domains=domains,
        basis=notes.get("/recordDetails", ""),
        line=line,
        **values,
    )


def _edge_values(st: dict, where: str, notes: dict) -> EdgeValues:
    details = st.get("recordDetails") or {}
    interests = details.get("interests") or []
    source = st.get("source") or {}
    stake = low = high = None
    low_excl = high_excl = False
    control = False
    levels = []
    starts, ends = [], []
    consolidation = False
    for interest in interests:
        kind = interest.get("type", "")
        share = interest.get("share") or {}
        if kind in STAKE_INTERESTS and share and stake is None and low is None:
            stake = _pct(share.get("exact"), where, "exact")
            if stake is None:
                if "exclusiveMinimum" in share:
                    low, low_excl = _pct(share["exclusiveMinimum"], where, "minimum"), True
                else:
                    low = _pct(share.get("minimum"), where, "minimum")
                if "exclusiveMaximum" in share:
                    high, high_excl = _pct(share["exclusiveMaximum"], where, "maximum"), True
                else:
                    high = _pct(share.get("maximum"), where, "maximum")
                if low is not None and high is not None and low > high:
                    raise ImportRefused(f"{where}: share minimum {low} is above maximum {high}")
        if kind in CONTROL_INTERESTS:
            control = True
        if interest.get("details") == CONSOLIDATION_DETAILS:
            consolidation = True
        levels.append(interest.get("directOrIndirect", "unknown"))
        starts.append(_date(interest.get("startDate"), where, "startDate"))
        ends.append(_date(interest.get("endDate"), where, "endDate"))
    # A majority band confers control by itself (votingRights without a share says nothing).
    control = control or _band_is_majority(low, low_excl)
    level = levels[0] if levels and len(set(levels)) == 1 else Ownership.Level.UNKNOWN
    if level not in Ownership.Level.values:
        raise ImportRefused(f"{where}: directOrIndirect {level!r} is not direct/indirect/unknown")
    if "/statementDate" in notes:
        as_of = _date(st.get("statementDate"), where, "statementDate")
    else:
        _date(st.get("statementDate"), where, "statementDate")  # checked, not kept
        as_of = None
    return EdgeValues(
        stake_pct=stake,
        stake_min=low,
        stake_min_exclusive=low_excl,
        stake_max=high,
        stake_max_exclusive=high_excl,
        interest_level=level,
        controlling=control,
        confirmed="verified" in (source.get("type") or []),
        citation_url=str(source.get("url", ""))[:2000],
        as_of=as_of,
        start_date=min((d for d in starts if d), default=None),
        end_date=max(ends) if ends and all(ends) else None,
        basis=notes.get("/recordDetails", ""),
        nature=Ownership.Nature.CONSOLIDATION if consolidation else Ownership.Nature.OWNERSHIP,
    )


def parse_statements(
    statements: Iterable[dict] | Iterable[tuple[str, dict]],
    *,
    people: bool | None = None,
) -> tuple[list[OrgRecord], list[EdgeRecord], dict[str, int]]:
    """BODS statements into import records, and what was skipped (counted by reason). A later
    statement of the same record replaces an earlier one; a closed record is dropped. People
    are read when `people` is true (default: when the register has the `person` kind), else
    skipped with what they hold. Raises ImportRefused naming the statement."""
    orgs: dict[str, OrgRecord] = {}
    edges: dict[str, EdgeRecord] = {}
    skipped: dict[str, int] = {}
    # One dict per distinct source: a file of 150,000 relationships has a handful of sources.
    sources: dict[str, dict] = {}
    # Until the register has the `person` kind, people (and what they hold) are skipped.
    people_allowed = PERSON in EntityKind.values if people is None else people
    skipped_people: set[str] = set()
    for n, item in enumerate(statements, 1):
        where, st = item if isinstance(item, tuple) else (f"statement {n}", item)
        record_type, record_id = st.get("recordType"), st.get("recordId")
        if record_type not in ("entity", "person", "relationship"):
            raise ImportRefused(
                f"{where}: recordType {record_type!r} is not entity, person or relationship "
                "(is this a BODS 0.4 file? Earlier versions say statementType)"
            )
        if not record_id or not isinstance(record_id, str):
            raise ImportRefused(f"{where}: the statement has no recordId")
        if st.get("recordStatus") == "closed":
            orgs.pop(record_id, None)
            edges.pop(record_id, None)
            skipped["closed records"] = skipped.get("closed records", 0) + 1
            continue
        notes = {
            a.get("statementPointerTarget"): a.get("description", "")
            for a in st.get("annotations") or []
            if a.get("motivation") == "commenting"
        }
        if record_type == "person" and not people_allowed:
            skipped_people.add(record_id)
            why = "person statements (this register has no people yet)"
            skipped[why] = skipped.get(why, 0) + 1
            continue
        if record_type in ("entity", "person"):
            orgs[record_id] = _org_record(st, where, n, notes)
            continue
        details = st.get("recordDetails") or {}
        party, subject = details.get("interestedParty"), details.get("subject")
        if isinstance(party, str) and party in skipped_people:
            why = "relationships of people (this register has no people yet)"
            skipped[why] = skipped.get(why, 0) + 1
            continue
        if not isinstance(party, str) or not isinstance(subject, str):
            why = "relationships with an unspecified party (no record to link)"
            skipped[why] = skipped.get(why, 0) + 1
            continue
        edges[record_id] = EdgeRecord(
            # The entity's own key string, not a copy per relationship.
            owner_key=orgs[party].key if party in orgs else party,
            owned_key=orgs[subject].key if subject in orgs else subject,
            values=_edge_values(st, where, notes),
            record=record_id,
            line=n,
            source_detail=sources.setdefault(
                json.dumps(st.get("source") or {}, sort_keys=True), st.get("source") or {}
            ),
        )
    return list(orgs.values()), list(edges.values()), skipped
