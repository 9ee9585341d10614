"""The status badge in real headless Chromium (issue 25): inside a page on an allowed origin
(REEX_EMBED_ORIGINS) it loads and shows the verdict; on another origin Chromium refuses the
frame (CSP frame-ancestors). Both host pages come from a real local HTTP server, one reached
as 127.0.0.1 (allowed), the same server as localhost (another origin)."""

from __future__ import annotations

import os

import pytest
from werkzeug import Response

from claims.models import Claim
from claims.services.reports import article_set_report_published
from tests import test_browser
from tests.factories import UserFactory
from tests.test_browser_report import vet_the_seed_article

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = test_browser.browser
page = test_browser.page


def host_page(src: str) -> Response:
    html = f"""<!doctype html><html><head><title>Newsroom</title></head><body>
    <h1>Our story</h1><iframe id="badge" src="{src}" width="420" height="160"></iframe>
    </body></html>"""
    return Response(html, content_type="text/html; charset=utf-8")


def test_the_badge_loads_on_an_allowed_origin_and_is_refused_on_another(
    page, live_server, origin, settings
):
    editor = UserFactory(username="ed", groups=["editor"])
    article = vet_the_seed_article(editor)
    article_set_report_published(article=article, published=True, actor=editor)
    claim = Claim.objects.get(key="nre-record-output")
    badge = f"{live_server.url}/embed/claims/{claim.pk}/"
    settings.REEX_EMBED_ORIGINS = [f"http://127.0.0.1:{origin.port}"]
    origin.expect_request("/story").respond_with_response(host_page(badge))
    origin.expect_request("/article").respond_with_response(
        host_page(f"{live_server.url}/embed/articles/{article.key}/")
    )

    # Allowed: the frame shows the verdict.
    page.goto(f"http://127.0.0.1:{origin.port}/story")
    frame = page.frame_locator("#badge")
    frame.locator(".verdict").wait_for()
    assert frame.locator(".verdict").inner_text() == "State-sourced"
    assert "Only the claimant" in frame.locator(".words").inner_text()
    href = frame.locator("a.badge-card").get_attribute("href")
    assert href.endswith(f"/articles/{article.key}/report/#claim-{_number(claim)}")
    page.goto(f"http://127.0.0.1:{origin.port}/article")
    counts = page.frame_locator("#badge").locator(".count")
    counts.first.wait_for()
    assert "State-sourced 1" in [c.inner_text() for c in counts.all()]

    # Another origin (the same server as localhost): Chromium refuses to show it.
    page.goto(f"http://localhost:{origin.port}/story")
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    inner = next(f for f in page.frames if f is not page.main_frame)
    assert inner.url.startswith("chrome-error://") or not inner.locator(".verdict").count()
    test_browser.screenshot(page, "embed-refused.png")


def _number(claim: Claim) -> int:
    ids = list(
        Claim.objects.filter(article=claim.article)
        .order_by("span_start", "id")
        .values_list("id", flat=True)
    )
    return ids.index(claim.pk) + 1
