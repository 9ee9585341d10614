"""A failed archive's next steps (issue 25): retry the archive, replace the URL, remove the
source; on the claim page, through the same services in the API, each audited
(claims.EvidenceEvent) and permission-checked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Evidence, EvidenceEvent
from claims.services.evidence import (
    EvidenceRejected,
    evidence_remove,
    evidence_replace_url,
    evidence_retry_archive,
)
from sources.models import Snapshot
from tests.factories import EvidenceFactory, SnapshotFactory
from tests.test_queue_views import build_world

pytestmark = pytest.mark.django_db

DNS = "DNS lookup failed for www.reuters.com: Name or service not known"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def failed(world, reviewer2):
    """A Reuters source whose archive failed, attached by another reviewer."""
    url = "https://www.reuters.com/markets/nre-h1"
    return EvidenceFactory(
        claim=world.claim,
        url=url,
        publisher=world.reuters,
        added_by=reviewer2,
        snapshot=SnapshotFactory(url=url, failed=True, error=DNS),
    )


@pytest.fixture
def archived(world, reviewer2):
    """An archived Reuters source another reviewer attached."""
    return EvidenceFactory(
        claim=world.claim,
        url="https://www.reuters.com/markets/other",
        publisher=world.reuters,
        added_by=reviewer2,
    )


def page(client, claim) -> str:
    return client.get(reverse("claims:detail", args=[claim.pk])).content.decode()


# --------------------------------------------------------------------------- the page


def test_a_failed_archive_shows_its_badge_reason_and_three_next_steps(client, failed, reviewer):
    client.force_login(reviewer)
    body = page(client, failed.claim)
    item = body[body.index(f'id="evidence-{failed.pk}"') :]
    item = item[: item.index("</li>")]
    assert "Archiving failed" in item and DNS in item
    assert "Not archived yet" not in item
    for button in ("Retry archiving", "Replace the URL", "Remove the source"):
        assert button in item, button


def test_an_archived_source_offers_no_failure_steps(client, archived, reviewer):
    client.force_login(reviewer)
    body = page(client, archived.claim)
    assert "Retry archiving" not in body


def test_retry_from_the_page_puts_the_snapshot_back_in_the_queue_and_audits(
    client, failed, reviewer, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("claims:evidence-retry", args=[failed.claim_id, failed.pk]), follow=True
        )
    assert response.status_code == 200
    assert "Archiving again" in response.content.decode()
    failed.snapshot.refresh_from_db()
    assert (failed.snapshot.status, failed.snapshot.attempts) == (Snapshot.Status.PENDING, 0)
    assert callbacks  # the archive task is queued after commit
    event = EvidenceEvent.objects.get()
    assert (event.action, event.actor, event.evidence_id, event.url) == (
        "retry_archive",
        reviewer,
        failed.pk,
        failed.url,
    )
    assert event.extra["snapshot_error"] == DNS
    # The audit trail on the page says who did what.
    assert "Archiving retried" in page(client, failed.claim)


def test_replace_from_the_page_moves_the_source_and_keeps_the_old_snapshot(
    client, failed, reviewer, world
):
    client.force_login(reviewer)
    old_snapshot, old_url = failed.snapshot_id, failed.url
    new = "https://www.usgs.gov/mis-2025"
    client.post(
        reverse("claims:evidence-replace", args=[failed.claim_id, failed.pk]),
        {"url": new, "reason": "Reuters link is dead; USGS has the figure"},
    )
    failed.refresh_from_db()
    assert failed.url == new and failed.publisher == world.usgs
    assert failed.snapshot_id != old_snapshot and failed.snapshot.status == "pending"
    assert Snapshot.objects.filter(pk=old_snapshot).exists()
    event = EvidenceEvent.objects.get()
    assert (event.action, event.url, event.new_url) == ("replace_url", old_url, new)
    assert event.reason.startswith("Reuters link is dead")


def test_replace_with_a_bad_url_is_a_message_and_nothing_changes(client, failed, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:evidence-replace", args=[failed.claim_id, failed.pk]),
        {"url": "http://127.0.0.1:9/x"},
        follow=True,
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.url.startswith("https://www.reuters.com/")
    assert not EvidenceEvent.objects.exists()
    response = client.post(
        reverse("claims:evidence-replace", args=[failed.claim_id, failed.pk]),
        {"url": "not a url"},
        follow=True,
    )
    assert "Enter a full web address" in response.content.decode()


def test_remove_from_the_page_deletes_the_row_and_the_audit_keeps_it(client, failed, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:evidence-remove", args=[failed.claim_id, failed.pk]),
        {"reason": "duplicate of the Bloomberg story"},
        follow=True,
    )
    assert "Source removed" in response.content.decode()
    assert not Evidence.objects.filter(pk=failed.pk).exists()
    assert Snapshot.objects.filter(pk=failed.snapshot_id).exists()
    event = EvidenceEvent.objects.get()
    assert (event.action, event.url, event.extra["stance"]) == ("remove", failed.url, "supports")
    assert "Source removed" in page(client, failed.claim)


def test_audit_rows_are_append_only(failed, reviewer):
    event = evidence_retry_archive(evidence=failed, actor=reviewer)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        EvidenceEvent.objects.all().delete()


# --------------------------------------------------------------------------- permissions


def test_reviewers_may_not_touch_an_archived_source_someone_else_attached(archived, reviewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="ask an editor"):
        evidence_remove(evidence=archived, actor=reviewer)
    with pytest.raises(PermissionDenied):
        evidence_replace_url(evidence=archived, url="https://www.usgs.gov/x", actor=reviewer)
    assert Evidence.objects.filter(pk=archived.pk).exists()


def test_editors_may_remove_any_source(archived, editor):
    evidence_remove(evidence=archived, actor=editor)
    assert not Evidence.objects.filter(pk=archived.pk).exists()


def test_api_consumers_may_not_act_on_sources(failed, consumer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        evidence_retry_archive(evidence=failed, actor=consumer)


def test_a_page_action_without_permission_is_a_message_not_a_500(client, archived, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:evidence-remove", args=[archived.claim_id, archived.pk]), follow=True
    )
    assert response.status_code == 200
    assert "ask an editor" in response.content.decode()
    assert Evidence.objects.filter(pk=archived.pk).exists()


def test_retry_of_a_source_that_did_not_fail_is_refused(archived, editor):
    with pytest.raises(EvidenceRejected, match="Only a failed archive can be retried"):
        evidence_retry_archive(evidence=archived, actor=editor)
    assert not EvidenceEvent.objects.exists()


# --------------------------------------------------------------------------- the API


def test_the_api_retries_replaces_and_removes(token_client, failed, world, reviewer, consumer):
    api = token_client(reviewer)
    base = f"/api/v1/claims/{failed.claim_id}/evidence/{failed.pk}"
    response = api.post(f"{base}/retry/", format="json")
    assert response.status_code == 202, response.content
    assert response.json()["snapshot"]["status"] == "pending"
    # Not failed any more: a second retry is a 409 that says why.
    again = api.post(f"{base}/retry/", format="json")
    assert again.status_code == 409 and "Only a failed archive" in again.json()["detail"]
    assert again.json()["code"] == "not_failed"
    Snapshot.objects.filter(pk=failed.snapshot_id).update(status="failed", error=DNS)

    response = api.post(f"{base}/replace/", {"url": "https://www.usgs.gov/mis"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["url"] == "https://www.usgs.gov/mis"
    bad = api.post(f"{base}/replace/", {"url": "ftp://x"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"]["url"]

    # Now archiving the new URL is pending and the reviewer did not attach it: refused.
    denied = api.post(f"{base}/remove/", {"reason": "dup"}, format="json")
    assert denied.status_code == 403 and "ask an editor" in denied.json()["detail"]
    Snapshot.objects.filter(pk=Evidence.objects.get(pk=failed.pk).snapshot_id).update(
        status="failed", error=DNS
    )
    removed = api.post(f"{base}/remove/", {"reason": "dup"}, format="json")
    assert removed.status_code == 200, removed.content
    assert removed.json()["action"] == "remove" and removed.json()["actor"] == reviewer.username
    gone = api.post(f"{base}/retry/", format="json")
    assert gone.status_code == 404

    # API consumers: 403 with a message.
    forbidden = token_client(consumer).post(f"{base}/retry/", format="json")
    assert forbidden.status_code == 403
    assert [e.action for e in EvidenceEvent.objects.order_by("id")] == [
        "retry_archive",
        "replace_url",
        "remove",
    ]


def test_the_schema_lists_the_new_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for verb in ("retry", "replace", "remove"):
        assert f"/api/v1/claims/{{id}}/evidence/{{evidence_id}}/{verb}/" in paths, verb


def test_the_admins_suggestion_lists_badges_in_words(client, failed, world, editor):
    EvidenceFactory(claim=world.claim, url="https://argusmedia.com/x", publisher=None)
    client.force_login(editor)
    body = client.get(reverse("admin:claims_claim_change", args=[world.claim.pk])).content.decode()
    assert "[not_archived]" not in body and "[unknown]" not in body
    assert "<strong>Archiving failed</strong>" in body
    assert "<strong>Unknown publisher</strong>" in body
