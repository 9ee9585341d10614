"""Load the seed files in seeds/: validate everything first, then write in one transaction.

The loader is idempotent (rows are matched by stable keys: entity slug, domain, owner/owned pair,
article key, claim key) and never touches review state: a claim's status, version, assignee and
evidence stay as reviewers left them. Bad data is refused with the file and record named, and
nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from claims.materialised import suggestions_deferred
from claims.models import Article, Claim
from ownership.models import Domain, Entity, Ownership

SEED_DIR = Path(settings.BASE_DIR) / "seeds"
ENTITY_FILES = ("entities.yaml", "outlets.yaml")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9\u00a1-\uffff-]{1,63}\.)+[a-z\u00a1-\uffff0-9-]{2,63}$"
)


class SeedError(Exception):
    """Bad seed data; the message names the file and the record."""


@dataclass
class LoadReport:
    entities: int = 0
    domains: int = 0
    ownership: int = 0
    claims: int = 0
    outlets: int = 0
    created: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        new = sum(self.created.values())
        return (
            f"{self.claims} claims, {self.entities} entities ({self.outlets} in the outlet "
            f"register), {self.domains} domains, {self.ownership} ownership edges "
            f"({new} rows new)"
        )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError(f"{path.name}: file not found in {path.parent}") from None
    except NotADirectoryError:
        raise SeedError(f"{path.parent} is not a folder of seed files") from None
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SeedError(f"{path.name}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise SeedError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SeedError(f"{path.name}: expected a mapping at the top level")
    return data


def _date(value: Any, where: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SeedError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _check_entity(rec: Any, *, name: str, i: int, slug_file: dict, domain_owner: dict) -> str:
    """One entity record of file `name` (its slug, domains, kind and country); returns its
    slug. `slug_file` and `domain_owner` are what earlier records claimed."""
    slug = rec.get("slug") if isinstance(rec, dict) else None
    where = f"{name}: entity {slug or f'#{i + 1}'!r}"
    if not isinstance(rec, dict) or not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise SeedError(f"{where}: needs a slug of lowercase letters, digits and hyphens")
    if slug in slug_file:
        raise SeedError(f"{where}: duplicate slug (also in {slug_file[slug]})")
    if not rec.get("name"):
        raise SeedError(f"{where}: needs a name")
    kinds = set(Entity.Kind.values)
    if rec.get("kind") not in kinds:
        raise SeedError(f"{where}: kind {rec.get('kind')!r} is not one of {sorted(kinds)}")
    country = rec.get("country") or ""
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise SeedError(f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code")
    domains = rec.get("domains") or []
    if not isinstance(domains, list):
        raise SeedError(f"{where}: domains must be a list")
    for domain in domains:
        d = str(domain).strip().lower()
        if not DOMAIN_RE.match(d):
            raise SeedError(f"{where}: {domain!r} is not a domain name")
        if d in domain_owner:
            raise SeedError(
                f"{where}: duplicate domain {d!r} (already given to {domain_owner[d]!r})"
            )
        domain_owner[d] = slug
    return slug


def _check_owners(rec: dict, slug_file: dict[str, str]) -> None:
    """The owner edges of one entity record, once every slug is known."""
    seen_owners: set[str] = set()
    owners = rec.get("owners") or []
    if not isinstance(owners, list) or not all(isinstance(e, dict) for e in owners):
        raise SeedError(
            f"{rec['_file']}: entity {rec['slug']!r}: owners must be a list of mappings"
        )
    for edge in owners:
        where = f"{rec['_file']}: entity {rec['slug']!r}, owner {edge.get('owner')!r}"
        if edge.get("owner") not in slug_file:
            raise SeedError(f"{where}: unknown entity {edge.get('owner')!r}")
        if edge["owner"] == rec["slug"]:
            raise SeedError(f"{where}: an entity cannot own itself")
        if edge["owner"] in seen_owners:
            raise SeedError(f"{where}: a second edge for the same owner (merge them into one)")
        seen_owners.add(edge["owner"])
        stake = edge.get("stake_pct")
        if stake is not None:
            try:
                value = Decimal(str(stake))
            except InvalidOperation:
                raise SeedError(f"{where}: stake_pct {stake!r} is not a number") from None
            if not 0 <= value <= 100:
                raise SeedError(f"{where}: stake_pct {stake!r} is outside 0-100")
        _date(edge.get("as_of"), where)


def _validate_entities(seed_dir: Path) -> tuple[list[dict], dict[str, str]]:
    """Every entity record, checked; and slug → file name."""
    records: list[dict] = []
    slug_file: dict[str, str] = {}
    domain_owner: dict[str, str] = {}
    for name in ENTITY_FILES:
        data = _read(seed_dir / name)
        items = data.get("entities")
        if not isinstance(items, list):
            raise SeedError(f"{name}: expected a list under 'entities'")
        for i, rec in enumerate(items):
            slug = _check_entity(
                rec, name=name, i=i, slug_file=slug_file, domain_owner=domain_owner
            )
            slug_file[slug] = name
            records.append({**rec, "_file": name})
    for rec in records:
        _check_owners(rec, slug_file)
    return records, slug_file


def _validate_article(seed_dir: Path, slugs: dict[str, str]) -> tuple[dict, str]:
    data = _read(seed_dir / "article.yaml").get("article")
    if not isinstance(data, dict) or not data.get("key"):
        raise SeedError("article.yaml: expected an 'article' mapping with a key")
    where = f"article.yaml: article {data['key']!r}"
    outlet = data.get("outlet")
    if outlet and outlet not in slugs:
        raise SeedError(f"{where}: unknown outlet entity {outlet!r}")
    text_file = data.get("text_file")
    if not text_file:
        raise SeedError(f"{where}: needs text_file")
    try:
        text = (seed_dir / text_file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SeedError(f"{where}: text file {text_file!r} not found") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise SeedError(
            f"{where}: text file {text_file!r} cannot be read as UTF-8 ({exc})"
        ) from None
    _date(data.get("published_on"), where)
    return data, text


def _validate_claims(seed_dir: Path, text: str, slugs: dict[str, str]) -> list[dict]:
    items = _read(seed_dir / "claims.yaml").get("claims")
    if not isinstance(items, list):
        raise SeedError("claims.yaml: expected a list under 'claims'")
    keys: set[str] = set()
    kinds = set(Claim.Kind.values)
    for i, rec in enumerate(items):
        key = rec.get("key") if isinstance(rec, dict) else None
        where = f"claims.yaml: claim {key or f'#{i + 1}'!r}"
        if not isinstance(key, str) or not SLUG_RE.match(key):
            raise SeedError(f"{where}: needs a key of lowercase letters, digits and hyphens")
        if key in keys:
            raise SeedError(f"{where}: duplicate key")
        keys.add(key)
        start, end = rec.get("start"), rec.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise SeedError(f"{where}: offsets {start!r}..{end!r} are not a span of the article")
        if text[start:end] != rec.get("text"):
            raise SeedError(
                f"{where}: the offsets {start}..{end} do not match its text: the article has "
                f"{text[start:end][:60]!r}, the record says {str(rec.get('text'))[:60]!r}"
            )
        if rec.get("kind") not in kinds:
            raise SeedError(f"{where}: kind {rec.get('kind')!r} is not one of {sorted(kinds)}")
        for ref in [rec.get("origin"), *(rec.get("subjects") or [])]:
            if ref not in slugs:
                raise SeedError(f"{where}: unknown entity {ref!r}")
        figures = rec.get("figures") or []
        if not isinstance(figures, list) or not all(
            isinstance(f, dict) and ("value" in f or ("low" in f and "high" in f)) for f in figures
        ):
            raise SeedError(
                f"{where}: figures must be a list of {{value, unit}} or {{low, high, unit}}"
            )
    return items


@dataclass
class _Writer:
    """Writes rows matched by their stable keys: created when missing, left as they are
    (or, with `update`, overwritten from the files), counted in `report.created`."""

    report: LoadReport
    update: bool

    def put(self, model, lookup: dict[str, Any], values: dict[str, Any]):
        if self.update:
            obj, created = model.objects.update_or_create(**lookup, defaults=values)
        else:
            obj, created = model.objects.get_or_create(**lookup, defaults=values)
        name = model._meta.verbose_name_plural
        self.report.created[name] = self.report.created.get(name, 0) + created
        return obj, created


def _write_entities(w: _Writer, entities: list[dict]) -> dict[str, Entity]:
    by_slug: dict[str, Entity] = {}
    for rec in entities:
        entity, _ = w.put(
            Entity,
            {"slug": rec["slug"]},
            {
                "name": rec["name"],
                "kind": rec["kind"],
                "country": rec.get("country") or "",
                "aliases": list(rec.get("aliases") or []),
                "basis": rec.get("basis") or "",
            },
        )
        by_slug[rec["slug"]] = entity
        w.report.entities += 1
        w.report.outlets += rec["_file"] == "outlets.yaml"
    return by_slug


def _write_domains(w: _Writer, rec: dict, by_slug: dict[str, Entity]) -> None:
    """The entity's domains; one an editor gave to another entity stays with it."""
    for domain in rec.get("domains") or []:
        d = str(domain).strip().lower()
        existing = Domain.objects.filter(domain=d).select_related("entity").first()
        if existing and existing.entity.slug != rec["slug"]:
            if w.update:
                raise SeedError(
                    f"{rec['_file']}: entity {rec['slug']!r}: domain {d!r} belongs to "
                    f"{existing.entity.slug!r} in the database; an editor moved it, so "
                    "--update will not move it back (change the seed file or the admin)"
                )
            w.report.kept.append(f"domain {d} stays with {existing.entity.name}")
            continue
        w.put(Domain, {"domain": d}, {"entity": by_slug[rec["slug"]]})
        w.report.domains += 1


