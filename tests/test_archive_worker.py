"""The archive path end to end with a real Celery worker process on the real broker.

Each test starts `celery worker --pool threads` as a subprocess on the test database (see
tests/worker.py) and waits on the database for the outcome.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from pathlib import Path

import pytest
from django.db import transaction
from pytest_httpserver import HTTPServer
from warcio.archiveiterator import ArchiveIterator
from werkzeug import Response

from claims.models import Evidence
from claims.services.evidence import evidence_attach
from sources.models import Snapshot
from sources.tasks import sweep_stuck_snapshots
from tests.factories import ClaimFactory
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PAGE = (
    b"<html><head><title>Northern Rare Earth profit soars</title></head><body><article>"
    b"<h1>Northern Rare Earth profit soars</h1>"
    b"<p>Net profit attributable to shareholders rose 1,882.5% in the first half, "
    b"the company said in a filing on Tuesday.</p>"
    b"<p>Rare earth metals output jumped 60.4 percent year on year, according to Northern "
    b"Rare Earth. Analysts expect further gains as prices recover across the sector.</p>"
    b"</article></body></html>"
)


def status_of(snapshot_id: int) -> str:
    return Snapshot.objects.values_list("status", flat=True).get(pk=snapshot_id)


def attach(url: str, **kwargs) -> Evidence:
    claim = kwargs.pop("claim", None) or ClaimFactory(
        figures=[{"value": 1882.5, "unit": "%"}, {"value": 60.4, "unit": "%"}],
        origin__name="China Northern Rare Earth (Group) High-Tech Co., Ltd.",
        origin__aliases=["Northern Rare Earth", "北方稀土"],
    )
    with transaction.atomic():  # the task is queued when this commits
        return evidence_attach(claim=claim, url=url, stance="supports", actor=None)


def test_attached_evidence_is_archived_by_the_worker_with_hash_text_and_warc(
    origin: HTTPServer, celery_worker_proc, settings
):
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html; charset=utf-8")

    evidence = attach(origin.url_for("/story"))
    snapshot_id = evidence.snapshot_id

    wait_for(lambda: status_of(snapshot_id) == "archived", worker=celery_worker_proc)
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    assert snapshot.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert snapshot.attempts == 1
    assert snapshot.http_status == 200
    assert snapshot.ip_address == "127.0.0.1"
    assert snapshot.title == "Northern Rare Earth profit soars"
    assert "rose 1,882.5% in the first half" in snapshot.text
    assert snapshot.body.read() == PAGE
    snapshot.body.close()

    by_type, payloads = {}, {}
    for record in ArchiveIterator(io.BytesIO(snapshot.warc.read())):
        by_type[record.rec_type] = record
        payloads[record.rec_type] = record.content_stream().read()  # before the next record
    snapshot.warc.close()
    assert set(by_type) >= {"warcinfo", "request", "response"}
    response = by_type["response"]
    assert response.rec_headers.get_header("WARC-Target-URI") == origin.url_for("/story")
    assert response.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert response.rec_headers.get_header("WARC-Date")
    assert response.http_headers.get_statuscode() == "200"
    assert payloads["response"] == PAGE
    request = by_type["request"].http_headers
    assert (request.protocol, request.statusline) == ("GET", "/story HTTP/1.1")
    assert request.get_header("User-Agent").startswith("reex-archiver/")

    # claims' receiver ran in the worker: the figures are found and attributed to the origin.
    # It runs after the `archived` commit (hints are computed outside the transaction), so wait
    # for it rather than race it.
    def hinted() -> bool:
        evidence.refresh_from_db()
        return "figures_found" in (evidence.hints or {})

    wait_for(hinted, what="the evidence hints", worker=celery_worker_proc)
    assert evidence.hints["figures_found"] == 2
    assert evidence.hints["echo"]["likely"] is True
    assert "according to Northern Rare Earth" in evidence.hints["echo"]["phrases"]


def test_production_layout_threads_fetch_and_a_prefork_pool_extracts(
    origin: HTTPServer, make_celery_worker
):
    """As `make worker`, bin/devserver and docker-compose.yml run it: a threads worker fetches,
    a prefork worker extracts on its own queue. The extraction worker really is prefork (a
    `worker_pool` setting once turned its `--pool prefork` into threads: reex/settings.py)
    and its forked child writes the snapshot's text."""
    origin.expect_request("/story").respond_with_data(PAGE, content_type="text/html; charset=utf-8")
    fetcher = make_celery_worker(queues="fetch", REEX_EXTRACT_INLINE_BYTES="0")
    extractor = make_celery_worker(queues="extract", pool="prefork", concurrency=1)
    assert "concurrency: 4 (thread)" in fetcher.log()
    assert "concurrency: 1 (prefork)" in extractor.log()

    snapshot_id = attach(origin.url_for("/story")).snapshot_id
    wait_for(lambda: status_of(snapshot_id) == "archived", worker=extractor)
    assert "rose 1,882.5% in the first half" in Snapshot.objects.get(pk=snapshot_id).text
    wait_for(
        lambda: (
            "sources.tasks.extract_snapshot" in extractor.log() and "succeeded" in extractor.log()
        ),
        what="the extraction in the prefork worker",
        worker=extractor,
    )
    assert "sources.tasks.extract_snapshot" not in fetcher.log().split(" ready.", 1)[-1]


