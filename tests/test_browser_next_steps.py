"""A failed archive's next steps in real headless Chromium, with a real Celery worker and a
local HTTP origin (issue 25): the reviewer sees "Archiving failed" and the reason, retries
(the worker archives it this time), replaces another source's dead URL with a live one (it
archives), and removes a third; each step is in the audit trail on the page."""

from __future__ import annotations

import os

import pytest
from werkzeug import Response

from claims.models import Evidence, EvidenceEvent
from sources.models import Snapshot
from tests import test_browser
from tests.factories import EvidenceFactory, SnapshotFactory, UserFactory
from tests.test_queue_views import build_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

browser = test_browser.browser
page = test_browser.page

STORY = """<!doctype html><html><head><title>Northern Rare Earth profit soars</title></head>
<body><article><p>China Northern Rare Earth reported that net profit rose 1,882.5% in the first
half, according to figures reviewed by our newsroom.</p></article></body></html>"""
DNS = "DNS lookup failed for www.reuters.com: Name or service not known"


def failed_source(claim, url: str, reviewer) -> Evidence:
    return EvidenceFactory(
        claim=claim,
        url=url,
        publisher=None,
        added_by=reviewer,
        snapshot=SnapshotFactory(url=url, failed=True, error=DNS),
    )


def test_retry_replace_and_remove_a_failed_source(page, live_server, celery_worker_proc, origin):
    world = build_world()
    UserFactory(username="rita", groups=["reviewer"])
    rob = UserFactory(username="rob", groups=["reviewer"])
    origin.expect_request("/back-up").respond_with_response(
        Response(STORY, content_type="text/html; charset=utf-8")
    )
    origin.expect_request("/new-home").respond_with_response(
        Response(STORY, content_type="text/html; charset=utf-8")
    )
    flaky = failed_source(world.claim, origin.url_for("/back-up"), rob)
    moved = failed_source(world.claim, origin.url_for("/gone"), rob)
    dup = failed_source(world.claim, origin.url_for("/dup"), rob)

    test_browser.sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/claims/{world.claim.pk}/")
    item = page.locator(f"#evidence-{flaky.pk}")
    text = item.inner_text()
    assert "Archiving failed" in text and DNS in text
    assert "Not archived yet" not in text

    # Retry: the worker archives it this time, and the row updates in place.
    item.get_by_role("button", name="Retry archiving").click()
    page.wait_for_url(f"**/claims/{world.claim.pk}/**")
    assert "Archiving again" in page.inner_text("body")
    page.locator(f"#evidence-{flaky.pk} .snapshot-archived").wait_for(timeout=45_000)
    assert Snapshot.objects.get(pk=flaky.snapshot_id).status == Snapshot.Status.ARCHIVED

    # Replace: the dead URL for one that answers; the new one is archived.
    item = page.locator(f"#evidence-{moved.pk}")
    item.locator("summary", has_text="Replace the URL").click()
    item.get_by_label("New URL").fill(origin.url_for("/new-home"))
    item.get_by_label("Why replace it (for the audit trail, optional)").fill("The story moved")
    item.get_by_role("button", name="Replace and archive the new URL").click()
    page.wait_for_url(f"**/claims/{world.claim.pk}/**")
    assert "URL replaced" in page.inner_text("body")
    page.locator(f"#evidence-{moved.pk} .snapshot-archived").wait_for(timeout=45_000)
    assert Evidence.objects.get(pk=moved.pk).url.endswith("/new-home")

    # Remove: gone from the page, kept in the audit trail.
    item = page.locator(f"#evidence-{dup.pk}")
    item.locator("summary", has_text="Remove the source").click()
    item.get_by_role("button", name="Remove this source from the claim").click()
    page.wait_for_url(f"**/claims/{world.claim.pk}/**")
    assert page.locator(f"#evidence-{dup.pk}").count() == 0
    trail = page.locator(".source-events").inner_text()
    for words in ("Archiving retried", "URL replaced", "Source removed", "rita"):
        assert words in trail, words
    assert [e.action for e in EvidenceEvent.objects.order_by("id")] == [
        "retry_archive",
        "replace_url",
        "remove",
    ]
    test_browser.screenshot(page, "next-steps.png")
