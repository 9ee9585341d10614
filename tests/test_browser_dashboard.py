"""The editors' dashboard in real headless Chromium (issue 25): the charts render (visible,
sized) with numbers that match the data, and their CSV matches what is drawn.
REEX_SCREENSHOTS=docs writes docs/dashboard.png."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from claims.models import Claim
from tests import test_browser
from tests.factories import UserFactory
from tests.test_browser_report import save, vet_the_seed_article

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = test_browser.browser
page = test_browser.page

READ = """() => Object.fromEntries([...document.querySelectorAll('svg[data-chart]')].map(svg => [
  svg.dataset.chart,
  {box: svg.getBoundingClientRect().width,
   rows: Object.fromEntries([...svg.querySelectorAll('g.row')].map(g => [g.dataset.label,
     Object.fromEntries([...g.querySelectorAll('rect.seg')].map(r => [r.dataset.series, +r.dataset.value]))]))}
]))"""


def test_the_dashboard_draws_the_desks_numbers(page, live_server):
    editor = UserFactory(username="ed", groups=["editor"])
    vet_the_seed_article(editor)
    test_browser.sign_in(page, live_server, "ed")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"{live_server.url}/dashboard/")
    drawn = page.evaluate(READ)
    assert set(drawn) == {"by-month", "by-outlet", "state-share", "origins", "open-work", "archive"}
    for key, chart in drawn.items():
        assert chart["box"] > 300, key
    statuses = Counter(Claim.objects.values_list("status", flat=True))
    month = next(iter(drawn["by-month"]["rows"].values()))
    assert month == {s: n for s, n in statuses.items() if n}
    outlet = drawn["by-outlet"]["rows"]["Rare Earth Exchanges"]
    assert sum(outlet.values()) == Claim.objects.count()
    decided = sum(
        statuses[s] for s in ("independently_verified", "state_sourced", "disputed", "unverifiable")
    )
    assert drawn["state-share"]["rows"]["All claims with a verdict"] == {
        "state_only": statuses["state_sourced"],
        "other": decided - statuses["state_sourced"],
    }
    top = max(drawn["origins"]["rows"].items(), key=lambda kv: sum(kv[1].values()))
    origin_counts = Counter(Claim.objects.values_list("origin__name", flat=True))
    assert sum(top[1].values()) == max(origin_counts.values())
    # The CSV says what the chart draws.
    with page.expect_download() as download:
        page.locator("#chart-by-month").get_by_role("link", name="The numbers (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert f",{Claim.objects.count()}" in text.splitlines()[1]
    page.evaluate("window.scrollTo(0, 0)")
    save(page, "dashboard.png")
