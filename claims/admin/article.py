"""The article admin: an article's text with its claims' spans marked, its claims, and publishing
or withdrawing its vetting report."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from claims.models import Article, Claim
from claims.services.reports import PUBLISH_REPORT, article_set_report_published
from plumbing.admin import admin_link, admin_url


def highlight_spans(text: str, spans: list[tuple[int, int, str, str]]) -> SafeString:
    """Render `text` escaped, with each (start, end, title, url) span wrapped in a <mark> link.

    Overlapping spans are drawn once (the earlier one wins) so the markup stays well-formed.
    """
    parts: list[str] = []
    pos = 0
    for start, end, title, url in sorted(spans):
        if start < pos:
            continue
        parts.append(format_html("{}", text[pos:start]))
        parts.append(
            format_html(
                '<a href="{}" title="{}"><mark class="reex-claim">{}</mark></a>',
                url,
                title,
                text[start:end],
            )
        )
        pos = end
    parts.append(format_html("{}", text[pos:]))
    return format_html(
        '<div style="white-space:pre-wrap;max-width:60em;line-height:1.5">{}</div>',
        mark_safe("".join(parts)),  # noqa: S308 - every part above went through format_html
    )


class ClaimInline(admin.TabularInline):
    model = Claim
    extra = 0
    fields = ["claim_link", "kind", "status", "origin", "assignee"]
    readonly_fields = ["claim_link", "kind", "status", "origin", "assignee"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="claim")
    def claim_link(self, obj: Claim) -> str:
        return admin_link(obj)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet_link", "published_on", "claim_count"]
    list_filter = ["outlet", "published_on"]
    search_fields = ["title", "url", "text"]
    autocomplete_fields = ["outlet"]
    inlines = [ClaimInline]
    readonly_fields = [
        "highlighted_text",
        "snapshot_link",
        "vetting_report",
        "created_at",
        "updated_at",
    ]
    actions = ["publish_reports", "withdraw_reports"]
    fieldsets = [
        (None, {"fields": ["key", "title", "url", "outlet", "published_on", "snapshot_link"]}),
        ("Vetting report", {"fields": ["vetting_report"]}),
        ("Text", {"fields": ["text"]}),
        ("Claims in the text", {"fields": ["highlighted_text"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return (
            super()
            .get_queryset(request)
            .select_related("outlet", "snapshot")
            .annotate(n_claims=Count("claims", distinct=True))
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None):
        # Claims are offsets into the text: once there are claims, the text is frozen.
        if obj is not None and obj.claims.exists():
            return [*self.readonly_fields, "text"]
        return self.readonly_fields

    @admin.display(description="outlet", ordering="outlet__name")
    def outlet_link(self, obj: Article) -> str:
        return admin_link(obj.outlet)

    @admin.display(description="archived copy")
    def snapshot_link(self, obj: Article) -> str:
        return admin_link(obj.snapshot, obj.snapshot and obj.snapshot.url) if obj.snapshot else "-"

    @admin.display(description="vetting report")
    def vetting_report(self, obj: Article) -> str:
        if obj.pk is None:
            return "-"
        state = (
            f"published {obj.report_published_at:%Y-%m-%d %H:%M} UTC: anyone with the link"
            if obj.report_published and obj.report_published_at
            else "not published: staff only (publish it from the report or the list's actions)"
        )
        return format_html(
            '<a href="{}">Open the vetting report</a> — {}', obj.get_report_url(), state
        )

    def _set_reports(self, request: HttpRequest, queryset: QuerySet[Article], published: bool):
        if not request.user.has_perm(PUBLISH_REPORT):
            self.message_user(
                request, "Only editors may publish or withdraw a vetting report.", messages.ERROR
            )
            return None
        if request.POST.get("confirmed") != "yes":
            # A confirmation step first (like Django's delete action): what changes, for whom.
            return TemplateResponse(
                request,
                "admin/claims/article/confirm_reports.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Publish the vetting reports?"
                    if published
                    else "Withdraw the public vetting reports?",
                    "articles": list(queryset),
                    "publish": published,
                    "action": request.POST.get("action", ""),
                    "opts": self.model._meta,
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                },
            )
        try:
            changed = sum(
                article_set_report_published(article=a, published=published, actor=request.user)
                for a in queryset
            )
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        verb = "published" if published else "withdrawn"
        self.message_user(request, f"{changed} vetting report(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Publish the vetting reports (read-only, public)")
    def publish_reports(self, request: HttpRequest, queryset: QuerySet[Article]):
        return self._set_reports(request, queryset, True)

    @admin.action(description="Withdraw the public vetting reports")
    def withdraw_reports(self, request: HttpRequest, queryset: QuerySet[Article]):
        return self._set_reports(request, queryset, False)

    @admin.display(description="claims", ordering="n_claims")
    def claim_count(self, obj: Article) -> int:
        return obj.n_claims

    @admin.display(description="article text with its claims")
    def highlighted_text(self, obj: Article) -> str:
        if obj.pk is None:
            return "-"
        spans = [
            (c.span_start, c.span_end, str(c), admin_url(c))
            for c in obj.claims.only("id", "span_start", "span_end", "text", "restatement")
        ]
        return highlight_spans(obj.text, spans)
