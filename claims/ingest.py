"""Ingest: a new article from a URL or a file, through the same safe pipeline as evidence.

A URL is archived exactly as evidence is (sources.fetch safe-fetch rules, sources.archive
storage of the body and a WARC, sources.extract extraction from the STORED copy), but
synchronously: ingest is an editor's action (`manage.py ingest`, the admin's "Add article
from URL"), never a reviewer's page, so waiting for one fetch (at most REEX_FETCH_TIMEOUT) is
acceptable there. A file (.html, .htm, .txt, .pdf) is extracted by the same extractor; it has no
archived copy (there is nothing to fetch), and `url` may say where it was published.

The outlet is the publisher of the URL's domain (ownership.publishers). Writing the article is
`claims.services.article_ingest`: a re-ingest of an article already here changes nothing
unless asked (`update=True`): it reports what differs. Anything
that is not an article (too little text, a type that is not a page, a refused or unreachable
address) raises `IngestError` with a sentence a person can act on, and nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from claims import services
from ownership.models import Entity
from ownership.publishers import publisher_for_url
from sources.archive import archive_snapshot
from sources.extract import HTML_TYPES, PDF_TYPES, TEXT_TYPES, extract
from sources.models import Snapshot
from sources.services import snapshot_discard, storable

MIN_WORDS = 50
ARTICLE_TYPES = HTML_TYPES | PDF_TYPES | TEXT_TYPES
FILE_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
}
MAX_FILE_BYTES = 15 * 1024 * 1024


class IngestError(Exception):
    """Nothing was stored; the message says why and what to do."""


@dataclass
class Draft:
    title: str
    text: str
    published_on: date | None
    url: str
    outlet: Entity | None
    snapshot: Snapshot | None = None


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _check_article(text: str, *, where: str) -> None:
    if not text.strip():
        raise IngestError(
            f"No text could be extracted from {where}: it may be an image-only PDF, a page "
            "built by scripts, or empty. Nothing was stored."
        )
    n = _words(text)
    if n < MIN_WORDS:
        raise IngestError(
            f"{where} does not look like an article: only {n} words of text (at least "
            f"{MIN_WORDS} expected). Check the address points at the article itself, not a "
            "front page, a login wall or a file. Nothing was stored."
        )


def draft_from_url(url: str) -> Draft:
    """Archive `url` now (safe fetch, storage, extraction) and read the article from the
    stored copy. Raises IngestError (and keeps nothing) when it cannot."""
    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        raise IngestError("Enter a full web address starting with http:// or https://.")
    refusal = services.address_refusal(url)
    if refusal:
        raise IngestError(refusal)
    snapshot = Snapshot.objects.create(url=url)
    outcome = archive_snapshot(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    if snapshot.status != Snapshot.Status.ARCHIVED:
        reason = snapshot.error or outcome.reason
        kind = snapshot.error_kind
        snapshot_discard(snapshot=snapshot)
        if kind == "content_type":
            raise IngestError(
                f"{url} is not an article: {reason} (only HTML pages, PDFs and plain text are "
                "ingested). Nothing was stored."
            )
        if kind == "address":
            raise IngestError(f"Refused address: {reason}. Only public web addresses are fetched.")
        raise IngestError(f"{url} could not be fetched: {reason}. Nothing was stored.")
    mime = snapshot.content_type.split(";", 1)[0].strip().lower()
    try:
        if mime not in ARTICLE_TYPES:
            raise IngestError(
                f"{url} is not an article: it serves {mime or 'no content type'} (only HTML "
                "pages, PDFs and plain text are ingested). Nothing was stored."
            )
        _check_article(snapshot.text, where=url)
    except IngestError:
        snapshot_discard(snapshot=snapshot)
        raise
    final = snapshot.final_url or url
    return Draft(
        title=(snapshot.title or _first_line(snapshot.text))[:500],
        text=snapshot.text,
        published_on=snapshot.published_on,
        url=url,
        outlet=publisher_for_url(final) or publisher_for_url(url),
        snapshot=snapshot,
    )


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def draft_from_file(path: str | Path, *, url: str = "") -> Draft:
    """Read an article from a local .html, .htm, .txt or .pdf file; `url`, if given, is where it
    was published (its domain gives the outlet; nothing is fetched)."""
    path = Path(path)
    mime = FILE_TYPES.get(path.suffix.lower())
    if mime is None:
        raise IngestError(
            f"{path.name}: only {', '.join(sorted(FILE_TYPES))} files can be ingested."
        )
    if not path.is_file():
        raise IngestError(f"No such file: {path}.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise IngestError(f"{path.name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    body = path.read_bytes()
    url = (url or "").strip()
    if url and not url.lower().startswith(("http://", "https://")):
        raise IngestError("--url must be a full web address starting with http:// or https://.")
    try:
        extracted = extract(body, mime_type=mime, url=url or path.resolve().as_uri())
    except Exception as exc:  # noqa: BLE001 - a broken file is bad input, said in words
        raise IngestError(f"{path.name} could not be read as {mime}: {exc}") from None
    text = storable(extracted.text)
    _check_article(text, where=path.name)
    return Draft(
        title=storable(extracted.title or _first_line(text))[:500],
        text=text,
        published_on=extracted.published_on,
        url=url,
        outlet=publisher_for_url(url) if url else None,
    )


def ingest(
    source: str, *, url: str = "", update: bool = False, propose: bool = True
) -> services.IngestResult:
    """`source` is a URL or a path to a file (see the module docstring)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", source.strip(), re.I):
        if url:
            raise IngestError("--url is only for files; a URL is its own address.")
        draft = draft_from_url(source)
    else:
        draft = draft_from_file(source, url=url)
    return services.article_ingest(draft=draft, update=update, propose=propose)
