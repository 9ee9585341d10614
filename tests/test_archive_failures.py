"""Failures that must show: a worker that cannot import its extractor refuses to start; an
archive task that dies of something the fetcher did not expect ends its snapshot `failed` with
the reason after its bounded attempts; the sweep gives up after REEX_ARCHIVE_MAX_REQUEUES.

The broken install is real, not a mock: the worker runs with a PYTHONPATH shim whose
`lxml_html_clean` cannot be imported, which is exactly what Python 3.11's own pip (23.x) leaves
behind when it drops jusText's `lxml[html_clean]` extra (lxml.html.clean then raises "lxml.html.clean
module is now a separate project")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from pytest_httpserver import HTTPServer

from sources.models import Snapshot
from sources.services.requests import request_retry, snapshot_request
from sources.tasks import sweep_stuck_snapshots
from tests.factories import SnapshotFactory
from tests.worker import purge_queue, wait_for

PAGE = b"<html><head><title>Output</title></head><body><p>Output rose 60.4%.</p></body></html>"
REAL_REASON = "lxml.html.clean module is now a separate project lxml_html_clean"


@pytest.fixture
def broken_install(tmp_path) -> str:
    """A PYTHONPATH entry whose `lxml_html_clean` fails to import, as if it were not installed."""
    shim = tmp_path / "shim"
    (shim / "lxml_html_clean").mkdir(parents=True)
    (shim / "lxml_html_clean" / "__init__.py").write_text(
        "raise ImportError(\"No module named 'lxml_html_clean' (test shim)\")\n"
    )
    return str(shim)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_that_cannot_import_its_extractor_refuses_to_start_and_says_why(
    make_celery_worker, broken_install
):
    worker = make_celery_worker(start=False, PYTHONPATH=broken_install)
    with pytest.raises(RuntimeError, match="exited early"):
        worker.start()
    assert worker.process.returncode == 1
    log = worker.log()
    assert "reex worker: refusing to start: its tasks cannot import what they need" in log
    assert f"lxml.html.clean: ImportError: {REAL_REASON}" in log
    assert "bin/install-lock python requirements.lock" in log
    assert " ready." not in log


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_archive_task_whose_extractor_cannot_be_imported_ends_failed_with_the_reason(
    make_celery_worker, broken_install, origin: HTTPServer
):
    origin.expect_request("/page").respond_with_data(PAGE, content_type="text/html")
    # The start-up check is what normally stops this worker; switched off, its tasks run and
    # must still fail their snapshots in words, not leave them pending for the sweep for ever.
    worker = make_celery_worker(
        PYTHONPATH=broken_install,
        REEX_WORKER_IMPORT_CHECK="0",
        REEX_ARCHIVE_MAX_ATTEMPTS="3",
        REEX_ARCHIVE_RETRY_BASE_SECONDS="1",
    )
    with transaction.atomic():
        snapshot = snapshot_request(url=origin.url_for("/page"))

    def failed():
        snapshot.refresh_from_db()
        return snapshot.status == Snapshot.Status.FAILED

    wait_for(failed, timeout=60, what="the snapshot to fail", worker=worker)
    assert snapshot.attempts == 3
    assert snapshot.error_kind == "internal"
    assert snapshot.error.startswith(f"internal error: ImportError: {REAL_REASON}")
    assert snapshot.error.endswith("(gave up after 3 attempts)")
    assert origin.log == []  # it died before fetching anything
    assert "archive task for snapshot" in worker.log()

    # Mended install, fresh attempts: the same snapshot archives.
    worker.restart(PYTHONPATH="", REEX_WORKER_IMPORT_CHECK="1")
    with transaction.atomic():
        assert request_retry(snapshot=snapshot)
    wait_for(
        lambda: Snapshot.objects.get(pk=snapshot.pk).status == Snapshot.Status.ARCHIVED,
        timeout=60,
        what="the retried snapshot to archive",
        worker=worker,
    )


@pytest.mark.django_db(transaction=True)
def test_the_sweep_gives_up_after_the_requeue_limit_with_the_last_error(settings):
    settings.REEX_ARCHIVE_MAX_REQUEUES = 2
    stale = settings.REEX_ARCHIVE_STALE_SECONDS + 1
    snapshot = SnapshotFactory(error="internal error: ImportError: …", error_kind="internal")
    other = SnapshotFactory()

    def age_all() -> None:
        Snapshot.objects.update(updated_at=timezone.now() - timedelta(seconds=stale))

    try:
        for round_ in (1, 2):
            age_all()
            assert sweep_stuck_snapshots() == 2
            snapshot.refresh_from_db()
            assert (snapshot.status, snapshot.requeues) == (Snapshot.Status.PENDING, round_)
        age_all()
        assert sweep_stuck_snapshots() == 0  # both given up, none queued again
        for row in (snapshot, other):
            row.refresh_from_db()
            assert row.status == Snapshot.Status.FAILED
            assert row.error_kind == "stuck"
        assert snapshot.error == (
            "gave up: the sweep queued it 2 times and no worker finished it "
            "(last error: internal error: ImportError: …)"
        )
        assert other.error == "gave up: the sweep queued it 2 times and no worker finished it"
        age_all()
        assert sweep_stuck_snapshots() == 0
        # A retry by hand starts afresh: attempts and re-queues back to zero.
        assert request_retry(snapshot=snapshot, enqueue=False)
        snapshot.refresh_from_db()
        assert (snapshot.status, snapshot.attempts, snapshot.requeues) == ("pending", 0, 0)
    finally:
        purge_queue(settings.CELERY_TASK_DEFAULT_QUEUE)


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_a_worker_took_meanwhile_is_not_given_up(settings):
    settings.REEX_ARCHIVE_MAX_REQUEUES = 1
    snapshot = SnapshotFactory(requeues=1)
    Snapshot.objects.filter(pk=snapshot.pk).update(
        status=Snapshot.Status.FETCHING,
        fetch_started_at=timezone.now(),
        updated_at=timezone.now() - timedelta(seconds=settings.REEX_ARCHIVE_STALE_SECONDS + 1),
    )
    assert sweep_stuck_snapshots() == 0
    snapshot.refresh_from_db()
    assert snapshot.status == Snapshot.Status.FETCHING  # its reservation is fresh: not stuck
