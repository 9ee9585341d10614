"""The archive service in this process, against a real local origin and real storage: outcomes,
idempotency, the reservation race, re-checks and drift, the views, the command, the admin action.
(The worker path itself is in test_archive_worker.py.)"""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from pytest_httpserver import HTTPServer
from warcio.archiveiterator import ArchiveIterator

from claims.models import Evidence
from claims.services.evidence import evidence_attach
from sources.archive import archive_snapshot
from sources.models import Snapshot
from sources.services.snapshots import backoff_seconds
from sources.services.sweep import stuck_snapshot_ids
from tests.factories import ClaimFactory, SnapshotFactory, UserFactory

PAGE = (
    b"<html><head><title>Output up</title><script>fetch('https://tracker.example/')</script>"
    b"</head><body><article><p>Metals output rose 60.4% year on year, the company said. "
    b"Analysts at the bank expected a smaller rise across the sector this year.</p>"
    b"</article></body></html>"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def pending(url: str, **kwargs) -> Snapshot:
    return Snapshot.objects.create(url=url, **kwargs)


def run(snapshot: Snapshot, capture):
    with capture(execute=True):
        outcome = archive_snapshot(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    return outcome


@pytest.mark.django_db
def test_html_is_archived_with_hash_body_warc_and_text(
    origin: HTTPServer, django_capture_on_commit_callbacks, media
):
    origin.expect_request("/a").respond_with_data(b"", status=301, headers={"Location": "/story"})
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    snapshot = pending(origin.url_for("/a"))

    outcome = run(snapshot, django_capture_on_commit_callbacks)

    assert outcome.status == "archived"
    assert snapshot.status == "archived"
    assert snapshot.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert snapshot.size == len(PAGE)
    assert snapshot.final_url == origin.url_for("/story")
    assert snapshot.redirects == [origin.url_for("/a")]
    assert snapshot.content_type == "text/html"
    assert snapshot.title == "Output up"
    assert "rose 60.4% year on year" in snapshot.text
    assert snapshot.body.name == f"bodies/{snapshot.sha256[:2]}/{snapshot.sha256}.html"
    assert (media / snapshot.body.name).read_bytes() == PAGE
    kinds = []
    for record in ArchiveIterator(io.BytesIO((media / snapshot.warc.name).read_bytes())):
        kinds.append(record.rec_type)
        if record.rec_type == "metadata":
            assert origin.url_for("/a") in record.content_stream().read().decode()
    assert kinds == ["warcinfo", "request", "response", "metadata"]


@pytest.mark.django_db
def test_a_second_run_does_nothing(origin: HTTPServer, django_capture_on_commit_callbacks, media):
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    snapshot = pending(origin.url_for("/story"))
    run(snapshot, django_capture_on_commit_callbacks)
    archived_at = snapshot.archived_at

    outcome = run(snapshot, django_capture_on_commit_callbacks)

    assert outcome.status == "skipped"
    assert snapshot.archived_at == archived_at
    assert snapshot.attempts == 1
    assert len(origin.log) == 1
    assert len(list((media / "warc" / str(snapshot.pk)).iterdir())) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_snapshot_archive_it_once(origin: HTTPServer):
    gate = threading.Barrier(2)
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    snapshot = pending(origin.url_for("/story"))
    outcomes: list[str] = []

    def worker():
        gate.wait()
        try:
            outcomes.append(archive_snapshot(snapshot_id=snapshot.pk).status)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["archived", "skipped"]
    assert len(origin.log) == 1
    assert Snapshot.objects.get(pk=snapshot.pk).attempts == 1


@pytest.mark.django_db
def test_identical_bodies_are_stored_once(
    origin: HTTPServer, django_capture_on_commit_callbacks, media
):
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    first, second = pending(origin.url_for("/story")), pending(origin.url_for("/story"))

    run(first, django_capture_on_commit_callbacks)
    run(second, django_capture_on_commit_callbacks)

    assert first.body.name == second.body.name
    assert len(list((media / "bodies").rglob("*.html"))) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "error"),
    [(404, "HTTP 404 Not Found"), (410, "HTTP 410 Gone"), (403, "HTTP 403 Forbidden")],
)
def test_permanent_failures_end_failed_with_the_reason(
    origin: HTTPServer, django_capture_on_commit_callbacks, status, error
):
    origin.expect_request("/x").respond_with_data("no", status=status)
    snapshot = pending(origin.url_for("/x"))

    outcome = run(snapshot, django_capture_on_commit_callbacks)

    assert outcome.status == "failed"
    assert (snapshot.status, snapshot.error, snapshot.http_status) == ("failed", error, status)
    assert snapshot.error_kind == "http"
    assert snapshot.attempts == 1