def _write_owners(w: _Writer, rec: dict, by_slug: dict[str, Entity]) -> None:
    for edge in rec.get("owners") or []:
        w.put(
            Ownership,
            {"owner": by_slug[edge["owner"]], "owned": by_slug[rec["slug"]]},
            {
                "stake_pct": edge.get("stake_pct"),
                "controlling": bool(edge.get("controlling")),
                "citation_url": edge.get("citation_url") or "",
                "as_of": _date(edge.get("as_of"), rec["slug"]),
                "confirmed": bool(edge.get("confirmed")),
                "basis": edge.get("basis") or "",
            },
        )
        w.report.ownership += 1


def _write_article(
    w: _Writer, article_data: dict, text: str, by_slug: dict[str, Entity]
) -> Article:
    article = Article.objects.filter(key=article_data["key"]).first()
    if w.update and article and article.text != text and article.claims.exists():
        raise SeedError(
            f"article.yaml: article {article_data['key']!r}: the stored text differs from "
            f"{article_data['text_file']} and claims point into it; refusing to change it"
        )
    article, _ = w.put(
        Article,
        {"key": article_data["key"]},
        {
            "title": article_data.get("title") or text.splitlines()[0],
            "url": article_data.get("url") or "",
            "outlet": by_slug.get(article_data.get("outlet") or ""),
            "published_on": _date(article_data.get("published_on"), "article.yaml"),
            "text": text,
        },
    )
    return article


