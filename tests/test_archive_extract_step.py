"""The two steps of archiving one snapshot: fetch and store (the fetching worker), then extract
and finish (the extraction worker, on its own queue; for a small page, the archive task
itself). A stored snapshot stays `fetching` until its text is extracted; every way the second
step ends is settled. The tasks are called in this
process here (their bodies, not a broker); tests/test_archive_worker.py runs real workers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_httpserver import HTTPServer

from plumbing.backoff import backoff
from sources import tasks
from sources.archive import archive_snapshot
from sources.models import Snapshot
from sources.services.snapshots import snapshot_extraction_crashed
from sources.signals import snapshot_archived

PAGE = (
    b"<html><head><title>Output up</title></head><body><article><p>Metals output rose 60.4% "
    b"year on year, the company said. Analysts expected a smaller rise this year.</p>"
    b"</article></body></html>"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Every page to the extraction queue, as PDFs and large pages go, unless a test says not.
    settings.REEX_EXTRACT_INLINE_BYTES = 0
    return Path(settings.MEDIA_ROOT)


def stored(origin: HTTPServer, capture, path: str = "/a", body: bytes = PAGE, **kwargs):
    """A snapshot fetched and stored by the fetching step, its extraction not yet run."""
    origin.expect_request(path).respond_with_data(body, **kwargs)
    snapshot = Snapshot.objects.create(url=origin.url_for(path))
    with capture() as queued:  # not executed: no broker here
        outcome = archive_snapshot(snapshot_id=snapshot.pk, inline=False)
    snapshot.refresh_from_db()
    return snapshot, outcome, queued


@pytest.mark.django_db
def test_a_stored_snapshot_stays_fetching_with_its_body_until_extracted(
    origin: HTTPServer, django_capture_on_commit_callbacks
):
    received = []

    def on_archived(sender, snapshot, **kwargs):
        received.append((snapshot.pk, snapshot.text))

    snapshot_archived.connect(on_archived)
    try:
        snapshot, outcome, queued = stored(
            origin, django_capture_on_commit_callbacks, content_type="text/html"
        )
        assert outcome.status == "stored"
        assert len(queued) == 1  # the extraction task, queued after commit
        assert snapshot.status == Snapshot.Status.FETCHING
        assert snapshot.sha256 and snapshot.body and snapshot.warc
        assert snapshot.text == ""
        assert received == []  # no `archived` signal before the text is there

        with django_capture_on_commit_callbacks(execute=True):
            status = tasks.extract_snapshot(snapshot.pk, snapshot.fetch_started_at.isoformat())
        snapshot.refresh_from_db()
        assert status == "archived"
        assert snapshot.status == Snapshot.Status.ARCHIVED
        assert "60.4%" in snapshot.text
        assert received == [(snapshot.pk, snapshot.text)]
    finally:
        snapshot_archived.disconnect(on_archived)


@pytest.mark.django_db
def test_extraction_of_a_reclaimed_snapshot_leaves_the_new_attempt_alone(
    origin: HTTPServer, django_capture_on_commit_callbacks
):
    snapshot, _, _ = stored(origin, django_capture_on_commit_callbacks, content_type="text/html")
    old_token = snapshot.fetch_started_at
    # The sweep reclaimed it: a new reservation, another worker's.
    Snapshot.objects.filter(pk=snapshot.pk).update(fetch_started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        status = tasks.extract_snapshot(snapshot.pk, old_token.isoformat())
    snapshot.refresh_from_db()
    assert status == "skipped"
    assert snapshot.status == Snapshot.Status.FETCHING
    assert snapshot.text == ""


@pytest.mark.django_db
def test_an_extractor_that_raises_still_archives_without_text_and_says_why(
    origin: HTTPServer, django_capture_on_commit_callbacks
):
    # Declared a PDF, it is not one: pypdf raises on it.
    snapshot, _, _ = stored(
        origin,
        django_capture_on_commit_callbacks,
        body=b"not a pdf",
        content_type="application/pdf",
    )
    with django_capture_on_commit_callbacks(execute=True):
        status = tasks.extract_snapshot(snapshot.pk, snapshot.fetch_started_at.isoformat())
    snapshot.refresh_from_db()
    assert status == "archived"
    assert snapshot.status == Snapshot.Status.ARCHIVED
    assert snapshot.text == ""
    assert snapshot.error.startswith("archived, but text extraction failed: ")


@pytest.mark.django_db
def test_an_extraction_task_that_died_archives_the_stored_body_with_the_reason(
    origin: HTTPServer, django_capture_on_commit_callbacks
):
    snapshot, _, _ = stored(origin, django_capture_on_commit_callbacks, content_type="text/html")
    error = ImportError("lxml.html.clean module is now a separate project lxml_html_clean")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = snapshot_extraction_crashed(
            snapshot_id=snapshot.pk, token=snapshot.fetch_started_at, error=error
        )
    snapshot.refresh_from_db()
    assert outcome.status == "archived"
    assert snapshot.status == Snapshot.Status.ARCHIVED
    assert snapshot.error == (
        "archived, but text extraction failed: internal error: ImportError: "
        "lxml.html.clean module is now a separate project lxml_html_clean"
    )


@pytest.mark.django_db
def test_a_stored_snapshot_whose_extraction_never_ran_is_swept(
    origin: HTTPServer, django_capture_on_commit_callbacks, settings
):
    """The extraction process was killed, or its message lost: the row is `fetching` under a
    reservation that goes stale, and the sweep's archive task takes it again."""
    from sources.services.sweep import stuck_snapshot_ids

    snapshot, _, _ = stored(origin, django_capture_on_commit_callbacks, content_type="text/html")
    assert snapshot.pk not in stuck_snapshot_ids()
    stale = timezone.now() - timedelta(seconds=settings.REEX_ARCHIVE_STALE_SECONDS + 1)
    Snapshot.objects.filter(pk=snapshot.pk).update(fetch_started_at=stale, updated_at=stale)
    assert snapshot.pk in stuck_snapshot_ids()
    old_warc = snapshot.warc.name
    with django_capture_on_commit_callbacks(execute=True):
        outcome = archive_snapshot(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    assert outcome.status == "archived"
    assert (snapshot.status, snapshot.attempts) == (Snapshot.Status.ARCHIVED, 2)
    assert snapshot.warc.name != old_warc
    # The first attempt's WARC, which nothing refers to any more, is gone.
    assert not (Path(settings.MEDIA_ROOT) / old_warc).exists()


@pytest.mark.django_db
def test_a_small_page_is_extracted_by_the_archive_task_itself(
    origin: HTTPServer, django_capture_on_commit_callbacks, settings
):
    settings.REEX_EXTRACT_INLINE_BYTES = len(PAGE)
    received = []

    def on_archived(sender, snapshot, **kwargs):
        received.append((snapshot.pk, snapshot.text))

    snapshot_archived.connect(on_archived)
    try:
        origin.expect_request("/small").respond_with_data(PAGE, content_type="text/html")
        snapshot = Snapshot.objects.create(url=origin.url_for("/small"))
        with django_capture_on_commit_callbacks(execute=True):
            outcome = archive_snapshot(snapshot_id=snapshot.pk, inline=False)
        snapshot.refresh_from_db()
        assert outcome.status == "archived"  # not `stored`: no extraction task for it
        assert (snapshot.status, snapshot.attempts) == (Snapshot.Status.ARCHIVED, 1)
        assert snapshot.title == "Output up" and "60.4%" in snapshot.text
        assert snapshot.sha256 and snapshot.body and snapshot.warc
        assert received == [(snapshot.pk, snapshot.text)]  # after the commit, text there
    finally:
        snapshot_archived.disconnect(on_archived)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, body, content_type",
    [
        ("/large", PAGE + b" " * 10, "text/html"),  # one byte too many is enough
        ("/report.pdf", b"%PDF-1.4 not really", "application/pdf"),  # PDFs: always the pool
    ],
)
def test_a_large_page_or_a_pdf_goes_to_the_extraction_queue(
    origin: HTTPServer, django_capture_on_commit_callbacks, settings, path, body, content_type
):
    settings.REEX_EXTRACT_INLINE_BYTES = len(PAGE) + 9
    snapshot, outcome, queued = stored(
        origin, django_capture_on_commit_callbacks, path=path, body=body, content_type=content_type
    )
    assert outcome.status == "stored"
    assert len(queued) == 1  # the extraction task
    assert snapshot.status == Snapshot.Status.FETCHING and snapshot.text == ""


