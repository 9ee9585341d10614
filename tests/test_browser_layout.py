"""Desk and admin hold at 1280-1920 px without sideways scrolling (issue 25), in real headless
Chromium: the claim's admin page (its evidence table), an entity's admin page (its "Owned by" /
"Owns" tables), the queue and the claim page. Measured as the issue measured it:
`document.scrollingElement.scrollWidth <= clientWidth`, and no table wider than the page."""

from __future__ import annotations

import os

import pytest

from claims.models import Claim
from ownership.models import Entity, Ownership
from tests import test_browser
from tests.factories import EvidenceFactory, SnapshotFactory, UserFactory
from tests.test_browser_report import vet_the_seed_article

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = test_browser.browser

WIDTHS = [1280, 1366, 1920]
MEASURE = """() => {
  const s = document.scrollingElement;
  const tables = [...document.querySelectorAll('table')].map(t => Math.ceil(t.getBoundingClientRect().right));
  return {scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, widestTable: Math.max(0, ...tables)};
}"""


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(test_browser.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")


@pytest.fixture
def pages(live_server):
    editor = UserFactory(username="ed", groups=["editor"])
    vet_the_seed_article(editor)
    claim = Claim.objects.get(key="nre-h1-net-profit-growth")
    # Long URLs and a failed archive with a long reason: what made the tables wide.
    long = "https://www.reuters.com/markets/commodities/" + "very-long-story-slug-" * 8 + "2025"
    EvidenceFactory(
        claim=claim,
        url=long,
        publisher=Entity.objects.get(domains__domain="reuters.com"),
        excerpt="Net profit rose 1,882.5% in the first half, the company said in a filing. " * 3,
        snapshot=SnapshotFactory(
            url=long,
            failed=True,
            error="DNS lookup failed for www.reuters.com: Name or service not known " * 2,
        ),
    )
    # The entity with the most ownership edges either way.
    entity = max(
        Entity.objects.all(),
        key=lambda e: (
            Ownership.objects.filter(owned=e).count() + Ownership.objects.filter(owner=e).count()
        ),
    )
    return {
        "the claim's admin page": f"/admin/claims/claim/{claim.pk}/change/",
        "an entity's admin page": f"/admin/sources/entity/{entity.pk}/change/",
        "the queue": "/",
        "the claim page": f"/claims/{claim.pk}/",
        "the dashboard": "/dashboard/",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_no_sideways_scrolling(browser, live_server, pages, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, "ed")
        wide = {}
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            m = page.evaluate(MEASURE)
            if m["scrollWidth"] > m["clientWidth"] or m["widestTable"] > m["clientWidth"]:
                wide[name] = m
        assert wide == {}, f"sideways scrolling at {width} px: {wide}"
    finally:
        context.close()
