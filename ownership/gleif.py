"""GLEIF Level 2 ("who owns whom", CC0): relationship records and reporting exceptions.

Reads the golden-copy files (relationship records "RR" and reporting exceptions "repex", CSV or
JSON) and keeps what concerns the LEIs the desk knows (entities with an LEI):

* IS_DIRECTLY_CONSOLIDATED_BY / IS_ULTIMATELY_CONSOLIDATED_BY, child → parent, become edges
  parent → child with `nature = consolidation`: **accounting consolidation, not shareholding**.
  The stake stays unknown (never guessed).
* **Consolidation confers control in the chain rule.** A parent consolidates a child when it
  controls it (IFRS 10, ASC 810: consolidation is defined by control), so the edge is written
  with `controlling = True` and `ownership.chains.controlling_q` follows it like any controlling
  edge. That is the conservative side for this desk: following a real link can only join two
  sources into one group, never make dependent sources look independent. The edge is
  `confirmed` only when GLEIF's validation is corroborated (FULLY_ or PARTIALLY_CORROBORATED);
  an ENTITY_SUPPLIED_ONLY edge is followed but drawn as unconfirmed. An ultimate-parent edge
  beside a direct one adds a shortcut chain; the ultimate controllers stay the same.
* Only ACTIVE relationships of live registrations are imported; inactive, annulled, retired or
  duplicate ones, branch relationships, and those naming an LEI the desk does not know are
  counted and skipped (the summary lists parents to add).
* A reporting exception (NON_CONSOLIDATING, NATURAL_PERSONS, NON_PUBLIC, NO_KNOWN_PERSON...)
  is stored on the entity as the reason its parent is missing.

`fetch_api_records(lei)` refreshes one LEI from the public API (https://api.gleif.org) where
the machine has internet; never in tests against the real host.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ownership.imports import ImportSession
from ownership.models import Entity, Ownership, ReportingException
from ownership.records import EdgeValues, ImportRefused, ImportSummary
from ownership.signals import register_changed
from ownership.values import BadValue, checked_identifier, iso_date

DIRECT = "IS_DIRECTLY_CONSOLIDATED_BY"
ULTIMATE = "IS_ULTIMATELY_CONSOLIDATED_BY"
CONSOLIDATION_TYPES = {DIRECT, ULTIMATE}
LIVE_REGISTRATIONS = {"PUBLISHED", "LAPSED", "PENDING_TRANSFER", "PENDING_ARCHIVAL", ""}
CORROBORATED = {"FULLY_CORROBORATED", "PARTIALLY_CORROBORATED"}
EXCEPTION_CATEGORIES = {c.value for c in ReportingException.Category}
EXCEPTION_REASONS = {
    "NATURAL_PERSONS",
    "NON_CONSOLIDATING",
    "NO_KNOWN_PERSON",
    "NON_PUBLIC",
    "BINDING_LEGAL_COMMITMENTS",
    "LEGAL_OBSTACLES",
    "DISCLOSURE_DETRIMENTAL",
    "DETRIMENT_NOT_EXCLUDED",
    "CONSENT_NOT_OBTAINED",
}


@dataclass
class Relationship:
    child: str
    parent: str
    type: str
    status: str
    registration: str
    validation: str
    start: date | None
    end: date | None
    updated: str
    where: str


@dataclass
class ExceptionRecord:
    lei: str
    category: str
    reason: str
    reference: str
    where: str


@dataclass
class GleifSummary(ImportSummary):
    exceptions_added: int = 0
    exceptions_unchanged: int = 0
    exceptions_updated: int = 0
    missing_parents: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = super().line()
        return (
            f"{text}; reporting exceptions: {self.exceptions_added} added, "
            f"{self.exceptions_unchanged} unchanged, {self.exceptions_updated} updated"
        )


# ---------------------------------------------------------------------- reading files
# The published layouts. CSV golden copy (https://www.gleif.org/en/lei-data/gleif-golden-copy):
#   RR:    Relationship.StartNode.NodeID, Relationship.StartNode.NodeIDType,
#          Relationship.EndNode.NodeID, Relationship.EndNode.NodeIDType,
#          Relationship.RelationshipType, Relationship.RelationshipStatus,
#          Relationship.Period.{1..5}.startDate/endDate/periodType,
#          Relationship.Qualifiers.N.*, Relationship.Quantifiers.N.*,
#          Registration.InitialRegistrationDate, Registration.LastUpdateDate,
#          Registration.RegistrationStatus, Registration.NextRenewalDate,
#          Registration.ManagingLOU, Registration.ValidationSources,
#          Registration.ValidationDocuments, Registration.ValidationReference
#   repex: LEI, Exception.Category, Exception.Reason.{1..N}, Exception.Reference.{1..N}
#          (older files and our own tests: ExceptionCategory, ExceptionReason, ExceptionReference)
# JSON golden copy: {"relations": [{"Relationship": {...}, "Registration": {...}}]} and
# {"exceptions": [{"LEI": {"$": ...}, "ExceptionCategory": {"$": ...},
# "ExceptionReason": [{"$": ...}], "ExceptionReference": [...]}]}, leaves as {"$": text}.
# Files are read as streams (csv row by row, JSON item by item with ijson), never whole.
RR_REQUIRED = [
    "Relationship.StartNode.NodeID",
    "Relationship.EndNode.NodeID",
    "Relationship.RelationshipType",
]
REPEX_HEADERS = {
    # layout: (category column, reason column prefix, reference column prefix)
    "golden copy": ("Exception.Category", "Exception.Reason", "Exception.Reference"),
    "flat": ("ExceptionCategory", "ExceptionReason", "ExceptionReference"),
}
_JSON_LIST_KEYS = ("relations", "exceptions", "records")


def _first_byte(handle: BinaryIO) -> bytes:
    """The first significant byte of a file (BOM and whitespace skipped); the handle is
    rewound."""
    head = handle.read(4096)
    handle.seek(0)
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]


def _json_items(handle: BinaryIO, flatten) -> Iterator[tuple[str, dict]]:
    """(where, flat record) for each item of a golden-copy JSON file, streamed by ijson: the
    list under "relations", "exceptions" or "records", or a top-level list."""
    import ijson

    prefix = None
    try:
        for path, event, _value in ijson.parse(handle):
            if event == "start_array" and (path == "" or path in _JSON_LIST_KEYS):
                prefix = f"{path}.item" if path else "item"
                break
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"not JSON ({exc})") from None
    if prefix is None:
        raise ImportRefused(
            "JSON: expected a list of records under 'relations', 'exceptions' or 'records' "
            "(is this a GLEIF golden-copy file?)"
        )
    handle.seek(0)
    n = 0
    try:
        for n, rec in enumerate(ijson.items(handle, prefix, use_float=True), 1):
            if not isinstance(rec, dict):
                raise ImportRefused(f"record {n}: not an object")
            yield f"record {n}", flatten(rec)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"record {n + 1}: not JSON ({exc})") from None


def _csv_rows(handle: BinaryIO, *, check_header) -> Iterator[tuple[str, dict]]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    try:
        check_header(reader.fieldnames or [])
        for row in reader:
            yield f"line {reader.line_num}", {k: (v or "").strip() for k, v in row.items() if k}
    except csv.Error as exc:
        raise ImportRefused(f"line {reader.line_num}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"after line {reader.line_num}: not UTF-8 text ({exc.reason})"
        ) from None
    finally:
        text.detach()  # leave the caller's handle open


def _rows(handle: BinaryIO, *, check_header, flatten) -> Iterator[tuple[str, dict]]:
    """(where, flat row) for a CSV or JSON golden-copy file, one row at a time."""
    if _first_byte(handle) in (b"[", b"{"):
        yield from _json_items(handle, flatten)
    else:
        yield from _csv_rows(handle, check_header=check_header)


def _flatten(value, prefix: str = "") -> dict[str, str]:
    """Nested golden-copy JSON ({"$": text} leaves) to the CSV's dotted column names."""
    out: dict[str, str] = {}
    if isinstance(value, dict):
        if "$" in value and all(k == "$" or k.startswith("@") for k in value):
            out[prefix] = str(value["$"])
            return out
        for k, v in value.items():
            if not k.startswith("@"):
                out.update(_flatten(v, f"{prefix}.{k}" if prefix else k))
    elif isinstance(value, list):
        for i, v in enumerate(value, 1):
            out.update(_flatten(v, f"{prefix}.{i}"))
    elif value is not None:
        out[prefix] = str(value)
    return out