@pytest.mark.django_db
def test_refused_address_is_a_readable_failure(django_capture_on_commit_callbacks, settings):
    settings.REEX_FETCH_ALLOWLIST = []
    snapshot = pending("http://127.0.0.1:9/admin")

    run(snapshot, django_capture_on_commit_callbacks)

    assert snapshot.status == "failed"
    assert snapshot.error == "refused: 127.0.0.1 is a loopback address"


@pytest.mark.django_db
def test_unsupported_content_type_fails(origin: HTTPServer, django_capture_on_commit_callbacks):
    origin.expect_request("/f.zip").respond_with_data(b"PK", content_type="application/zip")
    snapshot = pending(origin.url_for("/f.zip"))

    run(snapshot, django_capture_on_commit_callbacks)

    assert snapshot.error == "unsupported content type application/zip"


@pytest.mark.django_db
def test_transient_failures_go_back_to_pending_then_give_up(
    origin: HTTPServer, django_capture_on_commit_callbacks, settings
):
    settings.REEX_ARCHIVE_MAX_ATTEMPTS = 2
    origin.expect_request("/busy").respond_with_data("busy", status=503)
    snapshot = pending(origin.url_for("/busy"))

    first = run(snapshot, django_capture_on_commit_callbacks)
    assert first.status == "retry"
    assert first.countdown > 0
    assert snapshot.status == "pending"
    assert snapshot.error.startswith("HTTP 503 Service Unavailable (attempt 1 of 2;")

    second = run(snapshot, django_capture_on_commit_callbacks)
    assert second.status == "failed"
    assert snapshot.status == "failed"
    assert snapshot.error == "HTTP 503 Service Unavailable (gave up after 2 attempts)"


