"""The public report as a cached page (claims/views/report.py): rendered once per change, served
from the cache (Redis when REDIS_URL is set) with an ETag and Cache-Control a CDN can use, and
never a stale verdict: a decision drops the page on commit, any other change shows within
CHECK_SECONDS."""

from __future__ import annotations

import gzip
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Article, Claim
from claims.services.reports import article_set_report_published
from claims.services.status import claim_set_status
from claims.views import report as report_views
from tests.factories import ArticleFactory, ClaimFactory, EvidenceFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = "Net profit rose 12% in the first half. Output doubled. Exports fell."


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the tests' own cache (REDIS_URL's database, or this process's memory)
    yield
    cache.clear()


@pytest.fixture
def published(editor):
    article = ArticleFactory(key="cached-report", text=TEXT)
    for i, span in enumerate(("Net profit rose 12%", "Output doubled", "Exports fell")):
        claim = ClaimFactory(article=article, key=f"c{i}", span=span)
        EvidenceFactory(claim=claim)
    article_set_report_published(article=article, published=True, actor=editor)
    return article


def _page(client, article, **headers):
    return client.get(article.get_report_url(), **headers)


def test_readers_get_the_page_from_the_cache_with_no_query(client, published):
    first = _page(client, published)
    assert first.status_code == 200
    assert first["Cache-Control"] == report_views.PUBLIC_CACHE_CONTROL
    assert "s-maxage=1" in first["Cache-Control"]
    assert first["ETag"]
    with CaptureQueriesContext(connection) as ctx:
        again = _page(client, published)
    assert again.status_code == 200
    assert again.content == first.content
    assert len(ctx.captured_queries) == 0  # within CHECK_SECONDS: the cache alone
    assert _page(client, published, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    zipped = _page(client, published, HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == first.content


def test_after_checking_an_unchanged_page_is_not_rendered_again(client, published, monkeypatch):
    _page(client, published)
    monkeypatch.setattr(report_views, "CHECK_SECONDS", 0.0)  # every request checks
    rendered = []
    monkeypatch.setattr(
        report_views, "build_report", lambda **kw: rendered.append(1) or original(**kw)
    )
    with CaptureQueriesContext(connection) as ctx:
        assert _page(client, published).status_code == 200
    assert rendered == []
    assert len(ctx.captured_queries) == 1  # the stamps, the register version among them


original = report_views.build_report


def test_a_decision_shows_to_the_next_reader(
    client, published, reviewer, django_capture_on_commit_callbacks
):
    before = _page(client, published)
    assert b"status-in_review" not in before.content
    claim = Claim.objects.get(article=published, key="c1")
    with django_capture_on_commit_callbacks(execute=True):
        claim_set_status(
            claim=claim, status="in_review", actor=reviewer, rationale="", version=claim.version
        )
    after = _page(client, published, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200  # no stale verdict, not even for a second
    assert b"status-in_review" in after.content
    assert after["ETag"] != before["ETag"]


def test_other_changes_show_within_a_second(client, published):
    before = _page(client, published)
    article = Article.objects.get(pk=published.pk)
    article.title = "A corrected headline"
    article.save()
    time.sleep(report_views.CHECK_SECONDS + 0.1)
    after = _page(client, published)
    assert b"A corrected headline" in after.content
    assert after["ETag"] != before["ETag"]


def test_a_withdrawn_report_is_gone_at_once(client, published, editor):
    assert _page(client, published).status_code == 200
    client.force_login(editor)
    client.post(f"{published.get_report_url()}publish/", {"published": "0", "confirmed": "1"})
    client.logout()
    assert _page(client, published).status_code == 404


def test_staff_and_other_queries_are_rendered_for_them_and_private(client, published, editor):
    _page(client, published)
    client.force_login(UserFactory(username="staffer", groups=["editor"], is_staff=True))
    staff = _page(client, published)
    assert staff["Cache-Control"] == "private, no-store"
    assert b"Withdraw the public report" in staff.content
    client.logout()
    assert b"Withdraw" not in _page(client, published).content
    assert "public" not in client.get(f"{published.get_report_url()}?x=1").get("Cache-Control", "")
    shown = _page(client, published, QUERY_STRING="all=1")
    assert b"show-all" in shown.content
    assert b"show-all" not in _page(client, published).content