_PERIOD_KEY = re.compile(
    r"Relationship\.RelationshipPeriods(?:\.RelationshipPeriod)?(?:\.(\d+))?\.(\w+)$"
)
_PERIOD_LEAF = {"StartDate": "startDate", "EndDate": "endDate", "PeriodType": "periodType"}


def _flat_rr(rec: dict) -> dict[str, str]:
    flat = _flatten(rec.get("RelationshipRecord", rec))
    # JSON nests periods (Relationship.RelationshipPeriods[.RelationshipPeriod].N.StartDate);
    # the CSV names them Relationship.Period.N.startDate.
    for key in list(flat):
        m = _PERIOD_KEY.match(key)
        if m:
            n, leaf = m.group(1) or "1", _PERIOD_LEAF.get(m.group(2), m.group(2))
            flat[f"Relationship.Period.{n}.{leaf}"] = flat.pop(key)
    return flat


def _flat_repex(rec: dict) -> dict[str, str]:
    flat = _flatten(rec.get("Exception", rec))
    # JSON: ExceptionReason is a list (ExceptionReason.1...) or one value; the golden-copy CSV
    # names them Exception.Reason.1...
    out = {"LEI": flat.get("LEI", "")}
    out["Exception.Category"] = flat.get("ExceptionCategory", "")
    for key, value in flat.items():
        for json_name, csv_name in (
            ("ExceptionReason", "Exception.Reason"),
            ("ExceptionReference", "Exception.Reference"),
        ):
            if key == json_name:
                out[f"{csv_name}.1"] = value
            elif key.startswith(json_name + "."):
                out[f"{csv_name}.{key.rsplit('.', 1)[1]}"] = value
    return out