def test_backoff_grows_with_jitter_and_respects_the_cap(settings):
    settings.REEX_ARCHIVE_RETRY_BASE_SECONDS = 10
    settings.REEX_ARCHIVE_RETRY_MAX_SECONDS = 300
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (9, 300)]:
        delays = {backoff_seconds(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jitter
    assert backoff_seconds(1, retry_after=120) == 120
    assert backoff_seconds(1, retry_after=10_000) == 300


@pytest.mark.django_db
def test_an_abandoned_fetch_is_reclaimed_only_once_stale(
    origin: HTTPServer, django_capture_on_commit_callbacks, settings
):
    settings.REEX_ARCHIVE_STALE_SECONDS = 600
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    fresh = pending(
        origin.url_for("/story"), status="fetching", fetch_started_at=timezone.now(), attempts=1
    )
    old = pending(
        origin.url_for("/story"),
        status="fetching",
        fetch_started_at=timezone.now() - timedelta(hours=1),
        attempts=1,
    )

    assert run(fresh, django_capture_on_commit_callbacks).status == "skipped"
    assert run(old, django_capture_on_commit_callbacks).status == "archived"
    assert old.attempts == 2
    assert stuck_snapshot_ids() == []


@pytest.mark.django_db
def test_the_sweep_finds_stuck_snapshots_only(settings):
    settings.REEX_ARCHIVE_STALE_SECONDS = 600
    hour_ago = timezone.now() - timedelta(hours=1)
    stuck_pending = pending("https://a.example/1")
    stuck_fetching = pending("https://a.example/2", status="fetching", fetch_started_at=hour_ago)
    pending("https://a.example/3")
    requeued_fetching = pending(
        "https://a.example/4", status="fetching", fetch_started_at=hour_ago
    )  # a sweep re-queued it just now (updated_at): its task is waiting in the queue
    SnapshotFactory(archived=True)
    # A reservation an hour old was written an hour ago (the reservation sets updated_at too).
    Snapshot.objects.filter(pk__in=[stuck_pending.pk, stuck_fetching.pk]).update(
        updated_at=hour_ago
    )

    assert sorted(stuck_snapshot_ids()) == sorted([stuck_pending.pk, stuck_fetching.pk])
    assert requeued_fetching.pk not in stuck_snapshot_ids()


# --- Re-checks and drift ----------------------------------------------------------------------


def _attached(origin: HTTPServer, capture, path: str) -> Evidence:
    claim = ClaimFactory(figures=[{"value": 60.4, "unit": "%"}])
    with capture(execute=True):
        evidence = evidence_attach(
            claim=claim, url=origin.url_for(path), stance="echoes", actor=None
        )
    run(evidence.snapshot, capture)
    evidence.refresh_from_db()
    return evidence


@pytest.mark.django_db
def test_recheck_of_a_changed_page_makes_a_new_snapshot_and_moves_the_evidence(
    origin: HTTPServer, django_capture_on_commit_callbacks
):
    bodies = iter([PAGE, PAGE.replace(b"60.4%", b"28%")])
    origin.expect_request("/story").respond_with_handler(
        lambda _r: __import__("werkzeug").Response(next(bodies), content_type="text/html")
    )
    evidence = _attached(origin, django_capture_on_commit_callbacks, "/story")
    first = evidence.snapshot
    assert evidence.hints["figures"][0]["found"] is True

    with django_capture_on_commit_callbacks(execute=True):
        call_command("archive", "--stale", "0", "--inline", verbosity=0)

    evidence.refresh_from_db()
    newest = evidence.snapshot
    assert newest.pk != first.pk
    assert newest.previous_id == first.pk
    assert newest.drift == "changed"
    assert Snapshot.objects.get(pk=first.pk).status == "archived"  # kept as it was
    assert evidence.hints["drift"]["status"] == "changed"
    assert evidence.hints["figures"][0]["found"] is False


@pytest.mark.django_db
def test_recheck_of_an_unchanged_page_has_no_drift(
    origin: HTTPServer, django_capture_on_commit_callbacks
):
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    evidence = _attached(origin, django_capture_on_commit_callbacks, "/story")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("archive", "--stale", "0", "--inline", verbosity=0)

    evidence.refresh_from_db()
    assert evidence.snapshot.previous_id is not None
    assert evidence.snapshot.drift == ""
    assert evidence.hints["drift"]["status"] == "unchanged"


@pytest.mark.django_db
def test_recheck_of_a_vanished_page_flags_the_evidence_and_keeps_the_copy(
    origin: HTTPServer, django_capture_on_commit_callbacks
):
    answers = iter([(PAGE, 200), (b"gone", 404)])

    def handler(_request):
        from werkzeug import Response

        body, status = next(answers)
        return Response(body, status=status, content_type="text/html")

    origin.expect_request("/story").respond_with_handler(handler)
    evidence = _attached(origin, django_capture_on_commit_callbacks, "/story")
    archived = evidence.snapshot

    with django_capture_on_commit_callbacks(execute=True):
        call_command("archive", "--stale", "0", "--inline", verbosity=0)

    evidence.refresh_from_db()
    recheck = archived.rechecks.get()
    assert (recheck.status, recheck.drift) == ("failed", "vanished")
    assert evidence.snapshot_id == archived.pk  # the archived copy still backs the evidence
    assert evidence.hints["drift"]["status"] == "vanished"


@pytest.mark.django_db
def test_archive_failed_retries_failed_snapshots(
    origin: HTTPServer, django_capture_on_commit_callbacks
):
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    snapshot = pending(
        origin.url_for("/story"), status="failed", error="timed out after 20 s", attempts=5
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("archive", "--failed", "--inline", verbosity=0)

    snapshot.refresh_from_db()
    assert snapshot.status == "archived"
    assert snapshot.attempts == 1


@pytest.mark.django_db
def test_admin_action_requests_rechecks(admin_client, django_capture_on_commit_callbacks):
    archived = SnapshotFactory(archived=True)
    failed = SnapshotFactory(failed=True)

    with django_capture_on_commit_callbacks(execute=False):
        response = admin_client.post(
            "/admin/sources/snapshot/",
            {"action": "rearchive", "_selected_action": [archived.pk, failed.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert archived.rechecks.get().status == "pending"
    failed.refresh_from_db()
    assert failed.status == "pending"
    assert Snapshot.objects.get(pk=archived.pk).status == "archived"


# --- Viewing ----------------------------------------------------------------------------------


@pytest.fixture
def archived_snapshot(origin: HTTPServer, django_capture_on_commit_callbacks) -> Snapshot:
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html; charset=utf-8")
    snapshot = pending(origin.url_for("/story"))
    run(snapshot, django_capture_on_commit_callbacks)
    return snapshot


@pytest.mark.django_db
def test_archived_body_is_served_sandboxed_with_its_stored_type(
    client, reviewer, archived_snapshot
):
    client.force_login(reviewer)

    response = client.get(f"/archive/{archived_snapshot.pk}/content/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PAGE
    assert response["Content-Type"] == "text/html; charset=utf-8"
    csp = response["Content-Security-Policy"]
    assert csp.startswith("sandbox; default-src 'none'")
    assert "script-src 'none'" in csp
    assert "frame-ancestors 'self'" in csp
    assert "https:" not in csp and "http:" not in csp  # nothing from the live web
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in response


@pytest.mark.django_db
def test_archive_views_need_login_and_permission(client, archived_snapshot):
    paths = [f"/archive/{archived_snapshot.pk}/{p}/" for p in ("content", "text", "warc")]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())  # signed in, but in no group
    for path in paths:
        assert client.get(path).status_code == 403


@pytest.mark.django_db
def test_text_and_warc_views(client, reviewer, archived_snapshot):
    client.force_login(reviewer)

    text = client.get(f"/archive/{archived_snapshot.pk}/text/")
    warc = client.get(f"/archive/{archived_snapshot.pk}/warc/")

    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert "rose 60.4% year on year" in text.content.decode()
    assert archived_snapshot.sha256 in text.content.decode()
    assert warc["Content-Type"] == "application/warc"
    assert "attachment" in warc["Content-Disposition"]
    records = [r.rec_type for r in ArchiveIterator(io.BytesIO(b"".join(warc.streaming_content)))]
    assert "response" in records


@pytest.mark.django_db
def test_pending_snapshot_has_no_archived_copy(client, reviewer):
    client.force_login(reviewer)
    snapshot = pending("https://a.example/x")

    assert client.get(f"/archive/{snapshot.pk}/content/").status_code == 404


@pytest.mark.django_db
def test_separate_archive_origin_uses_signed_links(client, reviewer, archived_snapshot, settings):
    settings.REEX_ARCHIVE_ORIGIN = "https://archive.reex.test"
    settings.ALLOWED_HOSTS = ["testserver", "archive.reex.test"]
    client.force_login(reviewer)

    desk = client.get(f"/archive/{archived_snapshot.pk}/content/")
    assert desk.status_code == 302
    link = desk["Location"]
    assert link.startswith(f"https://archive.reex.test/archive/{archived_snapshot.pk}/content/?t=")

    anonymous = type(client)()
    query = link.split("?", 1)[1]
    served = anonymous.get(
        f"/archive/{archived_snapshot.pk}/content/?{query}",
        HTTP_HOST="archive.reex.test",
        secure=True,
    )
    assert served.status_code == 200
    assert served["Content-Security-Policy"].startswith("sandbox")
    forged = anonymous.get(
        f"/archive/{archived_snapshot.pk}/content/?t=forged",
        HTTP_HOST="archive.reex.test",
        secure=True,
    )
    assert forged.status_code == 403
    other = SnapshotFactory(archived=True)
    wrong = anonymous.get(
        f"/archive/{other.pk}/content/?{query}", HTTP_HOST="archive.reex.test", secure=True
    )
    assert wrong.status_code == 403


@pytest.mark.django_db
def test_frame_fragment_is_sandboxed_without_same_origin(reviewer, archived_snapshot):
    request = RequestFactory().get("/")
    request.user = reviewer

    html = render_to_string(
        "sources/_archive_frame.html", {"snapshot": archived_snapshot, "request": request}
    )

    assert 'sandbox=""' in html
    assert "allow-same-origin" not in html
    assert "allow-scripts" not in html
    assert f'src="/archive/{archived_snapshot.pk}/content/"' in html
    assert 'referrerpolicy="no-referrer"' in html


@pytest.mark.django_db
def test_attach_in_a_request_does_not_fetch(origin: HTTPServer, django_capture_on_commit_callbacks):
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    claim = ClaimFactory()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        evidence = evidence_attach(
            claim=claim, url=origin.url_for("/story"), stance="supports", actor=None
        )

    assert evidence.snapshot.status == "pending"
    assert origin.log == []
