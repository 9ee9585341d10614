"""The records every ownership import parses a file into, and the rules on them that need no
database: `OrgRecord` and `EdgeRecord` (with its `EdgeValues`), `ImportRefused` naming the
line, the run's `ImportSummary`; names normalised for matching, a slug and a web domain from
what a file says; where two edges' values disagree, and two records of one file merged.
ownership.imports writes them (`ImportSession`, `write_import`); the formats (ownership/ftm.py,
ownership/bods_read.py, ownership/gleif.py) produce them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from anyascii import anyascii
from django.utils.text import slugify

from ownership.models import Entity, Ownership

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
