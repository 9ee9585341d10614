"""The claim admin (taking, assigning, the suggestion beside the claim) with its evidence and
status changes, and the read-only audit trail of status changes."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from claims.admin.article import highlight_spans
from claims.models import Claim, Evidence, StatusChange
from claims.presenters import badge_words
from claims.selectors import suggest_for_claim
from claims.services.status import ClaimTaken, VersionConflict, claim_assign, claim_take
from plumbing.admin import admin_link, admin_url


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["url", "stance", "excerpt", "publisher", "snapshot_link", "added_by"]
    readonly_fields = ["publisher", "snapshot_link", "added_by"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        # New evidence goes through the service (publisher lookup, snapshot, archiving): use
        # the evidence admin or the review desk, not a bare inline row.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ["url", *self.readonly_fields]

    @admin.display(description="snapshot")
    def snapshot_link(self, obj: Evidence) -> str:
        if obj.snapshot is None:
            return "-"
        return admin_link(obj.snapshot, obj.snapshot.get_status_display())


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "from_status", "to_status", "override", "rationale"]
    readonly_fields = fields
    verbose_name_plural = "audit trail"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = [
        "short_text",
        "article_link",
        "kind",
        "status",
        "origin_link",
        "assignee",
        "updated_at",
    ]
    list_filter = [
        "status",
        "kind",
        "article",
        "origin",
        ("assignee", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["text", "restatement", "key", "origin__name", "article__title"]
    autocomplete_fields = ["article", "origin", "subjects", "assignee"]
    list_select_related = ["article", "origin", "assignee"]
    readonly_fields = [
        "status_on_desk",
        "version",
        "span_in_article",
        "suggestion_display",
        "ownership_picture",
        "created_at",
        "updated_at",
    ]
    inlines = [EvidenceInline, StatusChangeInline]
    actions = ["assign_to_me", "take_into_review", "unassign"]
    fieldsets = [
        (None, {"fields": ["article", "key", "kind", "status_on_desk", "version", "assignee"]}),
        ("Suggestion (the rule, from the evidence)", {"fields": ["suggestion_display"]}),
        ("The statement", {"fields": ["span_start", "span_end", "text", "restatement", "figures"]}),
        ("Who", {"fields": ["origin", "subjects"]}),
        ("Who controls the origin and the sources", {"fields": ["ownership_picture"]}),
        ("In its article", {"fields": ["span_in_article"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description="ownership picture")
    def ownership_picture(self, obj: Claim) -> str:
        # Drawn by the server (ownership/svg.py), shown as an image: nothing in it runs.
        if obj.pk is None:
            return "-"
        url = reverse("claims:ownership-svg", args=[obj.pk])
        return format_html(
            '<img src="{}" alt="Control chains of the origin and of each source\'s publisher" '
            'style="max-width:100%;height:auto;border:1px solid #ccc"> '
            '<p><a href="{}">Vetting report of the article</a></p>',
            url,
            obj.article.get_report_url(),
        )

    @admin.display(description="claim")
    def short_text(self, obj: Claim) -> str:
        return str(obj)

    @admin.display(description="status")
    def status_on_desk(self, obj: Claim) -> str:
        # Read-only here: a status changes only through claims.services.status.claim_set_status, from
        # the desk's decide box (an editor's override included), which checks the rule and
        # writes the audit row.
        if obj.pk is None:
            return obj.get_status_display()
        return format_html(
            '{} · <a href="{}#decision-section">decide or override on the desk</a>',
            obj.get_status_display(),
            obj.get_absolute_url(),
        )

    @admin.display(description="article", ordering="article__title")
    def article_link(self, obj: Claim) -> str:
        return admin_link(obj.article)

    @admin.display(description="origin", ordering="origin__name")
    def origin_link(self, obj: Claim) -> str:
        return admin_link(obj.origin)

    @admin.display(description="suggested status and reasons")
    def suggestion_display(self, obj: Claim) -> str:
        # Recomputed on every view (a constant number of queries): ownership and domain edits
        # show at once.
        if obj.pk is None:
            return "-"

        s = suggest_for_claim(obj)
        rows = obj.evidence.select_related("snapshot").only("id", "url", "snapshot__status")
        evidence = {e.pk: e for e in rows}
        return format_html(
            "<p><strong>{}</strong></p><ul style='margin:0;padding-left:1.2em'>{}</ul>"
            "<p>Evidence:</p><ul style='margin:0;padding-left:1.2em'>{}</ul>",
            s.status_words,
            format_html_join("", "<li>{}</li>", ((r,) for r in s.reasons)),
            format_html_join(
                "",
                "<li><strong>{}</strong>: {} — {}</li>",
                (
                    (
                        badge_words(
                            a.badge,
                            ev.snapshot.status
                            if (ev := evidence.get(eid)) and ev.snapshot
                            else None,
                        ),
                        ev.url if ev else eid,
                        a.why,
                    )
                    for eid, a in s.assessments.items()
                ),
            )
            or "-",
        )

    @admin.display(description="the claim highlighted in its article")
    def span_in_article(self, obj: Claim) -> str:
        if obj.pk is None:
            return "-"
        text = obj.article.text
        # The paragraph around the span, so the editor sees its context.
        start = text.rfind("\n\n", 0, obj.span_start)
        end = text.find("\n\n", obj.span_end)
        start = 0 if start < 0 else start + 2
        end = len(text) if end < 0 else end
        return highlight_spans(
            text[start:end],
            [(obj.span_start - start, obj.span_end - start, str(obj), admin_url(obj.article))],
        )

    @admin.action(description="Assign selected claims to me", permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        for claim in queryset:
            claim_assign(claim=claim, assignee=request.user, actor=request.user)
        self.message_user(
            request, f"{queryset.count()} claim(s) assigned to you.", messages.SUCCESS
        )

    @admin.action(
        description="Take selected claims into review (assign to me)", permissions=["change"]
    )
    def take_into_review(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        taken, refused = 0, []
        for claim in queryset:
            try:
                claim_take(claim=claim, actor=request.user)
                taken += 1
            except (ClaimTaken, VersionConflict, PermissionDenied) as exc:
                refused.append(f"#{claim.pk}: {exc}")
        if taken:
            self.message_user(request, f"{taken} claim(s) moved into review.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Unassign selected claims", permissions=["change"])
    def unassign(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        for claim in queryset:
            claim_assign(claim=claim, assignee=None, actor=request.user)
        self.message_user(request, f"{queryset.count()} claim(s) unassigned.", messages.SUCCESS)


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """The audit trail: read-only, append-only."""

    list_display = ["created_at", "claim_link", "actor", "from_status", "to_status", "override"]
    list_filter = ["to_status", "override"]
    search_fields = ["rationale", "claim__text"]
    list_select_related = ["claim", "actor"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [f.name for f in StatusChange._meta.fields] + ["claim_link"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="claim", ordering="claim__id")
    def claim_link(self, obj: StatusChange) -> str:
        return admin_link(obj.claim)
