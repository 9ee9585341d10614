"""Editors' admin for entities, their domains and ownership, and what imports leave to decide."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ownership.ftm import export_lines, neighbourhood
from ownership.models import (
    Domain,
    Entity,
    ExternalRecord,
    MatchCandidate,
    Ownership,
    OwnershipConflict,
    ReportingException,
)
from ownership.selectors import entity_chains_text
from ownership.services import (
    AlreadyResolved,
    conflict_resolve,
    edge_taken_over,
    match_accept,
    match_reject,
)
from ownership.values import BadValue, checked_identifier
from plumbing.admin import admin_link


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
    fields = [
        "owner",
        "stake_pct",
        "controlling",
        "confirmed",
        "nature",
        "as_of",
        "citation_url",
        "source",
    ]
    readonly_fields = ["source"]


class ReportingExceptionInline(admin.TabularInline):
    """GLEIF Level 2: why no parent is reported (imported, read-only)."""

    model = ReportingException
    extra = 0
    verbose_name = "GLEIF reporting exception (why a parent is missing)"
    verbose_name_plural = "GLEIF reporting exceptions (why a parent is missing)"
    fields = ["category", "reason", "reference", "source_file", "imported_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ExternalRecordInline(admin.TabularInline):
    model = ExternalRecord
    extra = 0
    verbose_name_plural = "imported as"
    fields = ["source", "key", "source_file", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class HoldingInline(admin.TabularInline):
    """What this entity owns (edges where it is the owner)."""

    model = Ownership
    fk_name = "owner"
    extra = 0
    verbose_name = "holding"
    verbose_name_plural = "owns"
    autocomplete_fields = ["owned"]
    fields = [
        "owned",
        "stake_pct",
        "controlling",
        "confirmed",
        "nature",
        "as_of",
        "citation_url",
        "source",
    ]
    readonly_fields = ["source"]


def _download(name: str, content: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class EntityForm(forms.ModelForm):
    """An editor's LEI and USCC are checked as imports check them (python-stdnum: format and
    check digits), and stored compact."""

    class Meta:
        model = Entity
        fields = ["lei", "uscc"]  # the admin adds its fieldsets' fields

    def _number(self, name: str) -> str:
        try:
            return checked_identifier(name, self.cleaned_data.get(name) or "")
        except BadValue as exc:
            raise forms.ValidationError(
                f"Not a valid {exc.label}: {exc.reason}. "
                "Copy it again from the registry, or leave it empty."
            ) from None

    def clean_lei(self) -> str:
        return self._number("lei")

    def clean_uscc(self) -> str:
        return self._number("uscc")


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    form = EntityForm
    list_display = ["name", "kind", "country", "domain_list", "owner_count", "holding_count"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "aliases", "domains__domain", "lei", "uscc", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [
        "created_at",
        "updated_at",
        "control_chains",
        "ownership_picture",
        "missing_parent",
    ]
    inlines = [
        DomainInline,
        OwnerInline,
        HoldingInline,
        ReportingExceptionInline,
        ExternalRecordInline,
    ]
    actions = ["export_ftm", "export_bods"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "country", "aliases", "public_role", "topics"]}),
        ("Identifiers", {"fields": ["lei", "uscc", "wikidata_id"]}),
        (
            "Control (computed from the ownership edges)",
            {"fields": ["control_chains", "ownership_picture", "missing_parent"]},
        ),
        ("Basis", {"fields": ["basis"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        # Owners and holdings edited on the entity page: an imported edge changed here is the
        # editor's from now on, as in the ownership admin.
        if formset.model is Ownership:
            for edge_form in formset.forms:
                if edge_form.instance.pk and edge_form.has_changed():
                    edge_taken_over(edge=edge_form.instance, changed=edge_form.changed_data)
        super().save_formset(request, form, formset, change)

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
        # Two queries whatever the depth (ownership.chains); recomputed on every view, so an
        # ownership edit shows here (and in the next suggestion) at once.
        if obj.pk is None:
            return "-"
        lines = entity_chains_text(entity_id=obj.pk)
        return format_html(
            "<ul style='margin:0;padding-left:1.2em'>{}</ul>",
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
        )

    @admin.display(description="ownership picture")
    def ownership_picture(self, obj: Entity) -> str:
        # Drawn by the server (ownership/svg.py); an <img> never runs what it shows.
        if obj.pk is None:
            return "-"
        url = reverse("ownership:entity-svg", args=[obj.pk])
        return format_html(
            '<a href="{}"><img src="{}" alt="Control chains of {} up to its ultimate '
            'controllers" style="max-width:100%;height:auto;border:1px solid #ccc"></a>',
            url,
            url,
            obj.name,
        )

    @admin.display(description="why no parent is reported (GLEIF)")
    def missing_parent(self, obj: Entity) -> str:
        if obj.pk is None:
            return "-"
        rows = list(obj.gleif_exceptions.all())
        if not rows:
            return "-"
        return "; ".join(
            f"{r.get_category_display()}: {r.reason}" + (f" ({r.reference})" if r.reference else "")
            for r in rows
        )

    def _selection_graph(self, queryset: QuerySet[Entity]):
        entities: dict[int, Entity] = {}
        edges: dict[int, Ownership] = {}
        for entity in queryset:
            ents, eds = neighbourhood(entity=entity, depth=1)
            entities.update((e.pk, e) for e in ents)
            edges.update((e.pk, e) for e in eds)
        by_slug = sorted(entities.values(), key=lambda e: e.slug)
        return by_slug, sorted(edges.values(), key=lambda e: (e.owner.slug, e.owned.slug))

    @admin.action(description="Export FollowTheMoney JSON lines (selection and neighbours)")
    def export_ftm(self, request: HttpRequest, queryset: QuerySet[Entity]) -> HttpResponse:
        entities, edges = self._selection_graph(queryset)
        text = "".join(line + "\n" for line in export_lines(entities=entities, edges=edges))
        return _download("reex-ownership.ftm.json", text, "application/x-ndjson")

    @admin.action(description="Export BODS 0.4 statements (selection and neighbours)")
    def export_bods(self, request: HttpRequest, queryset: QuerySet[Entity]):
        from ownership.bods import export_statements, validate

        entities, edges = self._selection_graph(queryset)
        statements = export_statements(entities=entities, edges=edges)
        errors = validate(statements)
        if errors:
            self.message_user(
                request, "Not valid BODS 0.4: " + "; ".join(errors[:5]), messages.ERROR
            )
            return None
        text = json.dumps(statements, ensure_ascii=False, indent=1)
        return _download("reex-ownership.bods.json", text, "application/json")

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
    list_display = [
        "owned_link",
        "owner_link",
        "stake_pct",
        "controlling",
        "confirmed",
        "nature",
        "source",
        "as_of",
    ]
    list_filter = ["controlling", "confirmed", "nature", "source", "owner__kind"]
    search_fields = ["owner__name", "owned__name", "basis", "source_file"]
    autocomplete_fields = ["owner", "owned"]
    list_select_related = ["owner", "owned"]
    readonly_fields = [
        "source",
        "imported_from",
        "source_file",
        "source_record",
        "source_detail",
        "imported_at",
        "conflict_links",
    ]

    def save_model(self, request: HttpRequest, obj: Ownership, form, change: bool) -> None:
        # An editor's change to an imported edge is the editor's from now on.
        edge_taken_over(edge=obj, changed=form.changed_data)
        super().save_model(request, obj, form, change)

    @admin.display(description="import conflicts")
    def conflict_links(self, obj: Ownership) -> str:
        rows = list(obj.conflicts.all()) if obj.pk else []
        if not rows:
            return "-"
        return format_html_join(
            ", ", "{} ({})", ((admin_link(c, f"#{c.pk}"), c.get_status_display()) for c in rows)
        )

    @admin.display(description="owned", ordering="owned__name")
    def owned_link(self, obj: Ownership) -> str:
        return admin_link(obj.owned)

    @admin.display(description="owner", ordering="owner__name")
    def owner_link(self, obj: Ownership) -> str:
        return admin_link(obj.owner)


@admin.register(OwnershipConflict)
class OwnershipConflictAdmin(admin.ModelAdmin):
    """An import disagreed with an edge it may not change: the editor decides."""

    list_display = ["edge_link", "differences", "source", "source_file", "status", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["ownership__owner__name", "ownership__owned__name", "source_file"]
    list_select_related = ["ownership__owner", "ownership__owned"]
    readonly_fields = [f.name for f in OwnershipConflict._meta.fields] + ["edge_link"]
    actions = ["keep_editors", "take_imported"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("ownership.change_ownershipconflict")

    @admin.display(description="edge")
    def edge_link(self, obj: OwnershipConflict) -> str:
        return admin_link(obj.ownership)

    def _resolve(self, request: HttpRequest, queryset, *, take_imported: bool) -> None:
        done = skipped = 0
        for conflict in queryset:
            try:
                conflict_resolve(conflict=conflict, take_imported=take_imported, actor=request.user)
                done += 1
            except AlreadyResolved:
                skipped += 1
        self.message_user(
            request, f"{done} resolved" + (f", {skipped} already resolved" if skipped else "") + "."
        )

    @admin.action(description="Keep the edge as it is (the editor's)", permissions=["resolve"])
    def keep_editors(self, request: HttpRequest, queryset) -> None:
        self._resolve(request, queryset, take_imported=False)

    @admin.action(description="Take the imported values", permissions=["resolve"])
    def take_imported(self, request: HttpRequest, queryset) -> None:
        self._resolve(request, queryset, take_imported=True)


@admin.register(MatchCandidate)
class MatchCandidateAdmin(admin.ModelAdmin):
    """An imported organisation with the same normalised name as an existing one."""

    list_display = ["imported_link", "existing_link", "reason", "source_file", "status"]
    list_filter = ["status", "source"]
    search_fields = ["imported_name", "existing__name"]
    list_select_related = ["imported", "existing"]
    readonly_fields = [f.name for f in MatchCandidate._meta.fields]
    actions = ["accept", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("ownership.change_matchcandidate")

    @admin.display(description="imported", ordering="imported_name")
    def imported_link(self, obj: MatchCandidate) -> str:
        return admin_link(obj.imported) if obj.imported_id else obj.imported_name

    @admin.display(description="existing", ordering="existing__name")
    def existing_link(self, obj: MatchCandidate) -> str:
        return admin_link(obj.existing)

    def _each(self, request: HttpRequest, queryset, service) -> None:
        done = skipped = 0
        for candidate in queryset:
            try:
                service(candidate=candidate, actor=request.user)
                done += 1
            except AlreadyResolved:
                skipped += 1
        self.message_user(
            request, f"{done} resolved" + (f", {skipped} already resolved" if skipped else "") + "."
        )

    @admin.action(
        description="Accept: the same organisation (merge the imported one into it)",
        permissions=["resolve"],
    )
    def accept(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset, match_accept)

    @admin.action(
        description="Reject: different organisations (keep both)", permissions=["resolve"]
    )
    def reject(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset, match_reject)
