"""Text and metadata from a STORED body: never from the live web.

HTML goes through trafilatura (main text, metadata) and htmldate (publication date), with the
page's own tags, parsed once by lxml, filling gaps (title, canonical URL, site name, author meta
tags; BeautifulSoup did this at 5 ms a page, more than the rest of extraction together). PDFs go through
pypdf. Bytes are decoded by the HTTP charset, then the page's own declaration, then detection;
GB2312 and GBK are read as GB18030, their superset, so Chinese pages decode whole.

Nothing here may touch the network: trafilatura and htmldate are only ever given parsed trees or
markup, never a URL to fetch (htmldate fetches when handed a URL-like string).
"""

from __future__ import annotations

import codecs
import io
import itertools
import logging
import re
from dataclasses import dataclass
from datetime import date

import lxml.html
import trafilatura
from bs4 import UnicodeDammit
from htmldate import find_date
from pypdf import PdfReader

log = logging.getLogger(__name__)

HTML_TYPES = {"text/html", "application/xhtml+xml"}
PDF_TYPES = {"application/pdf"}
TEXT_TYPES = {"text/plain"}
XML_TYPES = {"application/xml", "text/xml", "application/rss+xml", "application/atom+xml"}
ARCHIVABLE_TYPES = HTML_TYPES | PDF_TYPES | TEXT_TYPES | XML_TYPES
# Chinese legacy encodings are all subsets of GB18030: decoding with it never loses characters.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030"}
MAX_PDF_PAGES = 300
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


@dataclass
class Extracted:
    title: str = ""
    text: str = ""
    author: str = ""
    published_on: date | None = None
    site_name: str = ""
    canonical_url: str = ""
    language: str = ""
    encoding: str = ""


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(body: bytes, *, charset: str | None = None) -> tuple[str, str]:
    """Decode `body`: the HTTP charset, then a <meta> declaration, then detection."""
    candidates = [_codec(charset)]
    match = _META_CHARSET.search(body[:4096])
    if match:
        candidates.append(_codec(match.group(1).decode("ascii", "ignore")))
    for encoding in candidates:
        if encoding:
            try:
                return body.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    dammit = UnicodeDammit(body, ["utf-8", "gb18030", "big5", "shift_jis", "windows-1252"])
    if dammit.unicode_markup is not None:
        return dammit.unicode_markup, _SUPERSETS.get(dammit.original_encoding or "", "") or (
            dammit.original_encoding or ""
        )
    return body.decode("utf-8", errors="replace"), "utf-8"


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


_FULL_DATE = re.compile(
    r"(20\d{2}|19\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|-(\d{2})-(\d{2})\b)"
)


def _first_full_date(text: str) -> date | None:
    """The first complete date written in the text ("2025年7月8日", "2025-07-08")."""
    for match in _FULL_DATE.finditer(text[:5000]):
        year, month, day = (
            match.group(1),
            match.group(2) or match.group(4),
            match.group(3) or match.group(5),
        )
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            continue
    return None


def _parse(markup: str):
    """The page as one lxml tree (None when there is no document): what htmldate and the
    gap-filling read. A str carrying an XML encoding declaration is parsed from its UTF-8."""
    try:
        try:
            return lxml.html.document_fromstring(markup)
        except ValueError:  # "Unicode strings with encoding declaration are not supported"
            parser = lxml.html.HTMLParser(encoding="utf-8")
            return lxml.html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


def _meta(tree, *names: str) -> str:
    """The content of the first <meta property=NAME> or <meta name=NAME> with one, by NAME."""
    metas = [m for m in tree.iter("meta") if m.get("content")]
    for name in names:
        for attribute in ("property", "name"):
            for tag in metas:
                if tag.get(attribute) == name:
                    return " ".join(tag.get("content").split())
    return ""


def _page_text(tree) -> str:
    """Every text of the page but scripts, styles and templates, a line each (the fallback
    when trafilatura finds no main text)."""
    for tag in list(tree.iter("script", "style", "noscript", "template")):
        tag.drop_tree()  # keeps the text after the tag
    lines = (" ".join(piece.split()) for piece in tree.itertext())
    return "\n".join(line for line in lines if line)


