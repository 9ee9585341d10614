"""Entities by domain and snapshot metadata."""

from __future__ import annotations

import pytest

from ownership.models import Entity
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


# --- The archive links the API returns work with the API's token --------------------------------


@pytest.fixture
def stored_snapshot(settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path / "media")
    snapshot = SnapshotFactory(archived=True, content_type="text/html; charset=utf-8")
    snapshot.body.save("story.html", ContentFile(b"<p>Profit rose 1,882.5%.</p>"), save=False)
    snapshot.warc.save("story.warc.gz", ContentFile(b"WARC"), save=False)
    snapshot.save()
    return snapshot


def _links(client, snapshot) -> list[str]:
    data = client.get(f"/api/v1/snapshots/{snapshot.pk}/").json()
    return [data["content_url"], data["text_url"], data["warc_url"]]


def test_archive_links_from_the_api_work_with_its_token(token_client, consumer, stored_snapshot):
    client = token_client(consumer)
    content, text, warc = (client.get(url) for url in _links(client, stored_snapshot))

    assert [r.status_code for r in (content, text, warc)] == [200, 200, 200]
    assert b"".join(content.streaming_content) == b"<p>Profit rose 1,882.5%.</p>"
    assert content["Content-Type"] == "text/html; charset=utf-8"
    assert content["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert "script-src 'none'" in content["Content-Security-Policy"]
    assert content["X-Content-Type-Options"] == "nosniff"
    assert content["Referrer-Policy"] == "no-referrer"
    assert "1,882.5%" in text.content.decode()
    assert text["Content-Security-Policy"].startswith("sandbox")
    assert warc["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(warc.streaming_content) == b"WARC"


def test_archive_links_refuse_anonymous_bad_tokens_and_users_without_permission(
    token_client, consumer, stored_snapshot
):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    links = _links(token_client(consumer), stored_snapshot)
    for url in links:
        anonymous = token_client().get(url)
        assert anonymous.status_code == 302
        assert "/accounts/login/" in anonymous["Location"]
        bad = token_client()
        bad.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
        assert bad.get(url).status_code == 401
        assert token_client(UserFactory()).get(url).status_code == 403

    stripped = UserFactory(groups=["api-consumer"])
    stripped.groups.first().permissions.remove(
        Permission.objects.get(codename="view_snapshot", content_type__app_label="sources")
    )
    assert [token_client(stripped).get(url).status_code for url in links] == [403, 403, 403]


def test_api_content_link_is_a_signed_link_on_the_archive_host(
    token_client, consumer, stored_snapshot, settings
):
    settings.REEX_ARCHIVE_ORIGIN = "https://archive.reex.test"
    settings.ALLOWED_HOSTS = ["testserver", "archive.reex.test"]

    link = _links(token_client(consumer), stored_snapshot)[0]

    assert link.startswith(f"https://archive.reex.test/archive/{stored_snapshot.pk}/content/?t=")
    served = token_client().get(
        link.removeprefix("https://archive.reex.test"), HTTP_HOST="archive.reex.test", secure=True
    )
    assert served.status_code == 200
    assert served["Content-Security-Policy"].startswith("sandbox")
