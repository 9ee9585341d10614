"""Snapshot metadata for the API."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.models import Snapshot
from sources.views import content_url


def _archive_url(request, name: str, snapshot_id: int) -> str | None:
    try:
        path = reverse(name, args=[snapshot_id])
    except NoReverseMatch:
        return None
    return request.build_absolute_uri(path) if request is not None else path


class SnapshotSerializer(serializers.ModelSerializer):
    content_url = serializers.SerializerMethodField(
        help_text="The archived body, served sandboxed (Content-Security-Policy: sandbox)."
    )
    text_url = serializers.SerializerMethodField(help_text="The extracted text, as plain text.")
    warc_url = serializers.SerializerMethodField(help_text="The WARC record of the capture.")

    class Meta:
        model = Snapshot
        fields = [
            "id",
            "url",
            "status",
            "final_url",
            "http_status",
            "content_type",
            "size",
            "sha256",
            "title",
            "author",
            "published_on",
            "site_name",
            "canonical_url",
            "error",
            "drift",
            "previous",
            "attempts",
            "created_at",
            "fetch_started_at",
            "archived_at",
            "content_url",
            "text_url",
            "warc_url",
        ]

    def _url(self, obj: Snapshot, name: str) -> str | None:
        return _archive_url(self.context.get("request"), name, obj.pk)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_content_url(self, obj: Snapshot) -> str | None:
        """This server's sandboxed path, or (REEX_ARCHIVE_ORIGIN set) a signed link on the
        archive host, valid REEX_ARCHIVE_LINK_SECONDS; the text and WARC links take the token."""
        if not obj.body:
            return None
        request = self.context.get("request")
        url = content_url(obj, user=getattr(request, "user", None))
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_text_url(self, obj: Snapshot) -> str | None:
        return (
            self._url(obj, "sources:snapshot-text")
            if obj.status == Snapshot.Status.ARCHIVED
            else None
        )

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_warc_url(self, obj: Snapshot) -> str | None:
        return self._url(obj, "sources:snapshot-warc") if obj.warc else None
