"""Document structure before sentences (issue 27): an HTML page and a PDF become paragraphs
first (sources.extract), so the proposer (intake.proposer) sees the same statements as in the
article's plain, unwrapped text; proposals' offsets point into the stored text exactly, for
every form (a property test over generated articles)."""

from __future__ import annotations

import re
import textwrap
from html import escape

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from intake.proposer.propose import propose
from intake.proposer.text import reflow
from sources.extract import extract
from sources.services.snapshots import storable
from tests.factories import make_pdf

TITLE = "Lynas lifts output"
PARAGRAPHS = [
    "Lynas Rare Earths said on Tuesday that its Kalgoorlie processing plant produced 1,200 "
    "tonnes of mixed rare earth carbonate in the June quarter, up 35% from a year earlier.",
    "The company expects to spend A$500 million on the expansion of its Mt Weld mine by 2026, "
    "according to its quarterly report.",
    "Revenue fell to A$112.5 million in the quarter as prices for neodymium and praseodymium "
    "oxide dropped by 18% from the previous quarter.",
    "Exports to Germany, the largest European buyer, rose 9.3% in the year to 4,100 tonnes.",
]
HEADING = "Expansion plans"
ITEMS = ["Output rose 35% to 1,200 tonnes.", "Revenue fell to A$112.5 million."]
ROWS = [("Country", "2024", "2023"), ("South Korea", "498", "510"), ("Japan", "1,200", "1,100")]


