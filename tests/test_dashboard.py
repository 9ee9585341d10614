"""The editors' dashboard (issue 25): every chart's numbers match the data, as drawn and as
CSV; editors only; queries do not grow with the desk."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from claims.models import Claim
from claims.services.reports import article_set_report_published
from claims.services.status import claim_take
from sources.models import Snapshot
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EntityFactory,
    EvidenceFactory,
    OwnershipFactory,
    SnapshotFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(editor, reviewer):
    china = EntityFactory(name="People's Republic of China", slug="cn", kind="state")
    nre = EntityFactory(name="China Northern Rare Earth", slug="nre", kind="soe")
    OwnershipFactory(owner=china, owned=nre)
    mp = EntityFactory(name="MP Materials", slug="mp")
    wire = EntityFactory(name="Mining Wire", slug="wire", kind="media_outlet")
    june = ArticleFactory(key="june", outlet=wire, published_on=date(2025, 6, 3))
    july = ArticleFactory(key="july", outlet=None, published_on=date(2025, 7, 21))
    statuses = {
        june: ["state_sourced", "state_sourced", "independently_verified", "unreviewed"],
        july: ["state_sourced", "disputed", "in_review"],
    }
    for article, sts in statuses.items():
        for i, status in enumerate(sts):
            origin = nre if i % 2 == 0 else mp
            ClaimFactory(article=article, key=f"{article.key}-{i}", origin=origin, status=status)
    article_set_report_published(article=june, published=True, actor=editor)
    held = Claim.objects.get(key="july-2")
    Claim.objects.filter(pk=held.pk).update(status="unreviewed")
    claim_take(claim=held, actor=reviewer)
    some = Claim.objects.get(key="june-0")
    EvidenceFactory(claim=some, snapshot=SnapshotFactory(failed=True))
    EvidenceFactory(claim=some, snapshot=SnapshotFactory(url="https://x.example/p"))
    old = EvidenceFactory(claim=some)
    Snapshot.objects.filter(pk=old.snapshot_id).update(
        archived_at=timezone.now() - timedelta(days=200)
    )
    EvidenceFactory(claim=some)
    return {"june": june, "july": july}


def charts(client) -> dict[str, etree._Element]:
    body = client.get(reverse("claims:dashboard")).content
    doc = etree.HTML(body)
    return {
        svg.get("data-chart"): svg for svg in doc.iter("{*}svg", "svg") if svg.get("data-chart")
    }


def rows(svg) -> dict[str, dict[str, int]]:
    out = {}
    for g in svg.iter("{*}g", "g"):
        if g.get("class") == "row":
            out[g.get("data-label")] = {
                r.get("data-series"): int(r.get("data-value"))
                for r in g.iter("{*}rect", "rect")
                if r.get("data-series")
            }
    return out


def test_every_chart_draws_the_numbers_of_the_data(client, editor, desk):
    client.force_login(editor)
    drawn = charts(client)
    assert set(drawn) == {"by-month", "by-outlet", "state-share", "origins", "open-work", "archive"}
    assert rows(drawn["by-month"]) == {
        "2025-06": {"state_sourced": 2, "independently_verified": 1, "unreviewed": 1},
        "2025-07": {"state_sourced": 1, "disputed": 1, "in_review": 1},
    }
    assert rows(drawn["by-outlet"])["Mining Wire"]["state_sourced"] == 2
    assert rows(drawn["by-outlet"])["No outlet recorded"] == {
        "state_sourced": 1,
        "disputed": 1,
        "in_review": 1,
    }
    share = rows(drawn["state-share"])
    assert share["In published reports"] == {"state_only": 2, "other": 1}
    assert share["All claims with a verdict"] == {"state_only": 3, "other": 2}
    origins = rows(drawn["origins"])
    assert origins["China Northern Rare Earth"] == {"state": 4}
    assert origins["MP Materials"] == {"other": 3}
    assert rows(drawn["open-work"]) == {"rita": {"open": 1}}
    archive = rows(drawn["archive"])
    assert archive["Failed"] == {"failed": 1}
    assert archive["Archived over 90 days ago"] == {"stale": 1}
    assert archive["Waiting or archiving"] == {"waiting": 1}
    assert archive["Archived, fresh"] == {"fresh": 1}


def test_by_month_is_one_grouped_query_falling_back_to_the_claims_creation(desk):
    """A claim whose article has no publication date counts in its own creation's month (UTC):
    the numbers come from one GROUP BY, however many claims and months there are."""
    from datetime import UTC, datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims.dashboard import by_month

    undated = ArticleFactory(key="undated", published_on=None)
    for i, (created, status) in enumerate(
        [
            (datetime(2024, 12, 31, 23, 59, tzinfo=UTC), "disputed"),
            (datetime(2025, 1, 1, 0, 0, tzinfo=UTC), "disputed"),
            (datetime(2025, 6, 30, 12, 0, tzinfo=UTC), "unreviewed"),
        ]
    ):
        claim = ClaimFactory(article=undated, key=f"undated-{i}", status=status)
        Claim.objects.filter(pk=claim.pk).update(created_at=created)
    with CaptureQueriesContext(connection) as queries:
        chart = by_month()
    assert len(queries) == 1 and "GROUP BY" in queries[0]["sql"].upper()
    counted = {row.label: {s.series: s.value for s in row.segments} for row in chart.rows}
    assert counted == {
        "2024-12": {"disputed": 1},
        "2025-01": {"disputed": 1},
        "2025-06": {"state_sourced": 2, "independently_verified": 1, "unreviewed": 2},
        "2025-07": {"state_sourced": 1, "disputed": 1, "in_review": 1},
    }
    assert [row.label for row in chart.rows] == sorted(counted)


def test_each_charts_numbers_download_as_csv(client, editor, desk):
    client.force_login(editor)
    response = client.get(reverse("claims:dashboard-csv", args=["state-share"]))
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["", "State sources alone", "Other verdicts", "total"]
    assert table[1] == ["In published reports", "2", "1", "3"]
    month = list(csv.reader(io.StringIO(client.get("/dashboard/by-month.csv").content.decode())))
    assert month[1][0] == "2025-06" and month[1][-1] == "4"
    assert client.get("/dashboard/nonsense.csv").status_code == 404


def test_the_dashboard_is_for_editors(client, reviewer, desk):
    client.force_login(reviewer)
    response = client.get(reverse("claims:dashboard"))
    assert response.status_code == 403 and b"for editors" in response.content
    assert client.get("/dashboard/archive.csv").status_code == 403
    client.logout()
    assert client.get(reverse("claims:dashboard")).status_code == 302


def test_an_empty_desk_says_so(client, editor):
    client.force_login(editor)
    body = client.get(reverse("claims:dashboard")).content.decode()
    assert "Nothing to show yet." in body and "Nobody holds a claim" in body


def test_queries_do_not_grow_with_the_desk(client, editor, desk, django_assert_max_num_queries):
    client.force_login(editor)
    client.get(reverse("claims:dashboard"))
    for i in range(30):
        ClaimFactory(article=desk["july"], key=f"more-{i}", status="state_sourced")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("claims:dashboard")).status_code == 200
