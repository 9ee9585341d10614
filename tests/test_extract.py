"""Extraction from stored bodies: HTML metadata, Chinese encodings, PDFs, plain text."""

from __future__ import annotations

import datetime
import re

import pytest

from sources.extract import decode, extract
from tests.factories import make_pdf

ARTICLE = """<html lang="{lang}"><head><meta charset="{charset}">
<title>{title} | Outlet</title>
<meta property="og:site_name" content="{site}">
<meta name="author" content="{author}">
<meta property="article:published_time" content="2025-07-08T09:00:00+08:00">
<link rel="canonical" href="https://news.example/2025/07/08/story.html">
<script>document.write("tracker")</script>
</head><body><nav>Home | World | Markets</nav><article><h1>{title}</h1>
<p>{para}</p><p>{para}</p><p>{para}</p></article><footer>Copyright</footer></body></html>"""


def test_html_metadata_and_main_text():
    html = ARTICLE.format(
        lang="en",
        charset="utf-8",
        title="Northern Rare Earth profit soars",
        site="Example News",
        author="Jane Doe",
        para="Net profit rose 1,882.5% in the first half, the company said on Tuesday.",
    ).encode()

    result = extract(html, mime_type="text/html", url="https://news.example/s")

    assert result.title.startswith("Northern Rare Earth profit soars")
    assert "Net profit rose 1,882.5%" in result.text
    assert "tracker" not in result.text
    assert "Home | World" not in result.text
    assert result.author == "Jane Doe"
    assert result.site_name == "Example News"
    assert result.published_on == datetime.date(2025, 7, 8)
    assert result.canonical_url == "https://news.example/2025/07/08/story.html"


@pytest.mark.parametrize(
    ("declared", "header"), [("gb2312", None), ("gbk", "gb2312"), ("utf-8", None)]
)
def test_chinese_pages_decode_whole(declared, header):
    para = "北方稀土公告称，稀土金属产量同比增长60.4%，达到8000吨。𠀀镕"  # 𠀀 is outside GBK
    html = ARTICLE.format(
        lang="zh",
        charset=declared,
        title="北方稀土上半年业绩",
        site="新华网",
        author="李明",
        para=para,
    ).encode("gb18030" if declared != "utf-8" else "utf-8")

    result = extract(html, mime_type="text/html", url="https://news.example/cn", charset=header)

    assert "同比增长60.4%" in result.text
    assert "𠀀镕" in result.text
    assert result.title.startswith("北方稀土上半年业绩")
    assert result.site_name == "新华网"


def test_undeclared_gb18030_is_detected():
    body = (
        "<html><body><p>" + "稀土金属产量同比增长百分之六十。" * 20 + "</p></body></html>"
    ).encode("gb18030")
    text, encoding = decode(body)
    assert "稀土金属产量" in text
    assert encoding in {"gb18030", "gbk", "gb2312"}


def test_date_is_not_guessed_from_a_bare_year():
    html = (
        b"<html><head><title>t</title></head><body><p>Plans for 2025 and beyond.</p></body></html>"
    )
    assert extract(html, mime_type="text/html", url="https://x.example/").published_on is None


def test_pdf_gives_title_text_and_date():
    body = make_pdf(
        ["Net profit rose 1,882.5% year on year."],
        "H1 2025 performance forecast",
        author="Investor Relations",
    )

    result = extract(body, mime_type="application/pdf", url="https://ir.example/f.pdf")

    assert result.title == "H1 2025 performance forecast"
    assert "Net profit rose 1,882.5% year on year." in result.text
    assert result.author == "Investor Relations"
    assert result.published_on == datetime.date(2025, 7, 8)


def test_plain_text():
    result = extract(b"Title line\n\nBody 60.4%", mime_type="text/plain", url="https://x/")
    assert (result.title, result.text) == ("Title line", "Title line\n\nBody 60.4%")


def test_the_page_own_tags_are_read_behind_an_xml_declaration():
    """The canonical link (a rel of several tokens) and the date come from the page's own
    tags, parsed once by lxml, which refuses a str with an XML encoding declaration: such a
    page is read from its UTF-8 instead."""
    html = (
        b"<?xml version='1.0' encoding='utf-8'?><html><head><title>Quota notice</title>"
        b"<link rel='alternate canonical' href=' https://miit.example/n/1 '>"
        b"<meta property='article:published_time' content='2025-07-08'></head>"
        b"<body><p>The 2025 quota was set at 270,000 tonnes.</p></body></html>"
    )

    result = extract(html, mime_type="text/html", url="https://miit.example/n/1?x=1")

    assert result.canonical_url == "https://miit.example/n/1"
    assert result.published_on == datetime.date(2025, 7, 8)
    assert "270,000 tonnes" in result.text


def test_pdf_ligatures_come_out_as_their_letters():
    # Chromium's PDFs of the corpus draw "fi" and "fl" as one glyph, which pypdf reads as
    # U+FB01 / U+FB02: "Reﬁning" would be no word a reader searches for, nor a known name.
    from pathlib import Path

    pdfs = sorted(Path(__file__).resolve().parent.parent.glob("bench/corpus/*/*/article.pdf"))
    assert pdfs
    texts = [extract(p.read_bytes(), mime_type="application/pdf", url="").text for p in pdfs]
    assert not [t for t in texts if re.search("[\ufb00-\ufb06]", t)]
    assert any("refining" in t.lower() or "first" in t.lower() for t in texts)