def _lei(value: str, what: str, where: str) -> str:
    """An LEI with its ISO 17442 check digits verified (ownership.values.checked_identifier)."""
    value = value.strip().upper()
    if len(value) != 20 or not value.isalnum():
        raise ImportRefused(
            f"{where}: {what} {value!r} is not an LEI (20 letters and digits, ISO 17442)"
        )
    try:
        return checked_identifier("lei", value)
    except BadValue:
        raise ImportRefused(
            f"{where}: {what} {value!r} is not a valid LEI: its check digits are wrong "
            "(ISO 17442, ISO 7064 mod 97-10); check it was copied whole"
        ) from None


def _iso(value: str, where: str) -> date | None:
    try:
        return iso_date(value)
    except BadValue as exc:
        raise ImportRefused(f"{where}: {exc}") from None


def _rr_header(fieldnames: list[str]) -> None:
    missing = [c for c in RR_REQUIRED if c not in fieldnames]
    if missing:
        raise ImportRefused(
            f"line 1: the header lacks {', '.join(missing)} (is this the GLEIF relationship "
            "records file, rr-golden-copy?)"
        )


def read_relationships(handle: BinaryIO) -> Iterator[Relationship]:
    """The relationship records of a golden-copy RR file (CSV or JSON), one at a time; a bad
    row raises ImportRefused naming its line (or record)."""
    for where, row in _rows(handle, check_header=_rr_header, flatten=_flat_rr):
        for col in RR_REQUIRED:
            if not row.get(col):
                raise ImportRefused(f"{where}: {col} is empty")
        start = end = None
        for n in range(1, 6):
            if (
                row.get(f"Relationship.Period.{n}.periodType", "RELATIONSHIP_PERIOD")
                == "RELATIONSHIP_PERIOD"
            ):
                start = start or _iso(row.get(f"Relationship.Period.{n}.startDate", ""), where)
                end = end or _iso(row.get(f"Relationship.Period.{n}.endDate", ""), where)
        yield Relationship(
            child=_lei(row["Relationship.StartNode.NodeID"], "child", where),
            parent=_lei(row["Relationship.EndNode.NodeID"], "parent", where),
            type=row["Relationship.RelationshipType"].upper(),
            status=row.get("Relationship.RelationshipStatus", "ACTIVE").upper(),
            registration=row.get("Registration.RegistrationStatus", "").upper(),
            validation=row.get("Registration.ValidationSources", "").upper(),
            start=start,
            end=end,
            updated=row.get("Registration.LastUpdateDate", "")[:10],
            where=where,
        )


def _repex_layout(fieldnames: list[str]) -> tuple[str, str, str]:
    for layout in REPEX_HEADERS.values():
        category, reason, _ = layout
        if category in fieldnames and any(
            f == reason or f.startswith(reason + ".") for f in fieldnames
        ):
            return layout
    raise ImportRefused(
        "line 1: the header lacks Exception.Category and Exception.Reason.1 (the golden copy's "
        "reporting-exceptions columns; or ExceptionCategory and ExceptionReason). Is this the "
        "repex-golden-copy file?"
    )


