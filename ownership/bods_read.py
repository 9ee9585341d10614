"""BODS 0.4 in: entity, person and relationship statements from a BODS file (a JSON array or JSON
lines, streamed: `read_statements`), into the import records every import writes
(`parse_statements`, ownership/records.py; the `import_bods` command). The mapping, and the way
out, are ownership/bods.py's.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from ownership.bods import (
    _KIND_BY_LABEL,
    _SCHEME_FIELD,
    CONSOLIDATION_DETAILS,
    CONTROL_INTERESTS,
    PERSON,
    STAKE_INTERESTS,
    _band_is_majority,
)
from ownership.models import EntityKind, Ownership
from ownership.records import EdgeRecord, EdgeValues, ImportRefused, OrgRecord, domain_of
from ownership.values import BadValue, checked_identifier, iso_date, percentage


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
