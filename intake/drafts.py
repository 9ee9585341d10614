"""A draft: an article as intake.ingest read it from a URL or a file, not stored yet. Ingest
makes one (`draft_from_url`, `draft_from_file`); intake.services.articles.article_ingest writes it.
Both import it from here, so ingest uses services and services never uses ingest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ownership.models import Entity
from sources.models import Snapshot


@dataclass
class Draft:
    title: str
    text: str
    published_on: date | None
    url: str
    outlet: Entity | None
    snapshot: Snapshot | None = None
