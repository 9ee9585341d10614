"""The desk as a reviewer lives in it (issue 16), in real headless Chromium: a suggestion that
stays true when an evidence row changes in place, a right column that stays where it was, no
dead end on an unknown publisher, and archived copies that open inside the desk.

Real parts only: the live server, a real Celery worker archiving from a local HTTP origin on
127.0.0.1 (an IP address: its publisher is unknown until an editor classifies it) and the
browser. The browser fixtures and helpers are tests/test_browser.py's.
"""

from __future__ import annotations

import re
import threading

import pytest
from werkzeug import Request, Response

from claims.models import ClassificationRequest, Evidence
from claims.services.evidence import evidence_attach
from claims.services.status import claim_take
from sources.models import Snapshot
from tests import test_browser
from tests.factories import UserFactory
from tests.test_browser import REPORT, sign_in
from tests.test_queue_views import build_world
from tests.worker import wait_for

# The Chromium fixtures of tests/test_browser.py, shared (one browser per module).
browser = test_browser.browser
page = test_browser.page

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

COLUMN_TOP = "document.querySelector('.col-side').getBoundingClientRect().top + window.scrollY"


def column_top(page) -> float:
    """The right column's top in page coordinates, measured where the reviewer is: scrolled
    down to the evidence they just attached (the column must not follow or drop)."""
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    return page.evaluate(COLUMN_TOP)


def test_panel_decide_box_and_counts_follow_the_evidence_row_and_the_column_holds(
    page, browser, live_server, celery_worker_proc, origin, settings
):
    settings.REEX_MIN_INDEPENDENT_SOURCES = 1
    world = build_world()
    rita = UserFactory(username="rita", groups=["reviewer"])
    UserFactory(username="ed", groups=["editor"])
    claim_take(claim=world.claim, actor=rita)
    release_origin = threading.Event()

    def report(request: Request) -> Response:
        release_origin.wait(30)
        return Response(REPORT, content_type="text/html; charset=utf-8")

    origin.expect_request("/nre-h1").respond_with_handler(report)
    source_url = origin.url_for("/nre-h1")

    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/claims/{world.claim.pk}/")
    top_before = page.evaluate(COLUMN_TOP)

    # Attach from the form: the row polls while the worker waits on the origin.
    page.get_by_label("Source URL").fill(source_url)
    page.get_by_label("Stance").select_option("supports")
    page.get_by_role("button", name="Attach and archive").click()
    evidence = wait_for(
        lambda: Evidence.objects.filter(claim=world.claim).first(), what="the evidence row"
    )
    item = page.locator(f"#evidence-{evidence.pk}")
    item.wait_for()
    panel = page.locator("#suggestion-panel")
    advice = page.locator("#decision-advice")
    summary = page.locator("#evidence-summary")
    assert "127.0.0.1: not archived yet" in panel.inner_text()
    assert "1 archiving" in summary.inner_text()

    # The snapshot becomes archived in place ...
    release_origin.set()
    item.locator(".snapshot-archived").wait_for(timeout=45_000)
    # ... and in the same response the panel, the decide box and the counts moved with it:
    # nothing still says "not archived yet", and nothing waits for a second request.
    panel_text, advice_text, summary_text = (
        panel.inner_text(),
        advice.inner_text(),
        summary.inner_text(),
    )
    assert "not archived yet" not in panel_text
    assert "Did not count: unknown publisher 127.0.0.1" in panel_text
    assert "No suggestion yet" in panel_text
    assert "No suggestion yet" in advice_text
    assert "an editor classifying 127.0.0.1" in advice_text
    assert "archiving" not in summary_text
    assert "1 supports" in summary_text
    assert panel_text.count("No suggestion yet") == 1  # the headline, not repeated below
    assert "Suggestion: no suggestion yet" not in panel_text

    # The right column is where it was before the update.
    assert abs(column_top(page) - top_before) <= 1, (top_before, column_top(page))

    # A verdict the rule does not give is refused with what would change the outcome, never
    # "choose the suggested verdict" (there is none).
    page.get_by_label("Verdict").select_option("independently_verified")
    page.get_by_label("Rationale").fill("Reuters confirms it.")
    page.get_by_role("button", name="Record verdict").click()
    page.locator("#decision-section .flash-error").wait_for()
    decision = page.inner_text("#decision-section")
    assert "Refused" in decision
    assert "choose the suggested verdict" not in decision
    assert "What would change the outcome: an editor classifying 127.0.0.1" in decision
    assert "No suggestion yet" in page.inner_text("#suggestion-panel")
    assert abs(column_top(page) - top_before) <= 1

    # No dead end: ask an editor to classify the domain.
    item.get_by_role("button", name="Ask an editor to classify 127.0.0.1").click()
    item.get_by_text("Asked an editor to classify 127.0.0.1").wait_for()
    request = ClassificationRequest.objects.get()
    assert (request.domain, request.requested_by, request.evidence_id) == (
        "127.0.0.1",
        rita,
        evidence.pk,
    )
    assert item.get_by_role("button", name=re.compile("Ask an editor")).count() == 0

    # The editor sees it on their queue (with a count) and in the admin list, and answers it.
    editor_context = browser.new_context(viewport={"width": 1366, "height": 900})
    editor_context.set_default_timeout(15_000)
    editor_page = editor_context.new_page()
    sign_in(editor_page, live_server, "ed")
    requests_link = editor_page.locator("#classification-requests")
    assert re.search(r"Classification requests\s*1", requests_link.inner_text())
    requests_link.get_by_role("link").click()
    editor_page.wait_for_url(re.compile(r"/admin/claims/classificationrequest/"))
    listed = editor_page.locator("#result_list tbody tr")
    assert listed.count() == 1
    assert "127.0.0.1" in listed.inner_text()
    assert "rita" in listed.inner_text()
    listed.get_by_role("link", name="127.0.0.1", exact=True).click()
    editor_page.get_by_label("Publisher").select_option(label="Reuters")
    editor_page.get_by_role("button", name="Save", exact=True).click()
    editor_page.locator(".messagelist").get_by_text("Reuters is now the publisher").wait_for()
    request.refresh_from_db()
    assert request.resolved_at is not None
    assert (request.resolved_by.username, request.publisher) == ("ed", world.reuters)
    editor_page.goto(live_server.url + "/")
    assert re.search(
        r"Classification requests\s*0", editor_page.inner_text("#classification-requests")
    )
    editor_context.close()

    # The reviewer sees the answer on the claim page, and the suggestion follows it.
    page.goto(f"{live_server.url}/claims/{world.claim.pk}/")
    notice = page.locator(".notices")
    assert "An editor classified 127.0.0.1 as Reuters" in notice.inner_text()
    assert "Classified on request" in item.inner_text()
    assert "Independently verified" in page.inner_text("#suggestion-panel")
    assert "The rule suggests Independently verified" in page.inner_text("#decision-advice")
    assert "1 independent group" in page.inner_text("#evidence-summary")


