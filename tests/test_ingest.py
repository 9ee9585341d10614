"""Ingest (claims.ingest, `manage.py ingest`, the admin's "Add article from URL"): a real local
origin through the safe fetcher and the archive, local files, re-ingest, and bad input."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pytest_httpserver import HTTPServer

from claims.models import Article, ClaimProposal
from ownership.models import Domain
from sources.models import Snapshot
from tests.factories import ClaimFactory, EntityFactory, make_pdf

BODY = (
    "Lynas Rare Earths said on Tuesday that its Kalgoorlie processing plant produced 1,200 "
    "tonnes of mixed rare earth carbonate in the June quarter, up 35% from a year earlier. "
    "The company expects to spend A$500 million on the expansion of its Mt Weld mine by 2026. "
    "Japan's JOGMEC holds a stake in Lynas through a loan facility. Is this the end of China's "
    "grip on the market? This is a wake-up call for Beijing. Revenue fell to A$112.5 million "
    "in the quarter, according to Reuters."
)
TITLE = "Lynas extends its lead outside China"


def page(title: str = TITLE, body: str = BODY, date: str = "2025-07-22") -> bytes:
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
    return (
        f'<html><head><title>{title}</title><meta property="article:published_time" '
        f'content="{date}T08:00:00Z"><script>fetch("https://tracker.example/")</script></head>'
        f"<body><nav>Home | Markets</nav><article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Leave a Reply</footer></body></html>"
    ).encode()


PDF_LINES = [s.strip() + "." for s in BODY.split(". ") if s.strip()]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def ingest(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_html_from_a_local_origin_is_archived_extracted_and_proposed(origin: HTTPServer, media):
    origin.expect_request("/news/lynas").respond_with_data(page(), content_type="text/html")
    url = origin.url_for("/news/lynas")

    output = ingest(url)

    article = Article.objects.get()
    assert "Created article" in output and "Proposals: " in output
    assert (article.title, article.url, str(article.published_on)) == (TITLE, url, "2025-07-22")
    assert "1,200 tonnes" in article.text and "Home | Markets" not in article.text
    snapshot = article.snapshot
    assert snapshot.status == Snapshot.Status.ARCHIVED and len(snapshot.sha256) == 64
    assert (media / snapshot.body.name).exists() and (media / snapshot.warc.name).exists()
    proposals = list(article.proposals.all())
    assert proposals and all(article.text[p.span_start : p.span_end] == p.text for p in proposals)
    assert not any("wake-up call" in p.text or p.text.endswith("?") for p in proposals)
    assert any(p.kind == "figure" and "1,200 tonnes" in p.text for p in proposals)


@pytest.mark.django_db
def test_a_pdf_from_a_local_origin_is_ingested(origin: HTTPServer):
    origin.expect_request("/results.pdf").respond_with_data(
        make_pdf(PDF_LINES, "Quarterly activities report"), content_type="application/pdf"
    )

    ingest(origin.url_for("/results.pdf"))

    article = Article.objects.get()
    assert article.title == "Quarterly activities report"
    assert str(article.published_on) == "2025-07-08"
    assert "1,200 tonnes" in article.text
    assert article.snapshot.content_type == "application/pdf"
    assert article.proposals.filter(text__contains="Revenue fell").exists()


@pytest.mark.django_db
def test_files_are_ingested_and_the_url_gives_the_outlet(tmp_path):
    outlet = EntityFactory(name="Mining Daily", slug="mining-daily", kind="media_outlet")
    Domain.objects.create(domain="miningdaily.net", entity=outlet)
    (tmp_path / "a.txt").write_text(f"{TITLE}\n\n{BODY}\n", encoding="utf-8")
    (tmp_path / "b.html").write_bytes(page(title="Second story", date="2025-08-01"))
    (tmp_path / "c.pdf").write_bytes(make_pdf(PDF_LINES, "A PDF story"))

    ingest(str(tmp_path / "a.txt"), "--url", "https://www.miningdaily.net/lynas")
    ingest(str(tmp_path / "b.html"))
    ingest(str(tmp_path / "c.pdf"), "--no-propose")

    a, b, c = (Article.objects.get(title=t) for t in (TITLE, "Second story", "A PDF story"))
    assert (a.outlet, a.url, a.snapshot) == (outlet, "https://www.miningdaily.net/lynas", None)
    assert a.text.startswith(TITLE) and a.proposals.exists()
    assert (b.outlet, str(b.published_on)) == (None, "2025-08-01")
    assert not c.proposals.exists()


@pytest.mark.django_db
def test_a_reingest_reports_what_differs_and_changes_nothing_without_update(origin: HTTPServer):
    origin.expect_request("/s").respond_with_data(page(), content_type="text/html")
    url = origin.url_for("/s")
    ingest(url)
    article = Article.objects.get()
    ClaimFactory(article=article, span_start=0, span_end=5, text=article.text[:5])
    origin.clear()
    changed = BODY.replace("35%", "37%")
    origin.expect_request("/s").respond_with_data(
        page(title="Lynas widens its lead", body=changed, date="2025-07-23"),
        content_type="text/html",
    )

    output = ingest(url)

    assert "Not updated (use --update to apply)" in output
    assert "title: 'Lynas extends its lead outside China' → 'Lynas widens its lead'" in output
    assert "published on: 2025-07-22 → 2025-07-23" in output
    assert "text: " in output and "first difference" in output
    fresh = Article.objects.get()
    assert (fresh.title, fresh.text, fresh.snapshot_id) == (
        article.title,
        article.text,
        article.snapshot_id,
    )
    assert Snapshot.objects.count() == 1  # the new copy was not kept

    output = ingest(url, "--update")

    fresh = Article.objects.get()
    assert "Updated" in output and "The text was NOT updated: 1 claim(s)" in output
    assert (fresh.title, str(fresh.published_on)) == ("Lynas widens its lead", "2025-07-23")
    assert fresh.text == article.text  # a claim points into it
    assert fresh.snapshot_id != article.snapshot_id


@pytest.mark.django_db
def test_a_reingest_of_an_identical_copy_says_nothing_differs(tmp_path):
    (tmp_path / "a.txt").write_text(f"{TITLE}\n\n{BODY}\n", encoding="utf-8")
    ingest(str(tmp_path / "a.txt"))
    assert "nothing differs" in ingest(str(tmp_path / "a.txt"))
    assert Article.objects.count() == 1


def _refused(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        ingest(*args)
    assert not Article.objects.exists() and not Snapshot.objects.exists()
    assert not ClaimProposal.objects.exists()
    return str(info.value)


@pytest.mark.django_db
def test_a_page_that_is_not_an_article_is_refused(origin: HTTPServer, media):
    origin.expect_request("/").respond_with_data(
        b"<html><head><title>Mining Daily</title></head><body><nav>Markets | Login</nav>"
        b"<p>Welcome back.</p></body></html>",
        content_type="text/html",
    )
    origin.expect_request("/logo.png").respond_with_data(b"\x89PNG...", content_type="image/png")

    message = _refused(origin.url_for("/"))
    assert "does not look like an article" in message and "words of text" in message
    assert not any(media.rglob("*.*")), "the stored body and WARC were removed again"
    assert "is not an article" in _refused(origin.url_for("/logo.png"))


@pytest.mark.django_db
def test_a_page_with_no_text_is_refused(origin: HTTPServer, tmp_path):
    origin.expect_request("/app").respond_with_data(
        b"<html><head><script>render()</script></head><body></body></html>",
        content_type="text/html",
    )
    assert "No text could be extracted" in _refused(origin.url_for("/app"))
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    assert "No text could be extracted" in _refused(str(tmp_path / "empty.txt"))


@pytest.mark.django_db
def test_refused_and_unreachable_addresses_and_bad_files_are_refused(origin: HTTPServer, tmp_path):
    assert "Refused address" in _refused("http://10.1.2.3/story")
    assert "Refused address" in _refused("http://localhost:8000/story")
    assert "http:// or https://" in _refused("ftp://example.org/story")
    origin.expect_request("/gone").respond_with_data(b"", status=404)
    assert "HTTP 404" in _refused(origin.url_for("/gone"))
    assert "No such file" in _refused(str(tmp_path / "missing.txt"))
    assert "only .htm, .html, .pdf, .txt files" in _refused(str(tmp_path / "notes.docx"))


@pytest.mark.django_db
def test_an_unreachable_origin_is_refused_with_the_reason(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    settings.REEX_FETCH_ALLOWLIST = [f"127.0.0.1:{port}"]
    message = _refused(f"http://127.0.0.1:{port}/story")
    assert "could not be fetched" in message and "connection refused" in message


# --- The admin: "Add article from URL" -----------------------------------------------------


@pytest.mark.django_db
def test_the_admin_adds_an_article_from_a_url(client, editor, origin: HTTPServer):
    origin.expect_request("/a").respond_with_data(page(), content_type="text/html")
    client.force_login(editor)
    form_url = reverse("admin:claims_article_ingest")
    listing = client.get(reverse("admin:claims_article_changelist"))
    assert form_url in listing.content.decode()

    response = client.post(form_url, {"url": origin.url_for("/a")}, follow=True)

    article = Article.objects.get()
    assert response.status_code == 200
    assert "Review the proposals" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith(
        f"?article__id__exact={article.pk}&status__exact=pending"
    )
    assert article.proposals.count() >= 4


@pytest.mark.django_db
def test_the_admin_form_shows_bad_input_and_differences(
    client, editor, origin: HTTPServer, tmp_path
):
    client.force_login(editor)
    form_url = reverse("admin:claims_article_ingest")

    response = client.post(form_url, {"url": "http://192.168.0.10/x"})
    assert response.status_code == 200
    assert "Refused address" in response.content.decode()
    story = tmp_path / "story.txt"
    story.write_text(f"{TITLE}\n\n{BODY}\n", encoding="utf-8")
    response = client.post(form_url, {"url": str(story)})  # a path on the server: never read
    assert "Enter a full web address" in response.content.decode()
    assert not Article.objects.exists()

    origin.expect_request("/a").respond_with_data(page(), content_type="text/html")
    client.post(form_url, {"url": origin.url_for("/a")})
    origin.clear()
    origin.expect_request("/a").respond_with_data(page(title="New title"), content_type="text/html")

    response = client.post(form_url, {"url": origin.url_for("/a")})
    html = response.content.decode()
    assert response.status_code == 200 and "already here" in html and "New title" in html
    assert Article.objects.get().title == TITLE

    response = client.post(form_url, {"url": origin.url_for("/a"), "update": "on"})
    assert response.status_code == 302
    assert Article.objects.get().title == "New title"


@pytest.mark.django_db
def test_reviewers_cannot_ingest(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("admin:claims_article_ingest"))
    assert response.status_code == 302 and "/login/" in response["Location"]
