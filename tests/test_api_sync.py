"""The sync feed (`GET /api/v1/claims/sync/`, claims/api/changes.py): a keyset cursor over
(`changed_at`, `id`) that skips nothing while claims change during a walk, in a constant
number of queries whatever the table holds."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.api.changes import decode_cursor, encode_cursor
from claims.models import Claim
from claims.services.status import claim_set_status
from tests.factories import ArticleFactory, ClaimFactory, EvidenceFactory

STATUSES = ("in_review", "unreviewed")


def _flip(pk: int) -> None:
    claim = Claim.objects.get(pk=pk)
    claim_set_status(
        claim=claim,
        status=STATUSES[(STATUSES.index(claim.status) + 1) % 2]
        if claim.status in STATUSES
        else STATUSES[0],
        actor=None,
        rationale="",
        version=claim.version,
    )


@pytest.mark.django_db(transaction=True)
def test_a_walk_during_concurrent_decisions_sees_every_claim_at_its_latest_state(
    token_client, consumer
):
    """Two writer sessions (threads with their own database connections) change statuses
    while the walk runs: one quickly, one in slow
    transactions (its change stamped at the start, committed 0.15 s later, after the quick
    one's later changes are visible). A feed that read past uncommitted changes would step over
    the slow ones and end with an old status; this one may send a claim again (in a newer
    state), never twice in one state, and ends with every claim as the database holds it."""
    article = ArticleFactory()
    claims = [ClaimFactory(article=article, key=f"c{i}") for i in range(40)]
    ids = [c.pk for c in claims]
    slow_ids, quick_ids = ids[:8], ids[8:]
    since = (timezone.now() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    client = token_client(consumer)
    done = threading.Event()
    errors: list[str] = []

    def writer(pool: list[int], *, slow: bool, seed: int) -> None:
        rng = random.Random(seed)
        try:
            deadline = time.monotonic() + 2.5
            while time.monotonic() < deadline:
                pk = rng.choice(pool)
                with transaction.atomic():
                    _flip(pk)
                    if slow:
                        time.sleep(0.15)  # stamped now, visible only later
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=writer, args=(slow_ids,), kwargs={"slow": True, "seed": 1}),
        threading.Thread(target=writer, args=(quick_ids,), kwargs={"slow": False, "seed": 2}),
    ]
    for t in threads:
        t.start()
    watcher = threading.Thread(target=lambda: ([t.join() for t in threads], done.set()))
    watcher.start()

    deliveries: list[tuple[int, int, str]] = []
    url = f"/api/v1/claims/sync/?updated_since={since}&page_size=3"
    again: list[tuple[int, int, str]] = []  # what the last fetch of `url` sent (caught up)
    while True:
        # Whether the writers had finished is read before the fetch: a fetch that started
        # before their last commit may not hold it, and must not be the last one.
        finished = done.is_set()
        response = client.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        rows = [(c["id"], c["version"], c["status"]) for c in data["results"]]
        # Asking again for the page that caught up (same cursor) sends its rows again: the
        # client's own repeat, not the feed's; only the rows it did not send then are new.
        deliveries += [r for r in rows if r not in again]
        if data["next"]:
            url, again = data["next"].split("testserver", 1)[1], []
            time.sleep(0.01)
            continue
        if finished:
            break
        again = rows
        time.sleep(0.05)
    watcher.join()
    assert not errors, errors

    seen = [(pk, version) for pk, version, _ in deliveries]
    assert len(seen) == len(set(seen)), "a claim was sent twice in the same state"
    latest = {pk: (version, status) for pk, version, status in deliveries}
    now = dict(Claim.objects.values_list("pk", "version"))
    status_now = dict(Claim.objects.values_list("pk", "status"))
    assert set(latest) == set(ids)
    assert {pk: latest[pk] for pk in ids} == {pk: (now[pk], status_now[pk]) for pk in ids}
    for pk in ids:  # each claim's states arrive in order
        versions = [v for p, v, _ in deliveries if p == pk]
        assert versions == sorted(versions)
    assert sum(now[pk] for pk in slow_ids) > len(slow_ids)  # the slow writer did write


@pytest.mark.django_db
@pytest.mark.usefixtures("kept_token_checks")
def test_sync_pages_cost_the_same_queries_whatever_the_table_holds(token_client, consumer):
    client = token_client(consumer)
    article = ArticleFactory()
    counts = []
    for n in (12, 120):  # two full pages each (the tail check comes only at the end)
        for i in range(n - Claim.objects.count()):
            claim = ClaimFactory(article=article, key=f"k{n}-{i}")
            EvidenceFactory(claim=claim)
        client.get("/api/v1/claims/sync/?page_size=1")  # the first request's one-off work
        url, pages = "/api/v1/claims/sync/?page_size=5", 0
        with CaptureQueriesContext(connection) as ctx:
            while url and pages < 2:
                data = client.get(url).json()
                url = data["next"]
                pages += 1
        counts.append(len(ctx.captured_queries))
        assert all("OFFSET" not in (q["sql"] or "").upper() for q in ctx.captured_queries)
        assert all("COUNT(" not in (q["sql"] or "").upper() for q in ctx.captured_queries)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 2 * 5  # token, horizon, the page's keys, its rows (+ the tail check)


@pytest.mark.django_db
def test_a_claim_changed_after_its_page_comes_again_at_the_end(token_client, consumer):
    client = token_client(consumer)
    article = ArticleFactory()
    a, b, c = (ClaimFactory(article=article, key=k) for k in "abc")
    first = client.get("/api/v1/claims/sync/?page_size=2").json()
    assert [x["id"] for x in first["results"]] == [a.pk, b.pk]
    _flip(a.pk)
    rest = client.get(first["next"]).json()
    assert [(x["id"], x["status"]) for x in rest["results"]] == [
        (c.pk, "unreviewed"),
        (a.pk, "in_review"),
    ]
    assert rest["next"] is None
    back = client.get(rest["previous"]).json()
    assert [x["id"] for x in back["results"]] == [b.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    ["nonsense", encode_cursor(timezone.now(), 1, forward=True)[:-3], "W10"],
    # Fixed ids: the truncated cursor holds the time of collection, which differs between
    # xdist workers, and they must collect the same test names.
    ids=["not-base64", "truncated", "empty-list"],
)
def test_a_cursor_this_api_did_not_write_is_a_404_that_says_to_start_again(
    token_client, consumer, cursor
):
    response = token_client(consumer).get("/api/v1/claims/sync/", {"cursor": cursor})
    assert response.status_code == 404
    assert "start again" in response.json()["detail"]


def test_cursors_round_trip():
    stamp = timezone.now()
    assert decode_cursor(encode_cursor(stamp, 7, forward=False)) == (stamp, 7, False)