def test_archived_copy_and_text_open_inside_the_desk(
    page, browser, live_server, celery_worker_proc, origin
):
    world = build_world()
    UserFactory(username="rita", groups=["reviewer"])
    origin.expect_request("/nre-h1").respond_with_data(REPORT, content_type="text/html")
    evidence = evidence_attach(
        claim=world.claim, url=origin.url_for("/nre-h1"), stance="supports", actor=None
    )
    wait_for(
        lambda: Snapshot.objects.filter(pk=evidence.snapshot_id, status="archived").exists(),
        timeout=45,
        what="the report to be archived",
    )
    claim_url = f"{live_server.url}/claims/{world.claim.pk}/"
    sign_in(page, live_server, "rita")
    page.goto(claim_url)
    item = page.locator(f"#evidence-{evidence.pk}")

    # First click on each label: the panel opens in place, the page stays.
    item.locator("details.archive summary").click()
    frame = item.locator("details.archive iframe")
    frame.wait_for()
    assert page.url == claim_url
    item.locator("details.text summary").click()
    item.locator("details.text .extracted").wait_for()
    assert "Our analysts checked the filing" in item.locator("details.text").inner_text()
    assert page.url == claim_url

    # Every link out of the panels leads to a desk page: header, a way back, the same frame.
    item.get_by_role("link", name="Open the archived copy on its own desk page").click()
    page.wait_for_url(re.compile(rf"/claims/{world.claim.pk}/evidence/{evidence.pk}/archive/$"))
    assert_desk_page(page, world.claim.pk)
    sandbox = page.locator(".evidence-page iframe").get_attribute("sandbox")
    assert sandbox == ""
    page.frame_locator(".evidence-page iframe").get_by_text("Our analysts checked").wait_for()
    # Scrolled into view first: a click while the out-of-process frame still lays out the page
    # can land before the link has settled (seen on SQLite runs).
    page.wait_for_load_state("load")
    text_link = page.locator(".evidence-page figcaption").get_by_role("link", name="extracted text")
    text_link.scroll_into_view_if_needed()
    text_link.click()
    page.wait_for_url(re.compile(rf"/claims/{world.claim.pk}/evidence/{evidence.pk}/text/$"))
    assert_desk_page(page, world.claim.pk)
    assert "Our analysts checked the filing" in page.inner_text(".evidence-page")
    page.get_by_role("link", name=f"← Back to claim #{world.claim.pk}").click()
    page.wait_for_url(re.compile(rf"/claims/{world.claim.pk}/#evidence-{evidence.pk}$"))

    # Without JavaScript (or clicked before the panel loaded) the labels' links are desk pages
    # too, never the bare sandboxed body.
    nojs = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
    nojs.add_cookies(page.context.cookies())
    bare = nojs.new_page()
    bare.goto(claim_url)
    row = bare.locator(f"#evidence-{evidence.pk}")
    for label, link, tail in [
        ("Archived copy", "Open the archived copy", "archive/"),
        ("Extracted text", "Open the extracted text", "text/"),
    ]:
        row.locator("summary", has_text=label).click()
        row.get_by_role("link", name=link).click()
        bare.wait_for_url(re.compile(rf"/evidence/{evidence.pk}/{tail}$"))
        assert_desk_page(bare, world.claim.pk)
        bare.go_back()
        row = bare.locator(f"#evidence-{evidence.pk}")
    nojs.close()


def assert_desk_page(page, claim_pk: int) -> None:
    assert page.locator("header.top .brand").count() == 1  # the desk's header
    back = page.get_by_role("link", name=f"← Back to claim #{claim_pk}")
    assert back.count() == 1
    assert "/archive/" not in page.url.split("/claims/")[0] + "/"  # not the bare endpoints
    assert "/content/" not in page.url