def test_one_backoff_serves_archiving_and_webhooks():
    at_cap = {backoff(30, base=10, cap=300, jitter_below_cap=True) for _ in range(50)}
    assert all(150 <= d <= 300 for d in at_cap) and len(at_cap) > 1  # archiving: still spread
    for _ in range(50):
        assert 5 <= backoff(1, base=10, cap=300, jitter_below_cap=True) <= 10  # half to all
        assert 27 <= backoff(1, base=30, cap=3600, spread=(0.9, 1.1)) <= 33  # webhooks: ±10%
        assert backoff(20, base=30, cap=3600, spread=(0.9, 1.1)) == 3600  # clipped exactly
    assert backoff(1, base=10, cap=300, retry_after=120) == 120
    assert backoff(1, base=10, cap=300, retry_after=10_000) == 300


def _declared_tasks(module: str) -> set[str]:
    """The names of the `shared_task`s a module declares: its `name=`, else Celery's default
    (module.function). Read from the source: which tasks a process has registered depends on
    what it imported first."""
    import ast
    import importlib.util

    path = importlib.util.find_spec(module).origin
    names = set()
    for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            func = call.func if call else decorator
            if isinstance(func, ast.Name) and func.id == "shared_task":
                given = [k.value.value for k in (call.keywords if call else []) if k.arg == "name"]
                names.add(given[0] if given else f"{module}.{node.name}")
    return names


def test_the_handoff_names_the_tasks_that_run_the_next_step():
    # sources.handoff sends the next step by task name (the pipeline may not import the task
    # modules that run it): each name is a task's own, routed to its queue.
    from django.conf import settings

    from sources import handoff

    assert handoff.EXTRACT_TASK in _declared_tasks("sources.tasks")
    assert handoff.RENDER_TASK in _declared_tasks("sources.capture_tasks")
    routes = settings.CELERY_TASK_ROUTES
    assert routes[handoff.EXTRACT_TASK]["queue"] == settings.REEX_EXTRACT_QUEUE
    assert routes[handoff.RENDER_TASK]["queue"] == settings.REEX_RENDER_QUEUE
