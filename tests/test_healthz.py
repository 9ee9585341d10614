"""/healthz: database, broker, a live worker, the oldest waiting snapshot and recent archive
outcomes; 503 when any is not ok. Anonymous callers (the probes) get ok or not per check;
operators (staff session, or REEX_HEALTH_TOKEN in X-Reex-Health-Token) get the figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sources.models import Snapshot, WorkerHeartbeat
from sources.selectors import archive_queues
from tests.factories import SnapshotFactory, UserFactory

pytestmark = pytest.mark.django_db

CHECK_NAMES = ["database", "broker", "workers", "pending", "archive_tasks"]
ALL_OK = {name: {"ok": True} for name in CHECK_NAMES}


@pytest.fixture
def worker_alive(db):
    """A heartbeat row as a live worker writes it (tests/test_healthz_worker.py starts a real
    worker; here only the row matters)."""
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        name="celery@probe", pid=1, started_at=now, beat_at=now, queues=archive_queues()
    )


@pytest.fixture
def operator(settings):
    settings.REEX_HEALTH_TOKEN = "s3cret-operator-token"
    return {"HTTP_X_REEX_HEALTH_TOKEN": "s3cret-operator-token"}


def aged(snapshot: Snapshot, seconds: float, *, field: str = "updated_at") -> Snapshot:
    Snapshot.objects.filter(pk=snapshot.pk).update(
        **{field: timezone.now() - timedelta(seconds=seconds)}
    )
    return snapshot


def test_healthy_when_everything_answers_and_anonymous_callers_get_only_ok(client, worker_alive):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": ALL_OK}
    assert "no-cache" in response["Cache-Control"]


def test_unavailable_when_the_broker_is_down_and_says_no_more(client, worker_alive, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {**ALL_OK, "broker": {"ok": False}}
    assert "127.0.0.1" not in response.content.decode()  # no internals for anonymous callers


def test_unavailable_without_a_live_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {**ALL_OK, "workers": {"ok": False}}


def test_a_stale_heartbeat_is_no_live_worker(client, settings, worker_alive, operator):
    settings.REEX_HEALTH_WORKER_MAX_AGE = 30
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(seconds=31))
    response = client.get("/healthz", **operator)
    assert response.status_code == 503
    assert response.json()["checks"]["workers"] == {
        "ok": False, "live": 0, "queues_without_a_worker": archive_queues(), "workers": [],
        "max_age_seconds": 30,
    }  # fmt: skip


def test_a_queue_no_live_worker_consumes_makes_it_unavailable(client, worker_alive, operator):
    """Fetching workers alone archive nothing: the extraction queue needs a worker too."""
    fetch_only = [q for q in archive_queues() if q != archive_queues()[1]]
    WorkerHeartbeat.objects.update(queues=fetch_only)
    response = client.get("/healthz", **operator)
    assert response.status_code == 503
    workers = response.json()["checks"]["workers"]
    assert (workers["ok"], workers["live"]) == (False, 1)
    assert workers["queues_without_a_worker"] == [archive_queues()[1]]
    assert workers["workers"][0]["queues"] == fetch_only


def test_operators_with_the_token_see_the_figures(client, settings, worker_alive, operator):
    settings.REEX_HEALTH_PENDING_MAX_AGE = 600
    aged(SnapshotFactory(), 120, field="created_at")
    response = client.get("/healthz", **operator)
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["workers"]["live"] == 1
    assert checks["workers"]["workers"][0]["name"] == "celery@probe"
    assert checks["pending"]["count"] == 1
    assert 120 <= checks["pending"]["oldest_age_seconds"] < 180
    assert checks["pending"]["max_age_seconds"] == 600
    assert checks["archive_tasks"]["total"] == 0


def test_a_wrong_or_missing_token_gets_the_anonymous_answer(client, worker_alive, operator):
    assert client.get("/healthz", HTTP_X_REEX_HEALTH_TOKEN="guess").json()["checks"] == ALL_OK
    assert client.get("/healthz").json()["checks"] == ALL_OK


def test_no_token_configured_means_no_token_is_accepted(client, settings, worker_alive):
    settings.REEX_HEALTH_TOKEN = ""
    assert client.get("/healthz", HTTP_X_REEX_HEALTH_TOKEN="").json()["checks"] == ALL_OK


def test_staff_sessions_see_the_figures_and_other_sessions_do_not(client, worker_alive):
    client.force_login(UserFactory(groups=["reviewer"]))
    assert client.get("/healthz").json()["checks"] == ALL_OK
    client.force_login(UserFactory(groups=["editor"]))  # editors are staff
    assert client.get("/healthz").json()["checks"]["workers"]["live"] == 1


def test_a_snapshot_waiting_too_long_makes_it_unavailable(client, settings, worker_alive, operator):
    settings.REEX_HEALTH_PENDING_MAX_AGE = 300
    aged(SnapshotFactory(), 290, field="created_at")
    assert client.get("/healthz").status_code == 200
    aged(SnapshotFactory(status=Snapshot.Status.FETCHING), 301, field="created_at")
    response = client.get("/healthz", **operator)
    assert response.status_code == 503
    pending = response.json()["checks"]["pending"]
    assert pending["ok"] is False
    assert pending["count"] == 2
    assert pending["oldest_age_seconds"] >= 301


def test_every_recent_attempt_erroring_on_our_side_makes_it_unavailable(
    client, settings, worker_alive, operator
):
    settings.REEX_HEALTH_MIN_TASKS = 3
    settings.REEX_HEALTH_WINDOW_SECONDS = 900
    SnapshotFactory(
        status=Snapshot.Status.PENDING, error="internal error: …", error_kind="internal"
    )
    SnapshotFactory(status=Snapshot.Status.FAILED, error="internal error: …", error_kind="internal")
    assert client.get("/healthz").status_code == 200  # two are not enough to judge
    SnapshotFactory(status=Snapshot.Status.FAILED, error="gave up: …", error_kind="stuck")
    response = client.get("/healthz", **operator)
    assert response.status_code == 503
    tasks = response.json()["checks"]["archive_tasks"]
    assert (tasks["total"], tasks["errored"], tasks["errored_share"]) == (3, 3, 1.0)
    assert tasks["by_kind"] == {"internal": 2, "stuck": 1}
    # One archived page among them: archiving works, some pages break it.
    SnapshotFactory(archived=True)
    response = client.get("/healthz", **operator)
    assert response.status_code == 200
    assert response.json()["checks"]["archive_tasks"]["errored_share"] == 0.75


def test_sources_that_fail_are_not_our_errors_and_old_outcomes_do_not_count(
    client, settings, worker_alive, operator
):
    settings.REEX_HEALTH_MIN_TASKS = 3
    settings.REEX_HEALTH_WINDOW_SECONDS = 900
    for _ in range(3):
        SnapshotFactory(
            status=Snapshot.Status.FAILED, error="HTTP 404 Not Found", error_kind="http"
        )
    for _ in range(3):
        aged(SnapshotFactory(status=Snapshot.Status.FAILED, error_kind="internal"), 901)
    response = client.get("/healthz", **operator)
    assert response.status_code == 200
    tasks = response.json()["checks"]["archive_tasks"]
    assert (tasks["total"], tasks["errored"]) == (3, 0)


def test_probes_by_ip_over_http_work_with_production_host_and_https_settings(
    client, settings, worker_alive
):
    settings.ALLOWED_HOSTS = ["desk.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="172.18.0.5:8000")
    assert response.status_code == 200
    # Everything else still gets the host check and the https redirect.
    assert client.get("/", HTTP_HOST="172.18.0.5:8000").status_code == 400
    assert client.get("/", HTTP_HOST="desk.example.org").status_code == 301
