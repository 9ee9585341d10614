"""`python manage.py archive [--failed] [--stale DAYS] [--inline] [--no-wait]`

Without options: queue every snapshot still `pending` or stuck in `fetching` (a manual sweep).
--failed      retry failed snapshots (the newest of each URL chain), with fresh attempts
--stale DAYS  re-check snapshots archived more than DAYS ago: a NEW snapshot each, `previous`
              = the old one; when it ends, `drift` says changed (new hash) or vanished (404/410).
              Earlier snapshots are kept; evidence moves to the newest archived one.
--inline      archive in this process instead of queueing for the workers
--no-wait     queue and return; otherwise follow progress until done (or --timeout)
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from sources.archive import archive_snapshot
from sources.models import Snapshot
from sources.services.requests import request_rearchive

UNFINISHED = [Snapshot.Status.PENDING, Snapshot.Status.FETCHING]
MAX_STALE_DAYS = 36_500  # a century: anything more is a typo, and timedelta overflows near 10⁹


def stale_days(value: str) -> int:
    """--stale DAYS: a whole number of days, 0 (everything archived so far) to MAX_STALE_DAYS."""
    try:
        days = int(value)
    except ValueError:
        raise CommandError(f"--stale takes a whole number of days, not {value!r}.") from None
    if not 0 <= days <= MAX_STALE_DAYS:
        raise CommandError(f"--stale takes 0 to {MAX_STALE_DAYS} days, not {days}.")
    return days


class Command(BaseCommand):
    help = (
        "Archive pending snapshots, retry failed ones (--failed), re-check old ones (--stale DAYS)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--failed", action="store_true", help="Retry failed snapshots.")
        parser.add_argument(
            "--stale",
            type=str,
            metavar="DAYS",
            help="Re-check snapshots archived DAYS ago or more.",
        )
        parser.add_argument("--inline", action="store_true", help="Archive in this process.")
        parser.add_argument("--no-wait", action="store_true", help="Queue and return at once.")
        parser.add_argument(
            "--timeout", type=float, default=600, help="Seconds to follow progress."
        )

    def handle(self, *args, failed: bool, stale: str | int | None, inline: bool, no_wait: bool,
               timeout: float, verbosity: int, **options) -> None:  # fmt: skip
        if stale is not None:
            stale = stale_days(stale)
        targets = Snapshot.objects.none()
        newest = Q(rechecks__isnull=True)
        if failed:
            targets |= Snapshot.objects.filter(newest, status=Snapshot.Status.FAILED)
        if stale is not None:
            cutoff = timezone.now() - timedelta(days=stale)
            targets |= Snapshot.objects.filter(
                newest, status=Snapshot.Status.ARCHIVED, archived_at__lte=cutoff
            )
        if not failed and stale is None:
            targets = Snapshot.objects.filter(status__in=UNFINISHED)
        snapshots = list(targets.distinct().order_by("pk"))
        quiet = verbosity == 0

        work: list[int] = []
        done = {"recheck": 0, "retry": 0, "queued": 0, "skipped": 0}
        for snapshot in tqdm(snapshots, desc="requesting", unit="snapshot", disable=quiet):
            with transaction.atomic():
                action, snapshot_id = request_rearchive(snapshot=snapshot, enqueue=not inline)
            done[action] += 1
            if snapshot_id is not None:
                work.append(snapshot_id)
        self.stdout.write(
            f"{len(snapshots)} snapshots: {done['recheck']} re-checks, {done['retry']} retries, "
            f"{done['queued']} queued, {done['skipped']} skipped."
        )
        if not work:
            return
        if inline:
            for snapshot_id in tqdm(work, desc="archiving", unit="snapshot", disable=quiet):
                archive_snapshot(snapshot_id=snapshot_id)
        elif not no_wait:
            self._follow(work, timeout=timeout, quiet=quiet)
        self._summary(work)

    def _follow(self, ids: list[int], *, timeout: float, quiet: bool) -> None:
        deadline = time.monotonic() + timeout
        with tqdm(total=len(ids), desc="archiving", unit="snapshot", disable=quiet) as bar:
            finished = 0
            while finished < len(ids) and time.monotonic() < deadline:
                time.sleep(0.5)
                now = Snapshot.objects.filter(pk__in=ids).exclude(status__in=UNFINISHED).count()
                bar.update(now - finished)
                finished = now
        if finished < len(ids):
            self.stderr.write(
                f"{len(ids) - finished} still pending after {timeout:g} s: are workers running "
                "(make worker)? They stay queued; the sweep re-queues them."
            )

    def _summary(self, ids: list[int]) -> None:
        rows = Snapshot.objects.filter(pk__in=ids)
        counts = {s: rows.filter(status=s).count() for s in Snapshot.Status.values}
        changed = rows.filter(drift=Snapshot.Drift.CHANGED).count()
        vanished = rows.filter(drift=Snapshot.Drift.VANISHED).count()
        self.stdout.write(
            f"archived {counts['archived']}, failed {counts['failed']}, "
            f"unfinished {counts['pending'] + counts['fetching']}; "
            f"changed {changed}, vanished {vanished}."
        )
        for snapshot in rows.filter(status=Snapshot.Status.FAILED)[:20]:
            self.stdout.write(f"  failed: {snapshot.url}: {snapshot.error}")
