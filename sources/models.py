"""The archived copies of sources: snapshots and the workers that make them.

`sources` knows nothing of claims or of ownership: the dependency points from `claims` to here.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class SnapshotStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    FETCHING = "fetching", "Fetching"
    ARCHIVED = "archived", "Archived"
    FAILED = "failed", "Failed"


class Snapshot(models.Model):
    """One archived copy of a URL. Re-archiving makes a new row; earlier rows are kept."""

    Status = SnapshotStatus

    url = models.URLField(max_length=2000, help_text="The URL as requested.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    requeues = models.PositiveIntegerField(
        default=0,
        help_text="Times the periodic sweep queued it again; at REEX_ARCHIVE_MAX_REQUEUES it fails.",
    )
    final_url = models.URLField(max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    content_type = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    body = models.FileField(upload_to="bodies/", max_length=500, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    warc = models.FileField(upload_to="warc/", max_length=500, blank=True)
    title = models.TextField(blank=True)
    text = models.TextField(blank=True)
    author = models.CharField(max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    site_name = models.CharField(max_length=500, blank=True)
    canonical_url = models.URLField(max_length=2000, blank=True)
    error = models.TextField(blank=True, help_text="Why the fetch failed, in words.")
    error_kind = models.CharField(
        max_length=20, blank=True, help_text="scheme, address, dns, timeout, too_large, http, ..."
    )
    redirects = models.JSONField(
        default=list, blank=True, help_text="The URLs redirected through, in order."
    )

    class Drift(models.TextChoices):
        NONE = "", "No change"
        CHANGED = "changed", "Changed since the earlier snapshot"
        VANISHED = "vanished", "Vanished (404/410) since the earlier snapshot"

    drift = models.CharField(max_length=10, choices=Drift.choices, default="", blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rechecks"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    fetch_started_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            # The claims API's `updated_since` looks snapshots up by this alone.
            models.Index(fields=["updated_at"], name="snapshot_updated_at"),
            models.Index(fields=["url"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in SnapshotStatus]),
                name="snapshot_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="archived") | ~Q(sha256=""),
                name="snapshot_archived_has_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.get_status_display()})"


class WorkerHeartbeat(models.Model):
    """A Celery worker that is alive: written when it is ready and every
    REEX_WORKER_HEARTBEAT_SECONDS after (sources/heartbeat.py), deleted when it shuts down warmly.
    /healthz counts the rows fresher than REEX_HEALTH_WORKER_MAX_AGE; a killed worker's row just
    goes stale."""

    name = models.CharField(
        max_length=255, unique=True, help_text="celery@host, as Celery names it"
    )
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    queues = models.JSONField(
        default=list, blank=True, help_text="The queues it consumes (archive, extract)."
    )

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.name} (pid {self.pid})"