def _numbered(row: dict[str, str], col: str) -> list[str]:
    """The values of `col` and `col.1`, `col.2`... that are not empty."""
    values = [row.get(col, "")] + [row.get(f"{col}.{n}", "") for n in range(1, 11)]
    return [v for v in values if v]


def read_exceptions(handle: BinaryIO) -> Iterator[ExceptionRecord]:
    """The reporting exceptions of a golden-copy repex file (CSV or JSON), one at a time."""
    layout = REPEX_HEADERS["golden copy"]

    def check(fieldnames: list[str]) -> None:
        nonlocal layout
        if "LEI" not in fieldnames:
            raise ImportRefused("line 1: the header lacks LEI (is this the repex file?)")
        layout = _repex_layout(fieldnames)

    for where, row in _rows(handle, check_header=check, flatten=_flat_repex):
        cat_col, reason_col, ref_col = layout
        category = row.get(cat_col, "").upper()

        reasons = [r.upper() for r in _numbered(row, reason_col)]
        if category not in EXCEPTION_CATEGORIES:
            raise ImportRefused(
                f"{where}: exception category {category!r} is not one of "
                f"{sorted(EXCEPTION_CATEGORIES)}"
            )
        if not reasons:
            raise ImportRefused(f"{where}: the exception gives no reason")
        for reason in reasons:
            if reason not in EXCEPTION_REASONS:
                raise ImportRefused(
                    f"{where}: exception reason {reason!r} is not one of "
                    f"{sorted(EXCEPTION_REASONS)}"
                )
        reference = "; ".join(_numbered(row, ref_col))
        if len(reasons) > 1:
            reference = "; ".join(
                filter(None, [reference, "further reasons: " + ", ".join(reasons[1:])])
            )
        yield ExceptionRecord(
            lei=_lei(row.get("LEI", ""), "LEI", where),
            category=category,
            reason=reasons[0],
            reference=reference,
            where=where,
        )


# ---------------------------------------------------------------------- writing
def _edge_values(rels: list[Relationship]) -> EdgeValues:
    """One edge for one (parent, child) pair, from its direct and/or ultimate record."""
    types = " and ".join(sorted({r.type for r in rels}))
    validation = sorted({r.validation for r in rels if r.validation})
    updated = max((r.updated for r in rels), default="")
    return EdgeValues(
        stake_pct=None,
        # An ultimate parent alone holds through intermediaries; with a direct record, directly.
        interest_level=Ownership.Level.DIRECT
        if any(r.type == DIRECT for r in rels)
        else Ownership.Level.INDIRECT,
        controlling=True,
        confirmed=any(r.validation in CORROBORATED for r in rels),
        citation_url=f"https://search.gleif.org/#/record/{rels[0].child}",
        as_of=_iso(updated, rels[0].where) if updated else None,
        start_date=min((r.start for r in rels if r.start), default=None),
        end_date=max((r.end for r in rels if r.end), default=None),
        basis=(
            f"GLEIF Level 2: {types} (accounting consolidation, not a shareholding); "
            f"validation {', '.join(validation) or 'not stated'}."
        ),
        nature=Ownership.Nature.CONSOLIDATION,
    )