def test_worker_killed_mid_fetch_still_archives_exactly_once(
    origin: HTTPServer, make_celery_worker, settings
):
    # Short limits for this test only, nested as settings require; the test process's sweep
    # uses the same staleness.
    limits = {
        "REEX_FETCH_TIMEOUT": "4",
        "REEX_TASK_SOFT_TIME_LIMIT": "5",
        "REEX_TASK_TIME_LIMIT": "6",
        "REEX_ARCHIVE_STALE_SECONDS": "7",
        "REEX_BROKER_VISIBILITY_TIMEOUT": "30",
        "REEX_ARCHIVE_RETRY_MAX_SECONDS": "5",
    }
    settings.REEX_ARCHIVE_STALE_SECONDS = 7
    arrived = threading.Event()
    release = threading.Event()
    calls: list[float] = []

    def handler(_request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            arrived.set()
            release.wait(20)  # hold the first fetch open until its worker is dead
        return Response(PAGE, content_type="text/html")

    origin.expect_request("/held").respond_with_handler(handler)
    worker = make_celery_worker(**limits)

    evidence = attach(origin.url_for("/held"))
    snapshot_id = evidence.snapshot_id
    assert arrived.wait(20), worker.log()
    assert status_of(snapshot_id) == "fetching"
    worker.kill()
    release.set()
    assert status_of(snapshot_id) == "fetching"

    replacement = make_celery_worker(**limits)
    started = Snapshot.objects.get(pk=snapshot_id).fetch_started_at
    # Once the reservation is stale, the sweep (beat's job; called here so the test need not
    # wait for a beat tick) queues it again and the new worker reclaims it.
    wait_for(lambda: sweep_stuck_snapshots() >= 1, timeout=20, every=0.5)
    wait_for(lambda: status_of(snapshot_id) == "archived", worker=replacement)

    snapshot = Snapshot.objects.get(pk=snapshot_id)
    assert snapshot.fetch_started_at > started
    assert snapshot.attempts == 2
    assert snapshot.sha256 == hashlib.sha256(PAGE).hexdigest()
    # Exactly once: one WARC for this snapshot, however many deliveries there were.
    time.sleep(1)
    warc_dir = Path(settings.MEDIA_ROOT) / "warc" / str(snapshot_id)
    assert len(list(warc_dir.iterdir())) == 1
    assert Snapshot.objects.get(pk=snapshot_id).archived_at == snapshot.archived_at


def test_broker_down_at_attach_keeps_evidence_and_the_sweep_archives_it_later(
    origin: HTTPServer, broker_down, make_celery_worker, settings
):
    origin.expect_request("/later").respond_with_data(PAGE, content_type="text/html")
    worker = make_celery_worker(start=False)

    started = time.monotonic()
    evidence = attach(origin.url_for("/later"))
    assert time.monotonic() - started < 5  # attaching never hangs on a dead broker

    evidence.refresh_from_db()
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert status_of(evidence.snapshot_id) == "pending"

    broker_down()  # the broker is back
    worker.start()
    settings.REEX_ARCHIVE_STALE_SECONDS = 0
    assert sweep_stuck_snapshots() == 1
    wait_for(lambda: status_of(evidence.snapshot_id) == "archived", worker=worker)


def test_transient_failure_is_retried_by_the_worker_and_then_archived(
    origin: HTTPServer, make_celery_worker
):
    answers = iter([Response("busy", status=503), Response("busy", status=429)])

    def handler(_request):
        return next(answers, None) or Response(PAGE, content_type="text/html")

    origin.expect_request("/flaky").respond_with_handler(handler)
    worker = make_celery_worker(
        REEX_ARCHIVE_RETRY_BASE_SECONDS="1", REEX_ARCHIVE_RETRY_MAX_SECONDS="2"
    )

    evidence = attach(origin.url_for("/flaky"))

    wait_for(lambda: status_of(evidence.snapshot_id) == "archived", worker=worker)
    assert Snapshot.objects.get(pk=evidence.snapshot_id).attempts == 3


def test_permanent_failure_is_not_retried(origin: HTTPServer, make_celery_worker):
    origin.expect_request("/gone").respond_with_data("no", status=404)
    worker = make_celery_worker(REEX_ARCHIVE_RETRY_BASE_SECONDS="1")

    evidence = attach(origin.url_for("/gone"))

    wait_for(lambda: status_of(evidence.snapshot_id) == "failed", worker=worker)
    time.sleep(1.5)
    snapshot = Snapshot.objects.get(pk=evidence.snapshot_id)
    assert snapshot.error == "HTTP 404 Not Found"
    assert snapshot.attempts == 1
    assert len(origin.log) == 1
