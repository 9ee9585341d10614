"""Ingest: a new article from a URL or a file, through the same safe pipeline as evidence.

A URL is archived exactly as evidence is (sources.fetch safe-fetch rules, sources.archive
storage of the body and a WARC, sources.extract extraction from the STORED copy), but
synchronously: ingest is an editor's action (`manage.py ingest`, the admin's "Add article
from URL"), never a reviewer's page, so waiting for one fetch (at most REEX_FETCH_TIMEOUT) is
acceptable there. A file (.html, .htm, .txt, .pdf) is extracted by the same extractor; it has no
archived copy (there is nothing to fetch), and `url` may say where it was published.

The outlet is the publisher of the URL's domain (ownership.publishers). Writing the article is
`intake.services.articles.article_ingest`: a re-ingest of an article already here changes nothing
unless asked (`update=True`): it reports what differs. The title is `choose_title`'s (a first
line only when it reads like a title). Anything that is not an article (too little text, a type
that is not a page, a refused or unreachable address, a binary, empty or oversized file) raises
`IngestError` with a sentence a person can act on, naming the next step, and nothing is stored.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from claims.services.evidence import address_refusal
from claims.stated_figures import parse_figures
from intake.drafts import Draft
from intake.proposer.text import reflow
from intake.proposer.verbs import _PAST
from intake.services.articles import IngestResult, article_ingest
from ownership.publishers import publisher_for_url
from sources.archive import archive_snapshot
from sources.extract import HTML_TYPES, PDF_TYPES, TEXT_TYPES, extract
from sources.models import Snapshot
from sources.services.snapshots import snapshot_discard, storable

MIN_WORDS = 50
ARTICLE_TYPES = HTML_TYPES | PDF_TYPES | TEXT_TYPES
FILE_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
}
MAX_FILE_BYTES = 15 * 1024 * 1024
#: A title longer than this, in words or characters, is a sentence or a paragraph (a press
#: release's headline runs to 20 words or more: "X signs binding offtake and SEK 180 million
#: equity agreement with Y for the Z heavy rare earth project").
TITLE_MAX_WORDS = 24
TITLE_MAX_CHARS = 180
#: A headline puts its figures in the present ("X signs SEK 180 million offtake", "Output up
#: 35%"); a first line that tells them in the past, or reports speech, is a sentence ("X told
#: investors net profit rose 35%").
_NARRATED = re.compile(
    r"(?<![-\w])(?:said|says|told|was|were|had|rose|fell|grew|came|went|saw|won|paid|made|took|gave|"
    r"sold|bought|held|led)\b"
)


class IngestError(Exception):
    """Nothing was stored; the message says why and what to do."""


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _looks_binary(text: str) -> bool:
    """Text decoded from a binary file (an image, a zip, a .docx renamed .txt): NUL bytes, or
    many control characters or undecodable bytes (U+FFFD) in its first 8,000 characters."""
    sample = text[:8000]
    if "\x00" in sample:
        return True
    odd = sum(
        1
        for c in sample
        if c == "\ufffd" or (unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    )
    return odd > max(8, len(sample) // 50)


def _check_article(text: str, *, where: str) -> None:
    if _looks_binary(text):
        raise IngestError(
            f"{where} is not text: it holds binary data (an image, an archive, a word "
            "processor's file?). Save the article as .txt, .html or .pdf (for a Word file: "
            "File → Save as → PDF) and ingest that file. Nothing was stored."
        )
    if not text.strip():
        raise IngestError(
            f"No text could be extracted from {where}: it may be empty, an image-only PDF (a "
            "scan) or a page built by scripts. Open it to check; for a scan, ingest a text or "
            "HTML version of the article instead. Nothing was stored."
        )
    n = _words(text)
    if n < MIN_WORDS:
        raise IngestError(
            f"{where} does not look like an article: only {n} words of text (at least "
            f"{MIN_WORDS} expected). Check the address points at the article itself, not a "
            "front page, a login wall or a file. Nothing was stored."
        )


def draft_from_url(url: str, *, title: str = "") -> Draft:
    """Archive `url` now (safe fetch, storage, extraction) and read the article from the
    stored copy. Raises IngestError (and keeps nothing) when it cannot."""
    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        raise IngestError("Enter a full web address starting with http:// or https://.")
    refusal = address_refusal(url)
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
        if kind == "too_large":
            raise IngestError(
                f"{url} is too large to be an article ({reason}). Check the address points at "
                "one article, not a whole report or a data file; for a long report, save the "
                "part that is the article as a file and ingest that. Nothing was stored."
            )
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
        title=choose_title(
            snapshot.text,
            metadata=snapshot.title,
            html=mime in HTML_TYPES,
            name=_url_name(final),
            given=title,
        ),
        text=snapshot.text,
        published_on=snapshot.published_on,
        url=url,
        outlet=publisher_for_url(final) or publisher_for_url(url),
        snapshot=snapshot,
    )


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def reads_like_title(text: str) -> bool:
    """Does the text's first line read like a title? Not when it is the start of a paragraph
    (the reflow joins it to the next line: hard-wrapped copy), longer than `TITLE_MAX_WORDS`
    words or `TITLE_MAX_CHARS` characters, ends a sentence with a period (or breaks off with a
    comma, a semicolon, a hyphen), or tells figures in the past as a sentence does ("X told
    investors net profit rose 35%"; a headline has them in the present, `_NARRATED`)."""
    first = _first_line(text)
    if not first:
        return False
    start = text.index(first)
    end = start + len(first)
    if end < len(text) and reflow(text).text[end] != text[end]:
        return False  # the line break after it was joined: a wrapped paragraph's first line
    words = first.split()
    if len(words) > TITLE_MAX_WORDS or len(first) > TITLE_MAX_CHARS:
        return False
    last = words[-1].lower()
    if first.endswith(".") and not re.fullmatch(
        r"(?:[a-z]\.)+|co\.|ltd\.|inc\.|corp\.|plc\.", last
    ):
        return False
    if first[-1] in ",;-–":
        return False
    figures = [f for f in parse_figures(first) if f.get("unit") not in {"year", "date"}]
    narrated = _NARRATED.search(first) or _PAST.search(first)
    return not (figures and narrated and len(words) > 8)


def _name_title(name: str) -> str:
    """A title from a file name: "lynas_q2-2025.report.txt" → "lynas q2 2025 report"."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return " ".join(re.split(r"[\s_.+-]+", stem)).strip()


def _url_name(url: str) -> str:
    parts = urlsplit(url)
    segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    return segment or parts.hostname or url


def choose_title(
    text: str, *, metadata: str = "", html: bool = False, name: str = "", given: str = ""
) -> str:
    """The article's title: `given` (`--title`) when there is one; else, for a web page, the
    title the page declares (`metadata`, as the extractor read it); else the first line when it
    reads like a title (`reads_like_title`); else a PDF's own title (`metadata`, unless it is
    the extractor's guess, the first line again); else the file name (`name`)."""
    given = " ".join((given or "").split())
    if given:
        return storable(given)[:500]
    metadata = " ".join((metadata or "").split())
    first = _first_line(text)
    candidates = []
    if html:
        candidates.append(metadata)
    if reads_like_title(text):
        candidates.append(first)
    if metadata != first:
        candidates.append(metadata)
    candidates.append(_name_title(name))
    return storable(next((c for c in candidates if c), "Untitled article"))[:500]


def draft_from_file(path: str | Path, *, url: str = "", title: str = "") -> Draft:
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
    size = path.stat().st_size
    if size == 0:
        raise IngestError(
            f"{path.name} is empty (0 bytes): check it is the file you meant (a save or an "
            "export may have failed) and ingest it again. Nothing was stored."
        )
    if size > MAX_FILE_BYTES:
        raise IngestError(
            f"{path.name} is {size / (1024 * 1024):.0f} MB, larger than the "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB an article can be: it is likely several "
            "articles, a whole report or a data file. Save the article alone as a file and "
            "ingest that. Nothing was stored."
        )
    body = path.read_bytes()
    if mime == "application/pdf" and not body.lstrip()[:5] == b"%PDF-":
        raise IngestError(
            f"{path.name} is not a PDF (it does not start as one does): it may be another kind "
            "of file renamed. Open it, save or print it as PDF, and ingest that. Nothing was "
            "stored."
        )
    utf16 = body[:2] in {codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE}
    if mime != "application/pdf" and not utf16 and b"\x00" in body[:8000]:
        raise IngestError(
            f"{path.name} is not text: it holds binary data (an image, an archive, a word "
            "processor's file?). Save the article as .txt, .html or .pdf (for a Word file: "
            "File → Save as → PDF) and ingest that file. Nothing was stored."
        )
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
        title=choose_title(
            text,
            metadata=extracted.title,
            html=mime == "text/html",
            name=path.name,
            given=title,
        ),
        text=text,
        published_on=extracted.published_on,
        url=url,
        outlet=publisher_for_url(url) if url else None,
    )


def ingest(
    source: str, *, url: str = "", title: str = "", update: bool = False, propose: bool = True
) -> IngestResult:
    """`source` is a URL or a path to a file (see the module docstring); `title`, if given, is
    the article's title (else `choose_title` picks one)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", source.strip(), re.I):
        if url:
            raise IngestError("--url is only for files; a URL is its own address.")
        draft = draft_from_url(source, title=title)
    else:
        draft = draft_from_file(source, url=url, title=title)
    return article_ingest(draft=draft, update=update, propose=propose)