def html_page(paragraphs=PARAGRAPHS, heading=HEADING, items=ITEMS, rows=ROWS) -> bytes:
    """A news page as sites serve them: navigation, a sidebar, a footer around the article."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs[:2])
    body += f"<h2>{escape(heading)}</h2>" if heading else ""
    body += "".join(f"<p>{escape(p)}</p>" for p in paragraphs[2:])
    if items:
        body += "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
    if rows:
        cells = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        body += f"<table>{cells}</table>"
    return (
        f"<html><head><title>{TITLE} | Mining Weekly</title>"
        f'<meta property="og:title" content="{TITLE}"></head><body>'
        '<header><nav><ul><li><a href="/">Home</a></li><li><a href="/m">Markets</a></li>'
        '<li><a href="/x">Metals and mining news</a></li></ul></nav></header>'
        '<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">China bans gallium '
        'exports again</a></li><li><a href="/b">MP Materials shares jump 12%</a></li></ul>'
        f"</aside><main><article><h1>{TITLE}</h1>{body}</article></main>"
        "<footer><p>Copyright 2025 Mining Weekly. All rights reserved.</p>"
        '<a href="/privacy">Privacy policy</a></footer></body></html>'
    ).encode()


def pdf_pages(paragraphs, *, width: int, per_page: int, header: str) -> list[list[str]]:
    """The paragraphs typeset as a report: hard-wrapped at `width` with words hyphenated at
    line ends where they would overflow, a blank line between paragraphs, `per_page` lines a
    page, a running header and a page number on each."""
    lines: list[str] = []
    for paragraph in paragraphs:
        wrapped = textwrap.wrap(paragraph, width=width, break_long_words=False)
        out = []
        for line in wrapped:
            out.append(line)
        # Hyphenate: move the first half of the next line's first long word up.
        for i in range(len(out) - 1):
            first, _, rest = out[i + 1].partition(" ")
            if len(first) >= 8 and first.isalpha() and rest:
                out[i] = f"{out[i]} {first[:4]}-"
                out[i + 1] = f"{first[4:]} {rest}"
        lines += [*out, ""]
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    return [[header, "", *page, "", f"Page {n} of {len(pages)}"] for n, page in enumerate(pages, 1)]


def seen(text: str) -> list[str]:
    """What the proposer proposes, as it reads it (hard wraps and hyphenation joined)."""
    flowed = reflow(text).text
    return [" ".join(flowed[p.start : p.end].split()) for p in propose(text, title=TITLE)]


def words(text: str) -> list[str]:
    return re.findall(r"[\w.,%$]+", reflow(text).text)


def test_an_html_page_keeps_its_paragraphs_headings_items_and_rows_and_drops_the_rest():
    text = extract(html_page(), mime_type="text/html", url="https://mining.example/a").text

    blocks = text.split("\n\n")
    assert blocks[0] == TITLE and HEADING in blocks
    assert all(p in blocks for p in PARAGRAPHS)
    assert "- Output rose 35% to 1,200 tonnes.\n- Revenue fell to A$112.5 million." in blocks
    assert "South Korea | 498 | 510" in blocks and "Japan | 1,200 | 1,100" in blocks
    for furniture in ("Markets", "Most read", "gallium", "Copyright", "Privacy"):
        assert furniture not in text


def test_an_html_page_gives_the_proposals_of_its_plain_text():
    stored = storable(
        extract(html_page(items=[], rows=[]), mime_type="text/html", url="https://m.example/").text
    )
    plain = "\n\n".join([TITLE, *PARAGRAPHS[:2], HEADING, *PARAGRAPHS[2:]])

    assert seen(stored) == seen(plain)
    assert not any(p.startswith(HEADING) or HEADING in p for p in seen(stored))


def test_a_pdf_drops_running_headers_and_page_numbers_and_joins_what_it_wrapped():
    header = "Lynas Rare Earths Ltd | Quarterly activities report"
    pages = pdf_pages(PARAGRAPHS, width=62, per_page=9, header=header)
    assert len(pages) >= 2 and any(line.endswith("-") for page in pages for line in page)
    body = make_pdf([], "Quarterly activities report", pages=pages)

    text = extract(body, mime_type="application/pdf", url="file:///r.pdf").text

    assert header not in text and "Page 1 of" not in text
    assert words(text) == words("\n\n".join(PARAGRAPHS))
    assert seen(text) == seen("\n\n".join(PARAGRAPHS))


def test_a_running_header_read_at_the_page_foot_above_the_page_number_is_dropped():
    # Browsers print the header last: pypdf reads it after the text, right above the footer,
    # with no vertical space between them; a sentence running over the page break is whole.
    header = "Halden Metals Research | Critical Minerals Monthly | August 2026"
    pages = pdf_pages(PARAGRAPHS, width=62, per_page=9, header=header)
    pages = [[*page[2:-2], header, "", page[-1]] for page in pages]
    body = make_pdf([], "Monthly", pages=pages)

    text = extract(body, mime_type="application/pdf", url="file:///m.pdf").text

    assert header not in text and "Page 1 of" not in text
    assert seen(text) == seen("\n\n".join(PARAGRAPHS))


def test_a_single_page_pdf_keeps_a_line_that_only_looks_like_a_header():
    # One page: nothing repeats, so nothing is taken for a running header.
    body = make_pdf(["Lynas Rare Earths Ltd", "", *PARAGRAPHS], "Report")
    text = extract(body, mime_type="application/pdf", url="file:///r.pdf").text
    assert text.startswith("Lynas Rare Earths Ltd\n\n")


# --- The property: offsets into the stored text, whatever the form ------------------------

SENTENCES = st.sampled_from(
    [
        "Lynas said output rose 35% to 1,200 tonnes in the June quarter.",
        "The company expects to spend A$500 million on its Mt Weld mine by 2026.",
        "Revenue fell to A$112.5 million, according to Reuters.",
        "China Northern Rare Earth Group said net profit attributable to shareholders rose "
        "by between 1,882.5% and 2,014.7% in the first half of 2025.",
        "Exports to Germany, the largest European buyer, rose 9.3% to 4,100 tonnes.",
        "Is this the end of China's grip on the market?",
        "The state-owned refiner shipped 12,500 tonnes of magnets in 2024.",
        "Separately, a smaller producer in Jiangxi said it had hired 40 new engineers.",
    ]
)
# An article never repeats itself word for word: each sentence once, in paragraphs of 1-3.
ARTICLES = st.lists(SENTENCES, min_size=2, max_size=8, unique=True).flatmap(
    lambda sentences: st.lists(
        st.integers(1, 3), min_size=len(sentences), max_size=len(sentences)
    ).map(lambda sizes: _paragraphs(sentences, sizes))
)


def _paragraphs(sentences: list[str], sizes: list[int]) -> list[list[str]]:
    out, i = [], 0
    for size in sizes:
        if i < len(sentences):
            out.append(sentences[i : i + size])
            i += size
    return out


def forms(paragraphs: list[str], width: int) -> dict[str, str]:
    """The same article as each form stores it."""
    wrapped = "\n\n".join(textwrap.fill(p, width=width) for p in paragraphs)
    pdf = make_pdf(
        [],
        "Report",
        pages=pdf_pages(paragraphs, width=width, per_page=10, header="Acme Mining | Report"),
    )
    return {
        "plain": "\n\n".join(paragraphs),
        "wrapped": wrapped,
        "html": extract(
            html_page(paragraphs, heading="", items=[], rows=[]),
            mime_type="text/html",
            url="https://m.example/",
        ).text,
        "pdf": extract(pdf, mime_type="application/pdf", url="file:///r.pdf").text,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article=ARTICLES, width=st.integers(min_value=45, max_value=100))
# Found by this property: two pages each ending on a line holding only a year ("2024.",
# "2026.") took that line for a running footer and dropped it.
@example(
    article=[
        [
            "Revenue fell to A$112.5 million, according to Reuters.",
            "Separately, a smaller producer in Jiangxi said it had hired 40 new engineers.",
            "China Northern Rare Earth Group said net profit attributable to shareholders rose "
            "by between 1,882.5% and 2,014.7% in the first half of 2025.",
        ],
        [
            "Exports to Germany, the largest European buyer, rose 9.3% to 4,100 tonnes.",
            "The state-owned refiner shipped 12,500 tonnes of magnets in 2024.",
        ],
        ["The company expects to spend A$500 million on its Mt Weld mine by 2026."],
    ],
    width=67,
)
def test_offsets_point_into_the_stored_text_in_every_form(article, width):
    paragraphs = [" ".join(sentences) for sentences in article]
    expected = seen("\n\n".join(paragraphs))
    for form, text in forms(paragraphs, width).items():
        stored = storable(text)
        found = propose(stored, title=TITLE)
        for p in found:
            assert stored[p.start : p.end] == p.text, form
            assert p.text.strip() == p.text and p.text, form
        assert words(stored)[-len(words(paragraphs[-1])) :] == words(paragraphs[-1]), form
        if form != "html":  # the page's h1 is its title, the others have none
            assert seen(stored) == expected, form
