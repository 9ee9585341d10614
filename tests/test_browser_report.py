"""The vetted article and the ownership picture in real headless Chromium (Playwright, with
`executable_path` from REEX_CHROMIUM): a click or focus on a highlighted claim shows its card,
the inline pictures render, print media shows every card and hides the controls, and an
anonymous reader sees a published report read-only. REEX_SCREENSHOTS=docs writes
docs/report.png and docs/ownership.png (shown in the README).

Data: the seed article (37 claims, the real ownership register) with evidence attached to a
few claims (archived snapshots from the factories) and verdicts recorded through
claims.services.status.claim_set_status."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from claims.models import Article, Claim
from claims.services.reports import article_set_report_published
from claims.services.status import claim_set_status
from ownership.models import Entity
from tests import test_browser
from tests.factories import EvidenceFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"

# claim key -> (status, [(domain, stance)], rationale)
VETTING = {
    "nre-h1-net-profit-growth": (
        "independently_verified",
        [("reuters.com", "supports"), ("bloomberg.com", "supports"), ("xinhuanet.com", "echoes")],
        "Reuters and Bloomberg read the exchange filing themselves; Xinhua repeats the company.",
    ),
    "nre-record-output": (
        "state_sourced",
        [("xinhuanet.com", "supports"), ("people.com.cn", "echoes")],
        "Only the company and state media report the record; no independent output data yet.",
    ),
    "baogang-controls-nre": (
        "independently_verified",
        [("reuters.com", "supports"), ("ft.com", "supports")],
        "Both cite the listed company's annual report shareholder table.",
    ),
    "zhongxin-antai-targets-50pct": (
        "disputed",
        [("wsj.com", "refutes"), ("cninfo.com.cn", "supports")],
        "The WSJ reports the project's 2025 capacity target was halved.",
    ),
    "us-big-beautiful-bill-extraction-funding": (
        "unverifiable",
        [],
        "No text of the provision could be found.",
    ),
    "mp-materials-dod-deal": ("in_review", [("usgs.gov", "context")], ""),
}


def vet_the_seed_article(editor) -> Article:
    call_command("load_seeds", verbosity=0)
    for key, (status, sources, rationale) in VETTING.items():
        claim = Claim.objects.get(key=key)
        for i, (domain, stance) in enumerate(sources):
            EvidenceFactory(
                claim=claim,
                url=f"https://www.{domain}/2025/story-{claim.pk}-{i}",
                stance=stance,
                publisher=Entity.objects.get(domains__domain=domain),
                excerpt="",
            )
        claim_set_status(
            claim=claim,
            status=status,
            actor=editor,
            rationale=rationale,
            version=claim.version,
        )
    return Article.objects.get(key="nre-h1-2025")


# The Chromium fixtures of tests/test_browser.py, shared (one browser per module).
browser = test_browser.browser
page = test_browser.page


def save(page_or_element, name: str) -> None:
    folder = os.environ.get("REEX_SCREENSHOTS")
    if folder:
        target = ROOT / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        page_or_element.screenshot(path=str(target))


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")


def card_number(page, key: str) -> str:
    claim = Claim.objects.get(key=key)
    ids = list(
        Claim.objects.filter(article=claim.article)
        .order_by("span_start", "id")
        .values_list("id", flat=True)
    )
    return str(ids.index(claim.pk) + 1)


def test_the_report_in_chromium_click_focus_print_and_publish(page, live_server):
    editor = UserFactory(username="ed", groups=["editor"])
    article = vet_the_seed_article(editor)
    report = f"{live_server.url}/articles/{article.key}/report/"

    # Anonymous, unpublished: nothing there.
    response = page.goto(report)
    assert response.status == 404

    sign_in(page, live_server, "ed")
    page.goto(report)
    assert page.locator(".claim-card:visible").count() == 0
    assert page.locator("a.hl").count() >= 37
    profit = card_number(page, "nre-h1-net-profit-growth")
    # Click: its card shows, with the verdict, the sources and the picture.
    page.locator(f'a.hl[data-claim="{profit}"]').first.click()
    card = page.locator(f"#claim-{profit}")
    assert card.is_visible()
    assert "Independently verified" in card.inner_text()
    assert "Reuters" in card.inner_text() and "Bloomberg" in card.inner_text()
    assert card.locator("span.badge.badge-independent").count() == 2
    svg = card.locator("figure.ownership svg")
    box = svg.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    # Focus (keyboard): another claim's card replaces it.
    record = card_number(page, "nre-record-output")
    page.focus(f'a.hl[data-claim="{record}"]')
    assert page.locator(f"#claim-{record}").is_visible()
    assert not card.is_visible()
    # The editor publishes it from the page.
    page.get_by_role("button", name="Publish this report (read-only, public)").click()
    # A confirmation step: nothing is public yet.
    page.get_by_role("button", name="Yes, publish it").wait_for()
    article.refresh_from_db()
    assert not article.report_published
    page.get_by_role("button", name="Yes, publish it").click()
    page.wait_for_url(report)
    assert "The vetting report is published" in page.inner_text(".flash")

    # Print media: every card, no controls.
    page.emulate_media(media="print")
    assert page.locator(".claim-card:visible").count() == 37
    assert not page.locator(".controls").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")

    # Anonymous reader: the published report, read-only.
    anon = page.context.browser.new_context(viewport={"width": 1440, "height": 1100})
    try:
        reader = anon.new_page()
        response = reader.goto(report)
        assert response.status == 200
        assert reader.locator("form").count() == 0
        reader.locator(f'a.hl[data-claim="{profit}"]').first.click()
        assert reader.locator(f"#claim-{profit}").is_visible()
        reader.evaluate("window.scrollTo(0, 0)")
        reader.wait_for_timeout(300)
        save(reader, "report.png")
        # The picture of that claim's evidence on its own.
        save(reader.locator(f"#claim-{profit} figure.ownership svg"), "ownership.png")
        # An archived copy opens sandboxed from the public report.
        href = reader.locator(f"#claim-{profit} a.archived").first.get_attribute("href")
        assert href
    finally:
        anon.close()
    article.refresh_from_db()
    assert article.report_published
    article_set_report_published(article=article, published=False, actor=editor)


def test_the_anonymous_reader_never_sees_the_desks_wording(page, live_server):
    """The published report as an anonymous reader in Chromium, every card shown: a source
    whose archive failed (DNS) and one whose publisher nobody classified are on the desk's
    claim, yet no staff wording reaches the page, its text or its ClaimReview markup."""
    from tests.factories import SnapshotFactory
    from tests.test_report import STAFF_WORDING

    editor = UserFactory(username="ed", groups=["editor"])
    article = vet_the_seed_article(editor)
    claim = Claim.objects.get(key="nre-h1-net-profit-growth")
    EvidenceFactory(
        claim=claim,
        url="https://www.reuters.com/2025/unreachable",
        publisher=Entity.objects.get(domains__domain="reuters.com"),
        snapshot=SnapshotFactory(
            url="https://www.reuters.com/2025/unreachable",
            failed=True,
            error="DNS lookup failed for www.reuters.com: Name or service not known",
        ),
    )
    EvidenceFactory(claim=claim, url="https://www.argusmedia.com/x", publisher=None)
    article_set_report_published(article=article, published=True, actor=editor)

    response = page.goto(f"{live_server.url}/articles/{article.key}/report/?all=1")
    assert response.status == 200
    page.emulate_media(media="print")  # every card laid out, as in the PDF
    shown = page.inner_text("body")
    source = page.content()
    for words in STAFF_WORDING:
        assert words not in shown, words
        assert words not in source, words
    profit = page.locator(f"#claim-{card_number(page, 'nre-h1-net-profit-growth')}")
    text = profit.inner_text()
    assert "Independently verified" in text and "editors' reasoning" in text
    assert "Reuters and Bloomberg read the exchange filing" in text
    # Reuters and Bloomberg confirm it, Xinhua repeats the company: three archived copies;
    # the failed Reuters link and the unclassified Argus one are not the reader's business.
    assert profit.locator("a.archived").count() == 3
    assert "Repeats the claimant" in text
    assert "unreachable" not in source and "argusmedia" not in source
    decided = sum(1 for status, _, _ in VETTING.values() if status != "in_review")
    assert page.locator('script[type="application/ld+json"]').count() == decided
    assert page.pdf(format="A4").startswith(b"%PDF")
