"""Archiving under awkward input and failure: NUL bytes in text, a write that fails after the
files were stored, the sweep's bookkeeping, and the command's argument checks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from pytest_httpserver import HTTPServer

from sources.archive import archive_snapshot
from sources.models import Snapshot
from tests.factories import SnapshotFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def run(snapshot: Snapshot, capture):
    with capture(execute=True):
        outcome = archive_snapshot(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    return outcome


def stored_files(media: Path) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


# --- Characters the database refuses ----------------------------------------------------------


@pytest.mark.django_db
def test_text_with_nul_bytes_is_archived_without_them(
    origin: HTTPServer, django_capture_on_commit_callbacks, media
):
    body = b"Output\x00 rose 60.4% in May,\x00 the company said.\n"
    origin.expect_request("/nul.txt").respond_with_data(body, content_type="text/plain")
    snapshot = Snapshot.objects.create(url=origin.url_for("/nul.txt"))

    outcome = run(snapshot, django_capture_on_commit_callbacks)

    assert outcome.status == "archived", snapshot.error
    assert snapshot.text == "Output rose 60.4% in May, the company said."
    assert snapshot.attempts == 1
    # The stored body keeps every byte (its hash is the evidence); only the text is cleaned.
    assert snapshot.body.read() == body
    assert len(list((media / "warc" / str(snapshot.pk)).iterdir())) == 1


def test_storable_drops_nul_and_lone_surrogates_everywhere():
    from sources.services.snapshots import storable

    value = {"X-A\x00": ["a\x00b", "c\ud800d", {"e": "\udfff"}], "n": 1, "ok": "日本\U0001f600"}

    assert storable(value) == {"X-A": ["ab", "cd", {"e": ""}], "n": 1, "ok": "日本\U0001f600"}
    assert storable("\x00") == ""


# --- A failure after the files were stored leaves no orphans -----------------------------------


def _refuse_archiving() -> None:
    """A real database refusal of the final write (a trigger), not a stand-in for our code."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_archived() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by test trigger'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_archived BEFORE UPDATE ON sources_snapshot FOR EACH ROW "
                "WHEN (NEW.status = 'archived') EXECUTE FUNCTION refuse_archived()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_archived BEFORE UPDATE ON sources_snapshot "
                "WHEN NEW.status = 'archived' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )


@pytest.mark.django_db
def test_a_failed_final_write_deletes_the_files_of_that_attempt(
    origin: HTTPServer, django_capture_on_commit_callbacks, media, settings
):
    settings.REEX_ARCHIVE_MAX_ATTEMPTS = 2
    origin.expect_request("/p.txt").respond_with_data(b"plain text", content_type="text/plain")
    snapshot = Snapshot.objects.create(url=origin.url_for("/p.txt"))
    _refuse_archiving()

    first = run(snapshot, django_capture_on_commit_callbacks)
    assert first.status == "retry"
    assert snapshot.error_kind == "internal"
    assert stored_files(media) == []

    second = run(snapshot, django_capture_on_commit_callbacks)
    assert second.status == "failed"
    assert stored_files(media) == []


# --- manage.py archive --stale ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("1e12", "whole number of days"),
        ("30.5", "whole number of days"),
        ("-1", "0 to 36500 days, not -1"),
        ("36501", "0 to 36500 days, not 36501"),
        ("1000000000000", "0 to 36500 days"),
    ],
)
def test_archive_stale_refuses_days_out_of_range_with_a_message(days, message):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    archived = SnapshotFactory(archived=True)
    with pytest.raises(CommandError, match=message):
        call_command("archive", "--stale", days, "--inline", verbosity=0)
    assert not Snapshot.objects.filter(previous=archived).exists()  # nothing was re-checked


@pytest.mark.django_db
def test_archive_stale_rechecks_only_snapshots_that_old(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    old = SnapshotFactory(archived=True, archived_at=timezone.now() - timedelta(days=40))
    recent = SnapshotFactory(archived=True, archived_at=timezone.now() - timedelta(days=5))

    with django_capture_on_commit_callbacks(execute=False):
        call_command("archive", "--stale", "30", "--no-wait", verbosity=0)

    assert Snapshot.objects.filter(previous=old).count() == 1
    assert not Snapshot.objects.filter(previous=recent).exists()


# --- The sweep ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_requeues_a_stuck_snapshot_once_per_stale_window(
    origin: HTTPServer, django_capture_on_commit_callbacks, settings
):
    from sources.tasks import sweep_stuck_snapshots

    settings.REEX_ARCHIVE_STALE_SECONDS = 600
    origin.expect_request("/story").respond_with_data(b"a story", content_type="text/plain")
    hour_ago = timezone.now() - timedelta(hours=1)
    stuck_pending = Snapshot.objects.create(url=origin.url_for("/story"))
    stuck_fetching = Snapshot.objects.create(
        url=origin.url_for("/story"), status="fetching", fetch_started_at=hour_ago, attempts=1
    )
    Snapshot.objects.filter(pk__in=[stuck_pending.pk, stuck_fetching.pk]).update(
        updated_at=hour_ago
    )

    assert sweep_stuck_snapshots() == 2
    # The next sweeps (every minute) leave both alone while their tasks wait in the queue.
    assert sweep_stuck_snapshots() == 0
    # The mark does not touch the reservation: the queued task still reclaims the dead fetch.
    assert run(stuck_fetching, django_capture_on_commit_callbacks).status == "archived"
    assert stuck_fetching.attempts == 2

    # A stale window later, a row still stuck is re-queued again.
    Snapshot.objects.filter(pk=stuck_pending.pk).update(updated_at=hour_ago)
    assert sweep_stuck_snapshots() == 1
