"""Editors' admin for articles, claims, evidence and the (read-only) audit trail. Ingest and
proposed claims are intake's (intake/admin.py extends the article admin).

Status changes from here go through `claims.services` like everywhere else.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from claims.models import (
    Article,
    Claim,
    ClassificationRequest,
    Evidence,
    StatusChange,
    WebhookDelivery,
    WebhookEndpoint,
)
from claims.presenters import badge_words
from claims.selectors import suggest_for_claim
from claims.services.classification import (
    classification_request_classify,
    evidence_classify_publisher,
)
from claims.services.evidence import EvidenceRejected, evidence_attach, evidence_check
from claims.services.reports import PUBLISH_REPORT, article_set_report_published
from claims.services.status import ClaimTaken, VersionConflict, claim_assign, claim_take
from ownership.models import Entity
from ownership.publishers import registrable_domain
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


class EvidenceAdminForm(forms.ModelForm):
    """New evidence is checked by the same rules as the desk and the API (refused addresses,
    duplicates), so a bad URL is a message by its field, never an error page."""

    class Meta:
        model = Evidence
        fields = ["claim", "url", "stance", "excerpt", "publisher"]

    def clean(self):
        data = super().clean()
        claim, url, stance = data.get("claim"), data.get("url"), data.get("stance")
        if self.instance.pk is None and claim and url and stance:
            try:
                data["url"] = evidence_check(claim=claim, url=url, stance=stance)
            except EvidenceRejected as exc:
                self.add_error(exc.field if exc.field in self.fields else None, str(exc))
        return data


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    form = EvidenceAdminForm
    list_display = [
        "url",
        "stance",
        "claim_link",
        "publisher_link",
        "snapshot_status",
        "added_by",
        "created_at",
    ]
    list_filter = ["stance", "snapshot__status", ("publisher", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["url", "excerpt", "claim__text"]
    autocomplete_fields = ["claim", "publisher"]
    list_select_related = ["claim", "publisher", "snapshot", "added_by"]
    readonly_fields = [
        "snapshot_link",
        "added_by",
        "hints",
        "created_at",
        "updated_at",
        "classify_publisher",
    ]
    fields = [
        "claim",
        "url",
        "stance",
        "excerpt",
        "classify_publisher",
        "publisher",
        "snapshot_link",
        "hints",
        "added_by",
        "created_at",
        "updated_at",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Evidence | None = None):
        if obj is not None:
            return ["claim", "url", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Evidence, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            if (
                "publisher" in form.changed_data
                and obj.publisher
                and not form.initial.get("publisher")
            ):
                # One step: the chosen publisher also gets the URL's domain, and every other
                # evidence still unknown on that domain is classified with it.

                n = evidence_classify_publisher(
                    evidence=obj, entity=obj.publisher, actor=request.user
                )
                self.message_user(
                    request,
                    f"{obj.publisher} is now the publisher of {n} evidence row(s) on this domain.",
                    messages.SUCCESS,
                )
            return

        created = evidence_attach(
            claim=obj.claim, url=obj.url, stance=obj.stance, excerpt=obj.excerpt, actor=request.user
        )
        # The admin goes on to log and redirect with `obj`: make it the row the service wrote.
        obj.pk, obj.publisher, obj.snapshot = created.pk, created.publisher, created.snapshot
        obj._state.adding = False

    @admin.display(description="claim", ordering="claim__id")
    def claim_link(self, obj: Evidence) -> str:
        return admin_link(obj.claim)

    @admin.display(description="classify the publisher")
    def classify_publisher(self, obj: Evidence) -> str:
        if obj.pk is None or obj.publisher_id is not None:
            return "-"

        domain = registrable_domain(obj.url)
        if not domain:
            return "Unknown publisher (an IP address): choose the publisher below and save."
        return format_html(
            "Unknown publisher <strong>{}</strong>: choose its publisher below and save; that "
            "also registers {} for it and classifies every other evidence on that domain. "
            'Not in the register yet? <a href="{}" target="_blank">add the entity</a>, or '
            '<a href="{}">add Domain for {}</a> directly.',
            domain,
            domain,
            reverse("admin:ownership_entity_add"),
            reverse("admin:ownership_domain_add") + "?" + urlencode({"domain": domain}),
            domain,
        )

    @admin.display(description="publisher", ordering="publisher__name")
    def publisher_link(self, obj: Evidence) -> str:
        return admin_link(obj.publisher) if obj.publisher else format_html("<em>{}</em>", "unknown")

    @admin.display(description="snapshot", ordering="snapshot__status")
    def snapshot_status(self, obj: Evidence) -> str:
        return obj.snapshot.get_status_display() if obj.snapshot else "-"

    @admin.display(description="snapshot")
    def snapshot_link(self, obj: Evidence) -> str:
        if obj.snapshot is None:
            return "-"
        return admin_link(obj.snapshot, f"{obj.snapshot.get_status_display()} — {obj.snapshot.url}")


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


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "resolved"

    def lookups(self, request: HttpRequest, model_admin):
        return [("open", "Waiting for an editor"), ("done", "Classified")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ClassificationRequest]):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class ClassificationRequestForm(forms.ModelForm):
    """The editor's answer: who publishes the URL. Saving classifies the evidence (and
    registers the domain) through claims.services, which resolves the request."""

    classify_as = forms.ModelChoiceField(
        label="Publisher",
        queryset=Entity.objects.order_by("name"),
        required=False,
        help_text="Who publishes this domain. Saving registers the domain for it (an IP address: "
        "this source only) and resolves every request waiting on it. Not in the register yet? "
        "Add the entity first.",
    )

    class Meta:
        model = ClassificationRequest
        fields: list[str] = []


@admin.register(ClassificationRequest)
class ClassificationRequestAdmin(admin.ModelAdmin):
    """Reviewers' requests to classify an unknown publisher: the editors' to-do list (its
    count is on the editor's queue). Open only to those who may classify (change evidence)."""

    form = ClassificationRequestForm
    list_display = [
        "domain",
        "claim_link",
        "evidence_link",
        "requested_by",
        "created_at",
        "state",
        "resolved_by",
    ]
    list_filter = [OpenFilter]
    search_fields = ["domain", "evidence__url"]
    list_select_related = ["claim", "evidence", "requested_by", "resolved_by", "publisher"]
    readonly_fields = [
        "domain",
        "claim_link",
        "evidence_link",
        "requested_by",
        "created_at",
        "state",
        "publisher",
        "resolved_by",
        "resolved_at",
    ]
    fields = [*readonly_fields[:6], "classify_as", *readonly_fields[6:]]

    def _may_classify(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.has_perm("claims.change_evidence")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_classify(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_classify(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_classify(request) and (obj is None or obj.resolved_at is None)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reviewers ask from the evidence row

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ClassificationRequest, form, change) -> None:
        entity = form.cleaned_data.get("classify_as")
        if entity is None:
            self.message_user(request, "No publisher chosen: nothing changed.", messages.WARNING)
            return
        n = classification_request_classify(request=obj, entity=entity, actor=request.user)
        self.message_user(
            request,
            f"{entity} is now the publisher of {n} evidence row(s) on {obj.domain}; the request "
            "is resolved and the reviewer sees it on the claim page.",
            messages.SUCCESS,
        )

    @admin.display(description="state", ordering="resolved_at")
    def state(self, obj: ClassificationRequest) -> str:
        if obj.resolved_at is None:
            return "waiting for an editor"
        return f"classified as {obj.publisher}" if obj.publisher_id else "classified"

    @admin.display(description="claim", ordering="claim__id")
    def claim_link(self, obj: ClassificationRequest) -> str:
        return admin_link(obj.claim)

    @admin.display(description="evidence")
    def evidence_link(self, obj: ClassificationRequest) -> str:
        return admin_link(obj.evidence, obj.evidence.url)


# API consumers and their tokens (issue 25) live in their own module; importing it registers them.
from claims import admin_consumers  # noqa: E402, F401
