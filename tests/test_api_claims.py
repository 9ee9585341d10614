"""The claims endpoints: shapes, filters, sync, conditional GET, decisions, errors, throttling,
and query counts that do not grow with the evidence."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Claim
from claims.services.status import claim_set_status
from ownership.models import Entity, Ownership
from sources.models import Snapshot
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    DomainFactory,
    EntityFactory,
    EvidenceFactory,
    OwnershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(token_client, consumer):
    return token_client(consumer)


@pytest.fixture
def state_claim():
    """A claim by a state-owned company; one supporting source from its own state's media, one
    from an independent outlet, one not archived yet."""
    state = EntityFactory(
        name="People's Republic of China", slug="prc", kind=Entity.Kind.STATE, country="CN"
    )
    origin = EntityFactory(
        name="Northern Rare Earth", slug="nre", kind=Entity.Kind.SOE, country="CN"
    )
    OwnershipFactory(owner=state, owned=origin)
    xinhua = EntityFactory(
        name="Xinhua", slug="xinhua", kind=Entity.Kind.MEDIA_OUTLET, country="CN"
    )
    OwnershipFactory(owner=state, owned=xinhua)
    reuters = EntityFactory(
        name="Reuters", slug="reuters", kind=Entity.Kind.MEDIA_OUTLET, country="GB"
    )
    claim = ClaimFactory(origin=origin)
    EvidenceFactory(
        claim=claim, publisher=xinhua, url="https://xinhuanet.example/a", stance="echoes"
    )
    EvidenceFactory(claim=claim, publisher=reuters, url="https://reuters.com/b")
    EvidenceFactory(
        claim=claim,
        publisher=reuters,
        url="https://reuters.com/c",
        snapshot__archived=False,
        snapshot__status=Snapshot.Status.PENDING,
    )
    return claim


def test_detail_shows_evidence_publishers_chains_snapshots_and_suggestion(client, state_claim):
    response = client.get(f"/api/v1/claims/{state_claim.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert {
        "id",
        "article",
        "text",
        "status",
        "suggested_status",
        "suggestion_reasons",
        "origin",
        "version",
        "evidence",
    } <= set(data)
    assert data["text"] == state_claim.text
    assert data["status"] == "unreviewed"
    assert data["version"] == 1
    assert data["origin"]["name"] == "Northern Rare Earth"
    assert data["origin"]["state_controlled"] is True
    assert [c["name"] for c in data["origin"]["controllers"]] == ["People's Republic of China"]
    assert data["origin"]["chain"] == [
        [
            {"id": state_claim.origin_id, "name": "Northern Rare Earth"},
            {"id": data["origin"]["controllers"][0]["id"], "name": "People's Republic of China"},
        ]
    ]
    assert data["suggestion_reasons"], "the rule always says why"
    assert data["suggested_status"] is None  # one independent group of the two needed
    echo, independent, pending = data["evidence"]
    assert echo["stance"] == "echoes"
    assert echo["publisher"]["name"] == "Xinhua"
    assert echo["publisher"]["state_controlled"] is True
    assert echo["independent"] is False
    assert independent["independent"] is True
    assert independent["publisher"]["controllers"][0]["name"] == "Reuters"
    assert independent["snapshot"]["status"] == "archived"
    assert len(independent["snapshot"]["sha256"]) == 64
    assert set(independent["snapshot"]) == {
        "id",
        "status",
        "sha256",
        "archived_at",
        "title",
        "error",
    }
    assert pending["snapshot"]["status"] == "pending"
    assert pending["assessment"]["badge"] == "not_archived"


def test_detail_with_unknown_publisher_says_null(client):
    evidence = EvidenceFactory(publisher=None, url="https://unknown-outlet.example/x")
    data = client.get(f"/api/v1/claims/{evidence.claim_id}/").json()
    assert data["evidence"][0]["publisher"] is None
    assert data["evidence"][0]["independent"] is None


def test_detail_etag_and_last_modified_answer_304_until_the_claim_changes(
    client, reviewer, state_claim
):
    url = f"/api/v1/claims/{state_claim.pk}/"
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag and last_modified
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200

    # A snapshot being archived changes the representation, hence the ETag.
    pending = Snapshot.objects.get(status=Snapshot.Status.PENDING)
    Snapshot.objects.filter(pk=pending.pk).update(
        status=Snapshot.Status.ARCHIVED,
        sha256="a" * 64,
        archived_at=timezone.now(),
        updated_at=timezone.now(),
    )
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_list_is_paginated_in_id_order_with_filters(client):
    article = ArticleFactory()
    origin = EntityFactory()
    first = ClaimFactory(article=article, origin=origin)
    second = ClaimFactory(
        article=article, span="Rare earth metals output jumped 60.4% year-on-year"
    )
    other = ClaimFactory()
    data = client.get("/api/v1/claims/").json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert [c["id"] for c in data["results"]] == sorted([first.pk, second.pk, other.pk])
    assert "evidence" not in data["results"][0]

    by_article = client.get(f"/api/v1/claims/?article={article.pk}").json()
    assert [c["id"] for c in by_article["results"]] == [first.pk, second.pk]
    assert [
        c["id"] for c in client.get(f"/api/v1/claims/?origin={origin.pk}").json()["results"]
    ] == [first.pk]
    assert [c["id"] for c in client.get("/api/v1/claims/?q=OUTPUT jumped").json()["results"]] == [
        second.pk
    ]
    Claim.objects.filter(pk=other.pk).update(status=Claim.Status.DISPUTED)
    assert [c["id"] for c in client.get("/api/v1/claims/?status=disputed").json()["results"]] == [
        other.pk
    ]

    paged = client.get("/api/v1/claims/?page_size=2").json()
    assert paged["count"] == 3
    assert len(paged["results"]) == 2
    assert paged["next"].endswith("page=2&page_size=2")


def test_updated_since_includes_changed_claims_and_changed_snapshots(client):
    old, changed, archived_later = ClaimFactory(), ClaimFactory(), ClaimFactory()
    evidence = EvidenceFactory(claim=archived_later)
    long_ago = timezone.now() - timedelta(days=2)
    Claim.objects.update(updated_at=long_ago, changed_at=long_ago)  # loaded long ago
    Snapshot.objects.update(updated_at=long_ago)
    since = timezone.now() - timedelta(hours=1)
    # Through the write paths: a status change, and a snapshot saved (archived again).
    claim_set_status(
        claim=changed, status="in_review", actor=None, rationale="", version=changed.version
    )
    snapshot = evidence.snapshot
    snapshot.title = "Archived again"
    snapshot.save()

    response = client.get("/api/v1/claims/", {"updated_since": since.isoformat()})
    assert response.status_code == 200
    assert {c["id"] for c in response.json()["results"]} == {changed.pk, archived_later.pk}
    assert old.pk not in {
        c["id"]
        for c in client.get("/api/v1/claims/sync/", {"updated_since": since.isoformat()}).json()[
            "results"
        ]
    }


def test_sync_walks_every_claim_with_cursor_pages(client):
    claims = [ClaimFactory() for _ in range(5)]
    seen, url = [], "/api/v1/claims/sync/?page_size=2"
    pages = 0
    while url:
        data = client.get(url).json()
        assert "count" not in data
        seen += [c["id"] for c in data["results"]]
        url = data["next"]
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(c.pk for c in claims)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("updated_since=yesterday", "updated_since"),
        ("updated_since=0001-01-01T00:00:00%2B01:00", "updated_since"),
        ("status=true", "status"),
        ("article=abc", "article"),
        ("origin=99999999999999999999999", "origin"),
        ("q=" + "x" * 201, "q"),
        ("q=a%00b", "q"),
    ],
)
def test_bad_filters_answer_400_by_field(client, query, field):
    response = client.get(f"/api/v1/claims/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert body["detail"].startswith("Check your input")


def test_errors_are_json_a_person_can_act_on(client, token_client):
    missing = client.get("/api/v1/claims/987654321/")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no claim with id 987654321."
    nowhere = client.get("/api/v1/nothing-here/")
    assert nowhere.status_code == 404
    assert "/api/docs/" in nowhere.json()["detail"]
    assert client.get("/api/v1/claims/?page=99").status_code == 404

    anonymous = token_client(None).get("/api/v1/claims/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert "Authorization: Token" in anonymous.json()["detail"]
    bad = token_client(None)
    bad.credentials(HTTP_AUTHORIZATION="Token ÿÿÿÿnot-a-token")
    assert bad.get("/api/v1/claims/").status_code == 401
    bad.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert bad.get("/api/v1/claims/").status_code == 401


def test_decision_with_stale_version_conflicts(token_client, reviewer):
    claim = ClaimFactory()
    client = token_client(reviewer)
    url = f"/api/v1/claims/{claim.pk}/decision/"
    ok = client.post(
        url, {"status": "in_review", "rationale": "Taking it.", "version": 1}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = client.post(
        url, {"status": "in_review", "rationale": "Again.", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert "Reload" in stale.json()["detail"]


def test_decision_the_rule_refuses_answers_400_with_reasons(token_client, reviewer):
    claim = ClaimFactory()
    response = token_client(reviewer).post(
        f"/api/v1/claims/{claim.pk}/decision/",
        {"status": "independently_verified", "rationale": "Looks right.", "version": claim.version},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "decision_refused"
    assert body["reasons"]
    claim.refresh_from_db()
    assert claim.status == "unreviewed"


def test_decision_input_errors_by_field(token_client, reviewer):
    claim = ClaimFactory()
    response = token_client(reviewer).post(
        f"/api/v1/claims/{claim.pk}/decision/", {"status": "maybe", "version": -1}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "version", "rationale"}
    verdict_without_reason = token_client(reviewer).post(
        f"/api/v1/claims/{claim.pk}/decision/",
        {"status": "unverifiable", "version": 1},
        format="json",
    )
    assert verdict_without_reason.status_code == 400
    assert "rationale" in verdict_without_reason.json()["errors"]
    not_json = token_client(reviewer).post(
        f"/api/v1/claims/{claim.pk}/decision/", "{oops", content_type="application/json"
    )
    assert not_json.status_code == 400
    assert not_json.json()["detail"]


def test_attach_evidence_resolves_publisher_and_refuses_duplicates(token_client, reviewer):
    outlet = DomainFactory(domain="reuters.com").entity
    claim = ClaimFactory()
    client = token_client(reviewer)
    url = f"/api/v1/claims/{claim.pk}/evidence/"
    body = {"url": "https://www.reuters.com/markets/1", "stance": "supports"}
    created = client.post(url, body, format="json")
    assert created.status_code == 201
    assert created.json()["publisher"]["id"] == outlet.pk
    assert created.json()["snapshot"]["status"] == "pending"
    again = client.post(url, body, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_attached"
    assert "already attached" in again.json()["errors"]["url"][0]
    bad = client.post(url, {"url": "ftp://x.example/", "stance": "sideways"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"url", "stance"}


def test_throttle_per_token_answers_429_with_retry_after(token_client, consumer, settings):
    settings.REEX_API_THROTTLE_RATE = "3/minute"
    client, other = token_client(consumer), token_client(consumer)
    codes = [client.get("/api/v1/claims/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    throttled = client.get("/api/v1/claims/")
    assert int(throttled["Retry-After"]) > 0
    assert "try again in" in throttled.json()["detail"]
    assert other.get("/api/v1/claims/").status_code == 200  # another token of the same user


def _throttle_key(user, window_offset: int, duration: int) -> str:
    from knox.models import AuthToken

    digest = AuthToken.objects.filter(user=user).latest("created").digest
    return f"throttle_token_token:{digest[:40]}:{int(time.time() // duration) + window_offset}"


def test_throttle_does_not_count_refused_requests(token_client, consumer, settings):
    from django.core.cache import cache

    settings.REEX_API_THROTTLE_RATE = "3/hour"
    client = token_client(consumer)
    codes = [client.get("/api/v1/claims/").status_code for _ in range(8)]
    assert codes == [200, 200, 200] + [429] * 5
    assert cache.get(_throttle_key(consumer, 0, 3600)) == 3  # the refused five taken back


def test_throttle_weighs_the_last_window(token_client, consumer, settings):
    """A sliding window: the last period's count still weighs (by the share of it within the
    period), so a burst at the end of one window is not followed by a full new allowance."""
    from django.core.cache import cache

    settings.REEX_API_THROTTLE_RATE = "3/hour"
    client = token_client(consumer)
    assert client.get("/api/v1/claims/").status_code == 200
    cache.set(_throttle_key(consumer, -1, 3600), 10**6, 7200)
    throttled = client.get("/api/v1/claims/")
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 7200
    cache.delete(_throttle_key(consumer, -1, 3600))
    assert client.get("/api/v1/claims/").status_code == 200


def _detail_queries(client, claim) -> int:
    """The second of two reads (with Redis, the first one's token check is kept for the
    second: plumbing.authentication)."""
    client.get(f"/api/v1/claims/{claim.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/claims/{claim.pk}/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.usefixtures("kept_token_checks")
def test_claim_detail_costs_the_same_queries_with_1_and_200_evidence_rows(client):
    state = EntityFactory(kind=Entity.Kind.STATE)
    one, many = ClaimFactory(), ClaimFactory()
    Ownership.objects.create(owner=state, owned=one.origin, controlling=True)
    Ownership.objects.create(owner=state, owned=many.origin, controlling=True)
    EvidenceFactory(claim=one)
    EvidenceFactory(claim=many)  # warm-up equal: both have a known publisher
    for _ in range(199):
        EvidenceFactory(claim=many)
    assert many.evidence.count() == 200
    assert _detail_queries(client, one) == _detail_queries(client, many)


@pytest.mark.usefixtures("kept_token_checks")
def test_claim_list_costs_the_same_queries_for_1_and_50_claims(client):
    ClaimFactory()
    client.get("/api/v1/claims/")  # with Redis, this check of the token is kept for the next two
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/claims/")
    for _ in range(49):
        EvidenceFactory()
    with CaptureQueriesContext(connection) as big:
        assert len(client.get("/api/v1/claims/").json()["results"]) == 50
    assert len(small.captured_queries) == len(big.captured_queries)


def test_detail_and_list_rows_render_as_the_orm_path_does(client, state_claim):
    """The hot paths read plain rows (claims/api/rows.py); a filter parameter sends the detail
    through DRF's get_object and the ORM instead: the same bytes either way, from the stored
    row or computed, and a list page holds the same claims as their details."""
    from claims.models import ClaimSuggestion

    url = f"/api/v1/claims/{state_claim.pk}/"
    orm = f"{url}?status={state_claim.status}"
    fast = client.get(url)
    assert fast.status_code == 200 and fast.json()["evidence"]
    assert fast.content == client.get(orm).content
    assert fast["ETag"] == client.get(orm)["ETag"]
    ClaimSuggestion.objects.filter(claim=state_claim).delete()  # computed, not stored
    computed = client.get(url)
    assert computed.content == client.get(orm).content
    assert computed.json() == fast.json()
    # Stored or computed, the same bytes (jsonb's key order is undone). The ETags differ: a
    # stored row's is its stamps' (claims/api/conditional.py), a computed one's its bytes'.
    assert computed.content == fast.content
    assert computed["ETag"] != fast["ETag"]
    listed = client.get("/api/v1/claims/").json()["results"]
    detail = {k: v for k, v in fast.json().items() if k != "evidence"}
    assert [c for c in listed if c["id"] == state_claim.pk] == [detail]
    assert client.get(f"/api/v1/claims/{'0' * 30}{state_claim.pk}/").content == computed.content
    for missing in ("0", str(2**63), "9" * 40):
        response = client.get(f"/api/v1/claims/{missing}/")
        assert response.status_code == 404
        assert response.json()["detail"] == f"There is no claim with id {missing}."
    empty = client.get("/api/v1/claims/?status=disputed&origin=1")
    assert empty.status_code == 200 and empty.json()["results"] == []


def test_the_hot_statements_are_prepared_on_postgresql_and_still_read_now(client, state_claim):
    """plumbing/rows.py: on PostgreSQL the token check and the detail's statements become
    prepared statements after a few runs; a prepared statement still reads the rows as they
    are now (a change shows in the next answer)."""
    url = f"/api/v1/claims/{state_claim.pk}/"
    for _ in range(7):
        assert client.get(url).status_code == 200
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert any("knox_authtoken" in s for s in prepared)
        assert any("claims_claimsuggestion" in s for s in prepared)
        assert any(s.startswith('SELECT "claims_evidence"') for s in prepared)
    Claim.objects.filter(pk=state_claim.pk).update(restatement="Changed just now")
    assert client.get(url).json()["restatement"] == "Changed just now"
