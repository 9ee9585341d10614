"""Titles (issue 27): a first line is the title only when it reads like one; else the page's
or the PDF's own title, else the file name, or `--title`. Article keys stay short."""

from __future__ import annotations

import io
import textwrap

import pytest
from django.core.management import call_command
from pytest_httpserver import HTTPServer

from claims.models import Article
from intake.ingest import choose_title, reads_like_title
from intake.services.articles import KEY_SLUG_CHARS
from tests.factories import make_pdf

WIRE = (
    "China Northern Rare Earth Group told investors this week that net profit attributable to "
    "shareholders for the first half of 2025 climbed by between 1,882.5% and 2,014.7% from a "
    "year earlier, as prices for praseodymium-neodymium oxide recovered. The state-controlled "
    "group said output of rare earth oxides rose to 68,000 tonnes. Separately, a smaller "
    "producer in Jiangxi said it had hired 40 new engineers for its separation plant."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def ingest(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "first_line",
    [
        "Lynas lifts output outside China",
        "Northern Rare Earth H1 profit up to 2,015%",
        "Rare earths: what the export controls mean for Japan?",
        "Shenghe Resources Holding Co.",
        # a release's headline: long, with figures, in the present
        "Tornefjall Minerals signs binding offtake and SEK 180 million equity agreement with a "
        "Swedish state miner for its heavy rare earth project",
    ],
)
def test_a_line_standing_alone_in_headline_form_reads_like_a_title(first_line):
    assert reads_like_title(f"{first_line}\n\n{WIRE}")


@pytest.mark.parametrize(
    "text",
    [
        WIRE,  # a sentence, ended by its period
        textwrap.fill(WIRE, width=96),  # the first line of a hard-wrapped paragraph
        "China Northern Rare Earth Group told investors that net profit rose by 1,882.5%\n\n"
        + WIRE,  # a sentence with a verb and figures, without its period
        "The Swedish junior signed a binding offtake and a SEK 180 million equity agreement\n\n"
        + WIRE,  # the same figures told in the past: a sentence, not a headline
        "Lynas said on Tuesday that its plant produced 1,200 tonnes in the June quarter, up 35%"
        " from a year earlier, and that it expects more\n\n" + WIRE,  # too long
        "",
    ],
)
def test_a_sentence_or_a_wrapped_paragraph_is_not_a_title(text):
    assert not reads_like_title(text)


def test_the_title_falls_back_from_the_first_line_to_metadata_to_the_file_name():
    assert choose_title(WIRE, name="nre-h1_2025.txt") == "nre h1 2025"
    assert choose_title(WIRE, metadata="NRE half-year results", name="r.pdf") == (
        "NRE half-year results"
    )
    # A PDF without its own title: the extractor's guess (the first line) is no title.
    assert choose_title(WIRE, metadata=WIRE.splitlines()[0], name="r.pdf") == "r"
    assert choose_title("Output climbs\n\n" + WIRE, metadata="Report", name="r.pdf") == (
        "Output climbs"
    )
    # A web page declares its title: it comes first.
    assert choose_title("Markets\n\n" + WIRE, metadata="Lynas lifts output", html=True) == (
        "Lynas lifts output"
    )
    assert choose_title(WIRE, metadata="Page", html=True, given="  My   title ") == "My title"


@pytest.mark.django_db
def test_a_text_file_whose_first_line_is_a_sentence_keeps_its_claims_and_a_short_key(tmp_path):
    story = tmp_path / "northern-rare-earth_h1.txt"
    story.write_text(textwrap.fill(WIRE, width=96) + "\n", encoding="utf-8")

    ingest(str(story))

    article = Article.objects.get()
    assert article.title == "northern rare earth h1"
    assert len(article.key) <= KEY_SLUG_CHARS + 9
    assert any(
        p.text.startswith("China Northern Rare Earth Group") for p in article.proposals.all()
    )


@pytest.mark.django_db
def test_a_long_title_gives_a_short_key_cut_at_a_word_and_title_wins(tmp_path):
    story = tmp_path / "s.txt"
    story.write_text(WIRE + "\n", encoding="utf-8")
    title = "Northern Rare Earth says first-half profit soared as praseodymium prices recovered"

    ingest(str(story), "--title", title)

    article = Article.objects.get()
    assert article.title == title
    slug, digest = article.key.rsplit("-", 1)
    assert len(slug) <= KEY_SLUG_CHARS and len(digest) == 8
    assert slug == "northern-rare-earth-says-first-half"


@pytest.mark.django_db
def test_a_pdf_takes_its_own_title_when_its_first_line_is_a_sentence(tmp_path):
    lines = textwrap.wrap(WIRE, width=80)
    (tmp_path / "a.pdf").write_bytes(make_pdf(lines, "Northern Rare Earth: H1 2025"))
    (tmp_path / "nre-results.pdf").write_bytes(make_pdf(lines, "Microsoft Word - nre.docx"))

    ingest(str(tmp_path / "a.pdf"))
    ingest(str(tmp_path / "nre-results.pdf"))

    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "Northern Rare Earth: H1 2025",
        "nre results",
    ]


@pytest.mark.django_db
def test_a_web_page_keeps_its_own_title_and_the_admin_form_takes_one(
    client, editor, origin: HTTPServer
):
    from django.urls import reverse

    page = (
        "<html><head><title>Northern Rare Earth profit soars | Mining Weekly</title>"
        '<meta property="og:title" content="Northern Rare Earth profit soars"></head><body>'
        f"<article><p>{WIRE}</p><p>{WIRE.replace('China', 'The')}</p></article></body></html>"
    ).encode()
    origin.expect_request("/a").respond_with_data(page, content_type="text/html")
    origin.expect_request("/b").respond_with_data(page, content_type="text/html")
    ingest(origin.url_for("/a"))
    client.force_login(editor)
    client.post(
        reverse("admin:claims_article_ingest"),
        {"url": origin.url_for("/b"), "title": "NRE: H1 profit"},
    )

    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "NRE: H1 profit",
        "Northern Rare Earth profit soars",
    ]