def _write_claims(
    w: _Writer, claims: list[dict], article: Article, by_slug: dict[str, Entity]
) -> None:
    for rec in claims:
        # Review state (status, version, assignee, evidence) is never touched here.
        claim, created = w.put(
            Claim,
            {"article": article, "key": rec["key"]},
            {
                "span_start": rec["start"],
                "span_end": rec["end"],
                "text": rec["text"],
                "restatement": rec.get("restatement") or "",
                "kind": rec["kind"],
                "figures": rec.get("figures") or [],
                "origin": by_slug[rec["origin"]],
            },
        )
        if created or w.update:
            claim.subjects.set([by_slug[s] for s in rec.get("subjects") or []])
        w.report.claims += 1


def load_seeds(seed_dir: Path = SEED_DIR, *, update: bool = False) -> LoadReport:
    """Validate all seed files, then write them in one transaction. Raises SeedError.

    By default rows that already exist are left as they are: an editor's correction to a
    seeded entity, edge, domain or claim survives the next load (`make run` loads the seeds every
    time). `update=True` makes the files win and overwrites those fields (never review state).
    """
    entities, slugs = _validate_entities(seed_dir)
    article_data, text = _validate_article(seed_dir, slugs)
    claims = _validate_claims(seed_dir, text, slugs)
    w = _Writer(report=LoadReport(), update=update)
    with transaction.atomic(), suggestions_deferred():  # one rebuild at the end
        by_slug = _write_entities(w, entities)
        for rec in entities:
            _write_domains(w, rec, by_slug)
            _write_owners(w, rec, by_slug)
        article = _write_article(w, article_data, text, by_slug)
        if article.text != text:
            # Kept as the editor left it: the claims below are offsets into the seed text.
            w.report.kept.append(f"article {article.key} (its text differs from the seed file)")
        else:
            _write_claims(w, claims, article, by_slug)
    return w.report