def _inline(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _blocks(element, out: list[str]) -> None:
    """The blocks of trafilatura's tree, in reading order: a heading or a paragraph is a block,
    a list is one block of items ("- item", or "1. item" when ordered), a table row is a block
    of its cells joined by " | ". Line breaks inside a paragraph (<lb/>) stay line breaks."""
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in {"head", "p", "code"}:
            if child.find(".//list") is not None or child.find(".//table") is not None:
                _blocks(child, out)
                continue
            parts, current = [], [child.text or ""]
            for sub in child:
                if sub.tag == "lb":
                    parts.append(current)
                    current = [sub.tail or ""]
                else:
                    current.append("".join(sub.itertext()) + (sub.tail or ""))
            parts.append(current)
            lines = [" ".join("".join(p).split()) for p in parts]
            text = "\n".join(line for line in lines if line)
            if text:
                out.append(text)
        elif tag == "list":
            ordered = child.get("rend", "") == "ol"
            items = []
            for number, item in enumerate(child.iter("item"), start=1):
                own = " ".join(
                    "".join(
                        [item.text or ""]
                        + [
                            "".join(sub.itertext()) + (sub.tail or "")
                            for sub in item
                            if sub.tag != "list"
                        ]
                    ).split()
                )
                if own:
                    items.append(f"{number}. {own}" if ordered else f"- {own}")
            if items:
                out.append("\n".join(items))
        elif tag == "table":
            for row in child.iter("row"):
                cells = [_inline(cell) for cell in row.iter("cell")]
                line = " | ".join(c for c in cells if c)
                if line:
                    out.append(line)
        elif tag in {"quote", "div", "section", "body"}:
            _blocks(child, out)
        elif tag not in {"graphic", "lb"}:
            text = _inline(child)
            if text:
                out.append(text)


def structured_text(body) -> str:
    """trafilatura's main text with its structure kept: blocks (paragraphs, headings, a list,
    a table row) separated by a blank line, so what reads the text (the claim proposer) sees
    paragraphs before sentences; navigation, sidebars and footers are not in the tree."""
    out: list[str] = []
    _blocks(body, out)
    return "\n\n".join(out)


def extract_html(body: bytes, *, url: str, charset: str | None = None) -> Extracted:
    markup, encoding = decode(body, charset=charset)
    result = Extracted(encoding=encoding)

    document = None
    try:
        document = trafilatura.bare_extraction(
            markup, url=url, with_metadata=True, favor_recall=True, include_comments=False
        )
    except Exception:
        log.warning("trafilatura failed on %s", url, exc_info=True)
    if document is not None:
        data = document if isinstance(document, dict) else document.as_dict()
        result.title = (data.get("title") or "").strip()
        tree = getattr(document, "body", None)
        result.text = (structured_text(tree) if tree is not None else "").strip() or (
            data.get("text") or ""
        ).strip()
        result.author = (data.get("author") or "").strip()
        result.site_name = (data.get("sitename") or "").strip()
        result.language = (data.get("language") or "").strip()

    page = _parse(markup)
    if page is None:
        return _clipped(result)
    # The page's own tags where trafilatura gave nothing.
    if not result.title:
        title = page.find(".//title")
        result.title = _meta(page, "og:title", "twitter:title") or (
            " ".join(title.text_content().split()) if title is not None else ""
        )
    if not result.author:
        result.author = _meta(page, "author", "article:author", "byl", "dc.creator")
    if not result.site_name:
        result.site_name = _meta(page, "og:site_name", "application-name")
    canonical = next(
        (
            link.get("href").strip()
            for link in page.iter("link")
            if "canonical" in (link.get("rel") or "").split() and (link.get("href") or "").strip()
        ),
        "",
    )
    result.canonical_url = canonical or _meta(page, "og:url")
    # The date from markup only (meta tags, <time>, the URL): htmldate's extensive text search
    # and trafilatura's date guess turn a bare "2025" into 1 January, which is silently wrong.
    try:
        result.published_on = _parse_date(
            find_date(page, url=url, original_date=True, extensive_search=False)
        )
    except Exception:
        log.info("htmldate failed on %s", url, exc_info=True)
    if not result.text:
        result.text = _page_text(page)  # last: it takes the scripts out of the tree
    return _clipped(result)


def _clipped(result: Extracted) -> Extracted:
    if result.published_on is None:
        result.published_on = _first_full_date(result.text)
    result.title = result.title[:2000]
    result.author = result.author[:500]
    result.site_name = result.site_name[:500]
    result.canonical_url = (
        result.canonical_url[:2000]
        if result.canonical_url.startswith(("http://", "https://"))
        else ""
    )
    return result


# A line that is only a page number: "3", "- 3 -", "Page 3", "page 3 of 12", "3/12".
_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–—\s]*$", re.I)
# How far from a page's top or bottom a running header or footer is looked for.
_FURNITURE_LINES = 3
# A vertical gap this many times the page's usual line spacing is a paragraph break.
_PARAGRAPH_GAP = 1.4
_SENTENCE_END = re.compile(r"[.!?:][\"”’)\]]*$")