def write_gleif(
    *,
    relationships: Iterable[Relationship],
    exceptions: Iterable[ExceptionRecord],
    file_name: str,
) -> GleifSummary:
    """Write GLEIF records in one transaction (all or nothing). Both arguments may be streams
    (`read_relationships(handle)`): they are consumed once, inside the transaction, and a bad
    row (ImportRefused) rolls back everything. Only the records of LEIs the desk knows are
    kept in memory."""
    summary = GleifSummary()
    with transaction.atomic():
        session = ImportSession(source=Ownership.Source.GLEIF, file_name=file_name)
        session.summary = summary
        pairs: dict[tuple[str, str], list[Relationship]] = {}
        for rel in relationships:
            if rel.type not in CONSOLIDATION_TYPES:
                summary.skipped[f"{rel.type} relationships"] += 1
            elif rel.status != "ACTIVE" or rel.registration not in LIVE_REGISTRATIONS:
                summary.skipped["inactive, retired or annulled relationships"] += 1
            elif rel.child not in session.by_lei:
                summary.skipped["relationships of LEIs the desk does not know"] += 1
            elif rel.parent not in session.by_lei:
                summary.skipped["relationships whose parent the desk does not know"] += 1
                summary.missing_parents.append(
                    f"{session.by_lei[rel.child].name}: {rel.type} {rel.parent} (add it with its LEI)"
                )
            else:
                pairs.setdefault((rel.parent, rel.child), []).append(rel)
        for (parent, child), rels in pairs.items():
            session.put_edge(
                owner=session.by_lei[parent],
                owned=session.by_lei[child],
                values=_edge_values(rels),
                record=f"{child}>{parent}:" + "+".join(sorted({r.type for r in rels})),
            )
        session.flush_edges()
        if summary.changed_register():
            register_changed.send(sender=__name__)
        existing = {
            (e.entity_id, e.category): e
            for e in ReportingException.objects.filter(entity__lei__gt="")
        }
        now = timezone.now()
        for exc in exceptions:
            entity: Entity | None = session.by_lei.get(exc.lei)
            if entity is None:
                summary.skipped["exceptions of LEIs the desk does not know"] += 1
                continue
            row = existing.get((entity.pk, exc.category))
            if row is None:
                row = ReportingException.objects.create(
                    entity=entity,
                    category=exc.category,
                    reason=exc.reason,
                    reference=exc.reference,
                    source_file=file_name[:255],
                    imported_at=now,
                )
                existing[(entity.pk, exc.category)] = row
                summary.exceptions_added += 1
            elif (row.reason, row.reference) == (exc.reason, exc.reference):
                summary.exceptions_unchanged += 1
            else:
                row.reason, row.reference = exc.reason, exc.reference
                row.source_file, row.imported_at = file_name[:255], now
                row.save()
                summary.exceptions_updated += 1
    return summary


# ---------------------------------------------------------------------- the public API
class GleifUnreachable(Exception):
    """The API could not be reached (offline machine, DNS, timeout) or answered oddly."""


def _api_get(path: str) -> dict | None:
    import requests

    base = settings.REEX_GLEIF_API.rstrip("/")
    url = f"{base}/{path}"
    try:
        response = requests.get(url, timeout=15, headers={"Accept": "application/vnd.api+json"})
    except requests.RequestException as exc:
        raise GleifUnreachable(
            f"cannot reach the GLEIF API at {base} ({exc.__class__.__name__}). The refresh needs "
            "internet access; on this machine import the golden-copy files with "
            "--relationships / --exceptions instead"
        ) from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise GleifUnreachable(f"the GLEIF API answered HTTP {response.status_code} for {url}")
    try:
        return response.json().get("data")
    except ValueError:
        raise GleifUnreachable(f"the GLEIF API sent something that is not JSON for {url}") from None


def fetch_api_records(lei: str) -> tuple[list[Relationship], list[ExceptionRecord]]:
    """Direct and ultimate parent relationships and reporting exceptions of one LEI."""
    lei = _lei(lei, "LEI", "--refresh")
    rels: list[Relationship] = []
    excs: list[ExceptionRecord] = []
    for which in ("direct", "ultimate"):
        data = _api_get(f"lei-records/{lei}/{which}-parent-relationship")
        if data:
            attrs = data.get("attributes") or {}
            rel, reg = attrs.get("relationship") or {}, attrs.get("registration") or {}
            period = next(
                (p for p in rel.get("periods") or [] if p.get("type") == "RELATIONSHIP_PERIOD"), {}
            )
            where = f"API {lei} {which} parent"
            rels.append(
                Relationship(
                    child=_lei((rel.get("startNode") or {}).get("id", ""), "child", where),
                    parent=_lei((rel.get("endNode") or {}).get("id", ""), "parent", where),
                    type=str(rel.get("type", "")).upper(),
                    status=str(rel.get("status", "")).upper(),
                    registration=str(reg.get("status", "")).upper(),
                    validation=str(reg.get("corroborationLevel", "")).upper(),
                    start=_iso(period.get("startDate") or "", where),
                    end=_iso(period.get("endDate") or "", where),
                    updated=str(reg.get("lastUpdateDate") or "")[:10],
                    where=where,
                )
            )
        data = _api_get(f"lei-records/{lei}/{which}-parent-reporting-exception")
        if data:
            attrs = data.get("attributes") or {}
            excs.append(
                ExceptionRecord(
                    lei=lei,
                    category=str(attrs.get("category", "")).upper(),
                    reason=str(attrs.get("reason", "")).upper(),
                    reference=str(attrs.get("reference") or ""),
                    where=f"API {lei} {which} exception",
                )
            )
    return rels, excs
