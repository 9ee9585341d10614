"""Editors' admin for entities, their domains and ownership, and archived snapshots."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from reex.lib.admin import admin_link
from sources.models import Domain, Entity, Ownership, Snapshot


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "note"]


class OwnerInline(admin.TabularInline):
    """Who owns this entity (edges where it is the owned side)."""

    model = Ownership
    fk_name = "owned"
    extra = 0
    verbose_name = "owner"
    verbose_name_plural = "owned by"
    autocomplete_fields = ["owner"]
    fields = ["owner", "stake_pct", "controlling", "confirmed", "as_of", "citation_url"]


class HoldingInline(admin.TabularInline):
    """What this entity owns (edges where it is the owner)."""

    model = Ownership
    fk_name = "owner"
    extra = 0
    verbose_name = "holding"
    verbose_name_plural = "owns"
    autocomplete_fields = ["owned"]
    fields = ["owned", "stake_pct", "controlling", "confirmed", "as_of", "citation_url"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "domain_list", "owner_count", "holding_count"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "aliases", "domains__domain"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at", "control_chains"]
    inlines = [DomainInline, OwnerInline, HoldingInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "country", "aliases"]}),
        ("Control (computed from the ownership edges)", {"fields": ["control_chains"]}),
        ("Basis", {"fields": ["basis"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entity]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("domains")
            .annotate(
                n_owners=Count("owners", distinct=True), n_holdings=Count("holdings", distinct=True)
            )
        )

    @admin.display(description="chains and ultimate controllers")
    def control_chains(self, obj: Entity) -> str:
        # Two queries whatever the depth (sources.chains); recomputed on every view, so an
        # ownership edit shows here (and in the next suggestion) at once.
        if obj.pk is None:
            return "-"
        from django.utils.html import format_html, format_html_join

        from sources.selectors import entity_chains_text

        lines = entity_chains_text(entity_id=obj.pk)
        return format_html(
            "<ul style='margin:0;padding-left:1.2em'>{}</ul>",
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
        )

    @admin.display(description="domains")
    def domain_list(self, obj: Entity) -> str:
        return ", ".join(d.domain for d in obj.domains.all()) or "-"

    @admin.display(description="owners", ordering="n_owners")
    def owner_count(self, obj: Entity) -> int:
        return obj.n_owners

    @admin.display(description="holdings", ordering="n_holdings")
    def holding_count(self, obj: Entity) -> int:
        return obj.n_holdings


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "entity_link", "note"]
    search_fields = ["domain", "entity__name"]
    list_filter = ["entity__kind"]
    autocomplete_fields = ["entity"]
    list_select_related = ["entity"]

    @admin.display(description="entity", ordering="entity__name")
    def entity_link(self, obj: Domain) -> str:
        return admin_link(obj.entity)


@admin.register(Ownership)
class OwnershipAdmin(admin.ModelAdmin):
    list_display = ["owned_link", "owner_link", "stake_pct", "controlling", "confirmed", "as_of"]
    list_filter = ["controlling", "confirmed", "owner__kind"]
    search_fields = ["owner__name", "owned__name", "basis"]
    autocomplete_fields = ["owner", "owned"]
    list_select_related = ["owner", "owned"]

    @admin.display(description="owned", ordering="owned__name")
    def owned_link(self, obj: Ownership) -> str:
        return admin_link(obj.owned)

    @admin.display(description="owner", ordering="owner__name")
    def owner_link(self, obj: Ownership) -> str:
        return admin_link(obj.owner)


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
        from django.db import transaction

        from sources.archive import request_rearchive

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
