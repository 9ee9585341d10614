"""The archive's admin: snapshots, read-only, with re-archiving."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from sources.models import Snapshot
from sources.services.requests import request_rearchive


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Snapshots are written by the archiving worker only: read-only here."""

    list_display = [
        "url",
        "status",
        "http_status",
        "attempts",
        "drift",
        "archived_at",
        "short_hash",
    ]
    list_filter = ["status", "error_kind", "drift"]
    search_fields = ["url", "final_url", "title", "sha256"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Snapshot._meta.fields]
    exclude = ["text"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Snapshot | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Snapshot | None = None) -> bool:
        return False

    @admin.display(description="sha256")
    def short_hash(self, obj: Snapshot) -> str:
        return obj.sha256[:12] or "-"

    actions = ["rearchive"]

    @admin.action(description="Re-archive: re-check archived, retry failed, re-queue pending")
    def rearchive(self, request: HttpRequest, queryset) -> None:
        # Writes go through the archive service; earlier snapshots are never changed.
        done: dict[str, int] = {}
        for snapshot in queryset:
            with transaction.atomic():
                action, _ = request_rearchive(snapshot=snapshot)
            done[action] = done.get(action, 0) + 1
        self.message_user(
            request,
            "Re-archiving: "
            + ", ".join(f"{count} {action}" for action, count in sorted(done.items()))
            + ". Workers fetch them in the background.",
        )
