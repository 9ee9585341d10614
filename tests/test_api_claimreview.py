"""ClaimReview JSON-LD: the fields the issue names, parsed back as JSON-LD (plain JSON and field
checks: pyld is not installed, and expanding needs the schema.org context from the network)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from claims.services.status import claim_set_status
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def test_claimreview_of_a_decided_claim(token_client, consumer, editor):
    article = ArticleFactory(
        title="Northern Rare Earth H1",
        url="https://rareearthexchanges.com/news/nre-h1",
        published_on=date(2025, 7, 30),
    )
    claim = ClaimFactory(article=article, origin__name="Northern Rare Earth")
    claim_set_status(
        claim=claim,
        status="disputed",
        actor=editor,
        rationale="Customs data shows a fall.",
        version=1,
        override=True,
    )
    response = token_client(consumer).get(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    doc = json.loads(response.content)  # parsed back as JSON-LD: a JSON object with @context/@type
    assert doc["@context"] == "https://schema.org"
    assert doc["@type"] == "ClaimReview"
    assert doc["claimReviewed"] == claim.text
    assert doc["url"].endswith(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert doc["author"]["@type"] == "Organization"
    assert "REEx" in doc["author"]["name"]
    assert date.fromisoformat(doc["datePublished"])
    rating = doc["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"] == "Disputed"
    assert (rating["worstRating"], rating["ratingValue"], rating["bestRating"]) == (1, 1, 4)
    assert rating["ratingExplanation"].startswith("Customs data shows a fall.")
    assert "editor set this verdict" in rating["ratingExplanation"]
    item = doc["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Organization", "name": "Northern Rare Earth"}
    assert item["appearance"]["url"] == article.url
    assert item["appearance"]["headline"] == article.title
    assert item["appearance"]["datePublished"] == "2025-07-30"
    # Every node is typed (what a JSON-LD consumer needs to expand it against schema.org).
    for node in (doc, doc["author"], rating, item, item["author"], item["appearance"]):
        assert node["@type"]


def test_claimreview_also_served_as_plain_json(token_client, consumer, editor):
    claim = ClaimFactory()
    claim_set_status(
        claim=claim, status="unverifiable", actor=editor, rationale="Nothing found.", version=1
    )
    response = token_client(consumer).get(
        f"/api/v1/claims/{claim.pk}/claimreview/", HTTP_ACCEPT="application/json"
    )
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["reviewRating"]["alternateName"] == "Unverifiable"


def test_no_claimreview_before_a_verdict(token_client, consumer):
    claim = ClaimFactory()
    response = token_client(consumer).get(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert response.status_code == 404
    assert "no verdict yet" in response.json()["detail"]