def _page_lines(page) -> list[tuple[str, float | None]]:
    """The page's lines as pypdf reads them, each with its height on the page (None when
    unknown), taken from the text positions pypdf reports while it extracts."""
    pieces: list[tuple[str, float]] = []

    def visit(text, cm, tm, font_dict, font_size) -> None:
        pieces.append((text, tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    text = page.extract_text(visitor_text=visit) or ""
    lines = text.splitlines()
    if "".join(t for t, _ in pieces) != text:
        return [(line, None) for line in lines]  # positions unusable: lines only
    heights: list[float | None] = []
    y_now: float | None = None
    line_has_text = False
    for chunk, y in pieces:
        for part in re.split(r"(\n)", chunk):
            if part == "\n":
                heights.append(y_now if line_has_text else None)
                line_has_text = False
            elif part.strip() and not line_has_text:
                y_now, line_has_text = y, True
    if line_has_text or len(heights) < len(lines):
        heights.append(y_now if line_has_text else None)
    heights = heights[: len(lines)] + [None] * (len(lines) - len(heights))
    return list(zip(lines, heights, strict=True))


def _steps(page: list[tuple[str, float | None]]) -> list[float]:
    ys = [y for _, y in page]
    return [a - b for a, b in itertools.pairwise(ys) if a is not None and b is not None and a > b]


def _with_gaps(
    pages: list[list[tuple[str, float | None]]],
) -> list[list[tuple[str, bool]]]:
    """Each line with whether vertical space (a paragraph break) comes before it: a step down
    larger than `_PARAGRAPH_GAP` times the document's usual line spacing (the lower quartile of
    all its steps: most are between the lines of a paragraph, the few larger ones are the gaps
    looked for)."""
    steps = sorted(step for page in pages for step in _steps(page))
    usual = steps[len(steps) // 4] if steps else 0
    out = []
    for page in pages:
        marked, previous = [], None
        for line, y in page:
            gap = bool(
                usual
                and previous is not None
                and y is not None
                and previous - y > _PARAGRAPH_GAP * usual
            )
            marked.append((line, gap))
            previous = y if y is not None else previous
        out.append(marked)
    return out


def _edges(page: list[tuple[str, bool]]) -> set[int]:
    """The indexes of the lines a running header or footer can be: the block at the top of the
    page before its first vertical gap and the block at the bottom after its last one, each of
    at most `_FURNITURE_LINES` lines; with no gap at all, the first and the last line."""
    texts = [i for i, (t, _) in enumerate(page) if t.strip()]
    if not texts:
        return set()
    breaks = [n for n, i in enumerate(texts) if page[i][1]]
    top = texts[: breaks[0]] if breaks else texts[:1]
    bottom = texts[breaks[-1] :] if breaks else texts[-1:]
    # The page's first and last lines are always candidates: a header set tight above the text
    # (no vertical space under it) is still a header when it recurs.
    return (
        set(top if len(top) <= _FURNITURE_LINES else [])
        | set(bottom if len(bottom) <= _FURNITURE_LINES else [])
        | {texts[0], texts[-1]}
    )


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip())


def _edge_zone(page: list[tuple[str, bool]]) -> list[int]:
    """The lines a running header or footer can be among: `_edges`, and the first and last
    `_FURNITURE_LINES` lines of the page (a footer of two lines, or a header the PDF draws
    last and pypdf reads after the text, sits there with no vertical space setting it off)."""
    texts = [i for i, (t, _) in enumerate(page) if t.strip()]
    return sorted(_edges(page) | set(texts[:_FURNITURE_LINES]) | set(texts[-_FURNITURE_LINES:]))


def _furniture(pages: list[list[tuple[str, bool]]]) -> set[str]:
    """Running headers and footers: a line near the top or the bottom edge of a page
    (`_edge_zone`) that recurs there, its digits aside ("Annual report 2025 | 7"), on at least
    half of the pages (two at least)."""
    if len(pages) < 2:
        return set()
    seen: dict[str, int] = {}
    for page in pages:
        keys = {
            _furniture_key(page[i][0])
            for i in _edge_zone(page)
            # a line of figures alone that is no page number ("2024." ending a sentence at
            # the foot of two pages) is the text's, however its digits recur
            if re.search(r"[^\W\d_]", page[i][0]) or _PAGE_NUMBER.match(page[i][0].strip())
        }
        for key in keys:
            seen[key] = seen.get(key, 0) + 1
    return {key for key, n in seen.items() if n >= max(2, (len(pages) + 1) // 2)}


def _page_furniture(page: list[tuple[str, bool]], furniture: set[str]) -> set[int]:
    """The indexes of a page's furniture lines: a recurring line or a page number in its edge
    blocks (`_edges`), and the run of such lines read inwards from its first and from its last
    line (a running header printed above a page footer, with no gap between them)."""

    def furniture_line(i: int) -> bool:
        stripped = page[i][0].strip()
        return _furniture_key(stripped) in furniture or bool(_PAGE_NUMBER.match(stripped))

    out = {i for i in _edges(page) if furniture_line(i)}
    texts = [i for i, (t, _) in enumerate(page) if t.strip()]
    for order in (texts, texts[::-1]):
        for i in order[: _FURNITURE_LINES + 1]:
            if not furniture_line(i):
                break
            out.add(i)
    return out


# The Latin ligatures of Unicode's presentation forms, as their letters: a PDF's fonts often
# draw "fi" as one glyph, which pypdf hands on as U+FB01, so "Reﬁning" would be no word a
# reader searches for or a name the desk knows. Only these: NFKC would also rewrite "²", "½"
# and "™".
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)


def pdf_text(pages: list[list[tuple[str, bool]]]) -> str:
    """The text of a PDF's pages as paragraphs for what reads it next: running headers and
    footers and page numbers dropped, a blank line where the page leaves vertical space, and a
    paragraph that goes on over a page break continued on the next line (the claim proposer's
    reflow then joins the hard-wrapped lines, hyphenated words included); ligatures as their
    letters."""
    furniture = _furniture(pages)
    out: list[str] = []
    for page in pages:
        dropped = _page_furniture(page, furniture)
        kept: list[tuple[str, bool]] = []
        gap_pending = False
        for i, (line, gap) in enumerate(page):
            stripped = line.strip()
            if not stripped:
                continue
            if i in dropped:
                gap_pending = gap_pending or gap
                continue
            kept.append((line.rstrip().translate(_LIGATURES), gap or (gap_pending and bool(kept))))
            gap_pending = False
        for n, (line, gap) in enumerate(kept):
            if not out:
                out.append(line)
            elif n == 0:
                # A new page: the paragraph goes on unless the last page ended a sentence.
                out.append(("\n\n" if _SENTENCE_END.search(out[-1]) else "\n") + line)
            else:
                out.append(("\n\n" if gap else "\n") + line)
    return "".join(out)


def _pdf_title(value: str) -> str:
    """The Info dictionary's title, unless it is a word processor's placeholder."""
    value = " ".join((value or "").split())
    if re.match(r"^(?:untitled|microsoft (?:word|powerpoint) - |document\d*$|title$)", value, re.I):
        return ""
    if re.search(r"\.(?:docx?|pdf|indd|pptx?|rtf)$", value, re.I):
        return ""
    return value


def extract_pdf(body: bytes) -> Extracted:
    reader = PdfReader(io.BytesIO(body))
    result = Extracted(encoding="pdf")
    meta = reader.metadata
    if meta is not None:
        result.title = _pdf_title(meta.title or "")[:2000]
        result.author = (meta.author or "").strip()[:500]
        try:
            created = meta.creation_date
        except Exception:  # noqa: BLE001 - malformed dates are common in PDFs
            created = None
        result.published_on = created.date() if created else None
    pages = []
    for page in reader.pages[:MAX_PDF_PAGES]:
        try:
            pages.append(_page_lines(page))
        except Exception:
            log.warning("pypdf could not read a page", exc_info=True)
    result.text = pdf_text(_with_gaps(pages))
    if not result.title and result.text:
        result.title = result.text.strip().splitlines()[0][:300]
    return result


def extract(body: bytes, *, mime_type: str, url: str, charset: str | None = None) -> Extracted:
    """Title, text and metadata from a stored body of type `mime_type`."""
    if mime_type in PDF_TYPES or body[:5] == b"%PDF-":
        return extract_pdf(body)
    if mime_type in HTML_TYPES or mime_type in XML_TYPES:
        return extract_html(body, url=url, charset=charset)
    text, encoding = decode(body, charset=charset)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return Extracted(title=first[:300], text=text.strip(), encoding=encoding)
