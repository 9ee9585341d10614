"""The desk with a browser capture, in a real Chromium (the fixtures of tests/test_browser.py):
the screenshot beside the extracted text, the capture's links, a reviewer's re-capture."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection

from sources import capture
from sources.archive import archive_snapshot
from sources.models import Snapshot
from tests import test_browser
from tests.factories import EvidenceFactory, SnapshotFactory, UserFactory
from tests.test_browser import sign_in
from tests.test_capture import WORDS, serve_shell

browser = test_browser.browser
page = test_browser.page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def archive_in_a_thread(snapshot_id: int) -> None:
    """The capture's own Chromium runs on its own event loop: not in the thread where the test's
    Playwright (sync API) runs one."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            archive_snapshot(snapshot_id=snapshot_id)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)
        finally:
            capture.close_renderer()  # this thread's Chromium
            connection.close()  # and its database connection

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not errors, errors


def test_the_desk_shows_the_screenshot_beside_the_text(
    page, live_server, origin, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REEX_CAPTURE_MODE = "auto"
    UserFactory(username="rita", groups=["reviewer"])
    url = serve_shell(origin)
    snapshot = SnapshotFactory(url=url)
    archive_in_a_thread(snapshot.pk)
    snapshot.refresh_from_db()
    assert snapshot.capture == "browser", snapshot.capture_note
    ev = EvidenceFactory(url=url, snapshot=snapshot)

    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}{ev.claim.get_absolute_url()}#evidence-{ev.pk}")
    page.get_by_text("Extracted text and screenshot").click()
    shot = page.locator(".text-and-shot img")
    shot.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('.text-and-shot img'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    text = page.locator(".text-and-shot .extracted")
    assert WORDS in text.inner_text()
    text_box, shot_box = text.bounding_box(), shot.bounding_box()
    assert shot_box["x"] >= text_box["x"] + text_box["width"] - 1  # beside, not below
    if os.environ.get("REEX_SCREENSHOTS"):
        test_browser.screenshot(page, "capture-desk.png")

    page.get_by_role("button", name="Capture again in a browser").click()
    page.get_by_text("A browser capture of").wait_for()
    assert Snapshot.objects.filter(previous=snapshot, capture_wanted="browser").exists()
