"""Status badges (issue 25): a claim's verdict and an article's claims by status, for an
iframe on the newsroom's site; published reports only; framed only by REEX_EMBED_ORIGINS;
cached like the report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim
from claims.services.reports import article_set_report_published
from tests.test_report import article  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_an_unpublished_report_has_no_badges(client, article):  # noqa: F811
    claim = Claim.objects.filter(article=article).first()
    assert client.get(reverse("claims:embed-claim", args=[claim.pk])).status_code == 404
    assert client.get(reverse("claims:embed-article", args=[article.key])).status_code == 404


def test_badges_show_the_verdict_and_frame_only_for_allowed_origins(
    client,
    article,  # noqa: F811
    editor,
    settings,
):
    settings.REEX_EMBED_ORIGINS = ["https://www.rareearthexchanges.com"]
    article_set_report_published(article=article, published=True, actor=editor)
    claim = Claim.objects.get(article=article, key="state-sourced")
    response = client.get(reverse("claims:embed-claim", args=[claim.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "State-sourced" in body and "Only the claimant&#x27;s own state apparatus" in body
    assert f"/articles/{article.key}/report/#claim-2" in body
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors https://www.rareearthexchanges.com" in csp
    assert "default-src 'none'" in csp and "X-Frame-Options" not in response
    assert response["Cache-Control"] == "public, max-age=300"
    assert "<script" not in body
    page = client.get(reverse("claims:embed-article", args=[article.key]))
    assert page.status_code == 200
    assert 'data-status="state_sourced" data-count="1"' in page.content.decode()
    assert "6 claims vetted" in page.content.decode()


def test_without_origins_only_this_site_frames_them(client, article, editor, settings):  # noqa: F811
    settings.REEX_EMBED_ORIGINS = []
    article_set_report_published(article=article, published=True, actor=editor)
    response = client.get(reverse("claims:embed-article", args=[article.key]))
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
