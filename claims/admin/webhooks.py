"""Webhooks (issue 6): editors register endpoints; the delivery log is read-only."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from claims.models import WebhookDelivery, WebhookEndpoint

# --- Webhooks (issue 6): editors register endpoints; the delivery log is read-only. ---------


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["-created_at", "-id"]
    fields = ["created_at", "claim", "attempt", "outcome", "http_status", "error", "duration_ms"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return super().get_queryset(request).select_related("claim")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "active", "owner", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    raw_id_fields = ["owner"]
    fields = ["name", "url", "secret", "active", "owner"]
    inlines = [WebhookDeliveryInline]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "claim_id",
        "attempt",
        "outcome",
        "http_status",
        "error",
    ]
    list_filter = ["outcome", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["event_id", "error"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
