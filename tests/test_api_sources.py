"""Entities by domain and snapshot metadata."""

from __future__ import annotations

import pytest

from sources.models import Entity
from tests.factories import DomainFactory, EntityFactory, OwnershipFactory, SnapshotFactory

pytestmark = pytest.mark.django_db


def test_entity_by_domain_with_its_control_chain(token_client, consumer):
    state = EntityFactory(
        name="People's Republic of China", slug="prc", kind=Entity.Kind.STATE, country="CN"
    )
    agency = EntityFactory(
        name="State Council", slug="sc", kind=Entity.Kind.GOVERNMENT_BODY, country="CN"
    )
    xinhua = EntityFactory(
        name="Xinhua", slug="xinhua", kind=Entity.Kind.MEDIA_OUTLET, country="CN"
    )
    OwnershipFactory(owner=state, owned=agency)
    OwnershipFactory(owner=agency, owned=xinhua)
    DomainFactory(domain="xinhuanet.com", entity=xinhua)
    DomainFactory(domain="other.com")
    client = token_client(consumer)
    for query in ("xinhuanet.com", "english.xinhuanet.com", "https://www.xinhuanet.com/a/b.html"):
        data = client.get("/api/v1/entities/", {"domain": query}).json()
        assert [e["name"] for e in data["results"]] == ["Xinhua"], query
    xinhua_json = data["results"][0]
    assert xinhua_json["domains"] == ["xinhuanet.com"]
    assert xinhua_json["state_controlled"] is True
    assert [c["name"] for c in xinhua_json["controllers"]] == ["People's Republic of China"]
    assert [[link["name"] for link in chain] for chain in xinhua_json["chain"]] == [
        ["Xinhua", "State Council", "People's Republic of China"]
    ]
    assert client.get("/api/v1/entities/", {"domain": "nobody-knows.org"}).json()["count"] == 0
    assert client.get("/api/v1/entities/", {"domain": "a\x00b"}).status_code == 400


def test_snapshot_metadata(token_client, consumer):
    snapshot = SnapshotFactory(archived=True)
    data = token_client(consumer).get(f"/api/v1/snapshots/{snapshot.pk}/").json()
    assert data["status"] == "archived"
    assert data["sha256"] == snapshot.sha256
    assert {"content_url", "text_url", "warc_url", "archived_at", "final_url", "error"} <= set(data)
    failed = SnapshotFactory(failed=True)
    data = token_client(consumer).get(f"/api/v1/snapshots/{failed.pk}/").json()
    assert data["status"] == "failed"
    assert data["error"]
    assert data["content_url"] is None
