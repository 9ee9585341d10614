"""Conditional GETs of claims (claims/api/conditional.py): the 304 is answered from the stamps
before any body is built, and only while nothing the representation shows has changed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Article
from claims.services.evidence import evidence_attach
from claims.services.status import claim_set_status
from tests.factories import ArticleFactory, ClaimFactory, EntityFactory, EvidenceFactory

pytestmark = pytest.mark.django_db
REDIS = "redis" in settings.CACHES["default"]["BACKEND"].lower()


@pytest.fixture
def client(token_client, consumer):
    return token_client(consumer)


def _claim():
    claim = ClaimFactory()
    EvidenceFactory(claim=claim)
    EvidenceFactory(claim=claim)
    return claim


@pytest.mark.usefixtures("kept_token_checks")
def test_a_304_costs_only_the_token_and_the_validator(client):
    claim = _claim()
    url = f"/api/v1/claims/{claim.pk}/"
    first = client.get(url)
    with CaptureQueriesContext(connection) as full:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as short:
        answer = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert answer.status_code == 304
    assert answer.content == b""
    assert answer["ETag"] == first["ETag"]
    assert answer["Last-Modified"] == first["Last-Modified"]
    # One statement for the stamps (no evidence), and the token with its permissions unless
    # the check the request before made is kept (with Redis: plumbing.authentication).
    token = 0 if REDIS else 1
    assert len(short.captured_queries) == token + 1, [q["sql"] for q in short.captured_queries]
    assert len(full.captured_queries) == token + 2


def test_a_304_only_while_nothing_changed(client, reviewer, editor):
    claim = _claim()
    url = f"/api/v1/claims/{claim.pk}/"
    seen = set()

    def etag_changed() -> bool:
        answer = client.get(url, HTTP_IF_NONE_MATCH=etag_changed.last)
        if answer.status_code == 304:
            return False
        assert answer.status_code == 200
        etag_changed.last = answer["ETag"]
        assert etag_changed.last not in seen
        seen.add(etag_changed.last)
        return True

    etag_changed.last = client.get(url)["ETag"]
    seen.add(etag_changed.last)
    assert not etag_changed()
    claim.refresh_from_db()
    claim_set_status(
        claim=claim, status="in_review", actor=reviewer, rationale="", version=claim.version
    )
    assert etag_changed()  # a decision
    assert not etag_changed()
    evidence_attach(
        claim=claim, url="https://another.example/story", stance="supports", actor=reviewer
    )
    assert etag_changed()  # a new source
    snapshot = claim.evidence.order_by("-id").first().snapshot
    snapshot.title = "Archived"
    snapshot.save()
    assert etag_changed()  # one of its snapshots
    article = Article.objects.get(pk=claim.article_id)
    article.title = "A better headline"
    article.save()
    assert etag_changed()  # its article
    origin = claim.origin
    origin.name = "Renamed Company"
    origin.save()
    assert etag_changed()  # its origin, as the stored suggestion shows it
    EntityFactory(name="Somebody else")  # nothing this claim shows
    assert not etag_changed()


def test_list_pages_answer_304_until_one_of_their_claims_changes(client, reviewer):
    article = ArticleFactory()
    claims = [ClaimFactory(article=article, key=f"k{i}") for i in range(3)]
    url = "/api/v1/claims/?page_size=2"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    other = client.get("/api/v1/claims/?page_size=2&page=2")
    assert other["ETag"] != first["ETag"]
    claim_set_status(claim=claims[0], status="in_review", actor=reviewer, rationale="", version=1)
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["results"][0]["status"] == "in_review"
    ClaimFactory(article=article, key="new")  # on page 2, but the count on page 1 changes
    assert client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200
