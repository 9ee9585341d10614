"""GET /metrics (reex/observability/metrics.py): Prometheus text, for operators only; claims by status,
snapshots by outcome, queue depth from the real broker, fetch latency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from claims.services.status import claim_set_status
from sources.models import Snapshot
from tests.factories import ClaimFactory, SnapshotFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-operator-token"


@pytest.fixture
def operator(settings):
    settings.REEX_HEALTH_TOKEN = TOKEN
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def scrape(client, **headers) -> dict[str, dict[tuple, float]]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    out: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def test_anonymous_and_wrong_tokens_get_401(client, operator):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    reviewer = UserFactory(groups=["reviewer"])
    client.force_login(reviewer)
    assert client.get("/metrics").status_code == 401  # signed in, but not staff


def test_no_token_configured_accepts_no_bearer(client, settings):
    settings.REEX_HEALTH_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_the_health_header_and_staff_sessions_may_scrape(client, operator):
    assert client.get("/metrics", HTTP_X_REEX_HEALTH_TOKEN=TOKEN).status_code == 200
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/metrics").status_code == 200


def test_claims_by_status_snapshots_by_outcome_and_latency(client, operator):
    for _ in range(3):
        ClaimFactory()
    claim = ClaimFactory()
    claim_set_status(claim=claim, status="unverifiable", actor=None, rationale="x", version=1)
    SnapshotFactory()  # pending
    SnapshotFactory(failed=True, error_kind="http")
    SnapshotFactory(failed=True, error_kind="http")
    SnapshotFactory(failed=True, error_kind="timeout")
    now = timezone.now()
    for seconds in (0.2, 0.7, 3.0):
        SnapshotFactory(
            archived=True, fetch_started_at=now - timedelta(seconds=seconds), archived_at=now
        )
    old = SnapshotFactory(archived=True)
    Snapshot.objects.filter(pk=old.pk).update(
        fetch_started_at=now - timedelta(days=2, seconds=1), archived_at=now - timedelta(days=2)
    )
    m = scrape(client, **operator)
    claims = m["reex_claims"]
    assert claims[(("status", "unreviewed"),)] == 3
    assert claims[(("status", "unverifiable"),)] == 1
    assert claims[(("status", "disputed"),)] == 0  # every status, zeros included
    snaps = m["reex_snapshots"]
    assert snaps[(("status", "archived"),)] == 4
    assert snaps[(("status", "failed"),)] == 3
    assert snaps[(("status", "pending"),)] == 1
    assert m["reex_snapshot_failures"] == {(("kind", "http"),): 2, (("kind", "timeout"),): 1}
    # Only the three archived within the window; cumulative buckets.
    assert m["reex_fetch_latency_seconds_count"][()] == 3
    buckets = m["reex_fetch_latency_seconds_bucket"]
    assert buckets[(("le", "0.25"),)] == 1
    assert buckets[(("le", "1.0"),)] == 2
    assert buckets[(("le", "5.0"),)] == 3
    assert buckets[(("le", "+Inf"),)] == 3
    assert m["reex_fetch_latency_seconds_sum"][()] == pytest.approx(3.9, abs=0.05)
    assert m["reex_oldest_waiting_snapshot_age_seconds"][()] >= 0
    assert m["reex_workers_live"][()] == 0


def test_queue_depth_counts_waiting_messages_in_the_real_broker(client, operator):
    from reex.celery import app

    queue = django_settings.CELERY_TASK_DEFAULT_QUEUE
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
    try:
        before = scrape(client, **operator).get("reex_queue_depth", {}).get((("queue", queue),), 0)
        for _ in range(3):
            app.send_task("reex.metrics_probe_nobody_runs", queue=queue)
        m = scrape(client, **operator)
        assert m["reex_queue_depth"][(("queue", queue),)] == before + 3
        assert m["reex_broker_up"][()] == 1
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)


def test_scrapers_by_address_pass_the_host_check_and_https_redirect(client, settings, operator):
    settings.ALLOWED_HOSTS = ["desk.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/metrics", HTTP_HOST="10.0.0.7:8000", **operator)
    assert response.status_code == 200
    assert b"reex_claims" in response.content


def test_post_is_refused(client, operator):
    assert client.post("/metrics", **operator).status_code == 405
