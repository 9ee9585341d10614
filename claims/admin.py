"""Editors' admin for articles, claims, evidence and the (read-only) audit trail.

Status changes from here go through `claims.services` like everywhere else.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from claims.models import (
    Article,
    Claim,
    ClaimProposal,
    ClassificationRequest,
    Evidence,
    StatusChange,
    WebhookDelivery,
    WebhookEndpoint,
)
from claims.proposals import figure_label
from claims.selectors import suggest_for_claim
from claims.services import (
    ClaimTaken,
    EvidenceRejected,
    ProposalDecided,
    VersionConflict,
    article_ingest,
    article_set_report_published,
    claim_assign,
    claim_take,
    classification_request_classify,
    evidence_attach,
    evidence_check,
    evidence_classify_publisher,
    proposal_accept,
    proposal_merge,
    proposal_reject,
    proposals_generate,
)
from ownership.models import Entity
from ownership.publishers import registrable_domain
from reex.lib.admin import admin_link, admin_url


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


class IngestForm(forms.Form):
    url = forms.CharField(
        label="Article URL",
        max_length=2000,
        widget=forms.URLInput(attrs={"size": 90, "autofocus": True}),
        help_text="The article's own page (http or https), not a front page.",
    )
    update = forms.BooleanField(
        required=False,
        label="Update",
        help_text="When the article is already here: apply what differs (title, date, outlet; "
        "the text only while no claim points into it).",
    )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet_link", "published_on", "claim_count", "proposal_link"]
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
    change_list_template = "admin/claims/article/change_list_ingest.html"
    actions = ["propose_claims", "publish_reports", "withdraw_reports"]
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
            .annotate(
                n_claims=Count("claims", distinct=True),
                n_pending=Count(
                    "proposals",
                    filter=Q(proposals__status=ClaimProposal.Status.PENDING),
                    distinct=True,
                ),
            )
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

    @admin.display(description="proposals")
    def proposal_link(self, obj: Article) -> str:
        pending = getattr(obj, "n_pending", 0)
        return format_html(
            '<a href="{}?article__id__exact={}&status__exact=pending">{} pending</a>',
            reverse("admin:claims_claimproposal_changelist"),
            obj.pk,
            pending,
        )

    def get_urls(self):
        return [
            path(
                "ingest/",
                self.admin_site.admin_view(self.ingest_view),
                name="claims_article_ingest",
            ),
            *super().get_urls(),
        ]

    def ingest_view(self, request: HttpRequest):
        """Add an article from a URL: archived now (safe fetch), then its claims proposed."""
        # Not a cycle: the extraction stack (trafilatura, pypdf, ...) is loaded only when an
        # editor ingests, as sources keeps it out of web processes; a broken one then breaks
        # this form alone, not the whole admin (reex/celery.py lists what workers check).
        from claims.ingest import IngestError, draft_from_url

        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IngestForm(request.POST or None)
        context: dict = {"differences": [], "existing": None}
        if request.method == "POST" and form.is_valid():
            try:
                # A URL only: the form never reads a path on the server (files: the command).
                result = article_ingest(
                    draft=draft_from_url(form.cleaned_data["url"]),
                    update=form.cleaned_data["update"],
                )
            except IngestError as exc:
                form.add_error("url", str(exc))
            else:
                article = result.article
                proposals = reverse("admin:claims_claimproposal_changelist") + (
                    f"?article__id__exact={article.pk}&status__exact=pending"
                )
                if result.created:
                    self.message_user(
                        request,
                        format_html(
                            'Article “{}” created. {} <a href="{}">Review the proposals</a>.',
                            article.title,
                            result.proposals.summary() if result.proposals else "",
                            proposals,
                        ),
                        messages.SUCCESS,
                    )
                    return redirect(proposals)
                if not result.differences:
                    self.message_user(
                        request, "This article is already here and nothing differs.", messages.INFO
                    )
                    return redirect(admin_url(article))
                if result.updated:
                    self.message_user(
                        request,
                        "Article updated: " + "; ".join(result.differences),
                        messages.SUCCESS,
                    )
                    for note in result.notes:
                        self.message_user(request, note, messages.WARNING)
                    return redirect(admin_url(article))
                context.update(
                    differences=result.differences,
                    existing=article,
                    existing_url=admin_url(article),
                )
        context.update(
            self.admin_site.each_context(request),
            form=form,
            opts=self.model._meta,
            title="Add article from URL",
            timeout=settings.REEX_FETCH_TIMEOUT,
        )
        return TemplateResponse(request, "admin/claims/article/ingest.html", context)

    @admin.action(description="Propose claims for the selected articles", permissions=["change"])
    def propose_claims(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            run = proposals_generate(article=article)
            self.message_user(request, f"{article}: {run.summary()}", messages.SUCCESS)

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
    def publish_reports(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_reports(request, queryset, True)

    @admin.action(description="Withdraw the public vetting reports")
    def withdraw_reports(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_reports(request, queryset, False)

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
        # Read-only here: a status changes only through claims.services.claim_set_status, from
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
        evidence = {e.pk: e.url for e in obj.evidence.only("id", "url")}
        return format_html(
            "<p><strong>{}</strong></p><ul style='margin:0;padding-left:1.2em'>{}</ul>"
            "<p>Evidence:</p><ul style='margin:0;padding-left:1.2em'>{}</ul>",
            s.status_words,
            format_html_join("", "<li>{}</li>", ((r,) for r in s.reasons)),
            format_html_join(
                "",
                "<li>[{}] {} — {}</li>",
                ((a.badge, evidence.get(eid, eid), a.why) for eid, a in s.assessments.items()),
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


# --- Proposed claims (issue 10): editors accept, edit then accept, merge or reject. ---------


class HasMatchFilter(admin.SimpleListFilter):
    title = "matches an existing claim"
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(matched_claim__isnull=False)
        if self.value() == "no":
            return queryset.filter(matched_claim__isnull=True)
        return queryset


class ClaimProposalForm(forms.ModelForm):
    class Meta:
        model = ClaimProposal
        fields = ["restatement", "kind", "origin", "subjects"]


@admin.register(ClaimProposal)
class ClaimProposalAdmin(admin.ModelAdmin):
    """Proposals come from the proposer only (no "add"); every decision goes through
    claims.services (proposal_accept / proposal_merge / proposal_reject)."""

    form = ClaimProposalForm
    change_form_template = "admin/claims/claimproposal/change_form_decide.html"
    list_display = [
        "short_text",
        "article_link",
        "kind",
        "score",
        "origin_display",
        "match_display",
        "status",
        "claim_link",
    ]
    list_filter = ["status", "kind", HasMatchFilter, "origin_kind", "article"]
    search_fields = ["text", "restatement", "article__title"]
    list_select_related = ["article", "origin", "matched_claim", "claim"]
    autocomplete_fields = ["origin", "subjects"]
    ordering = ["article", "span_start"]
    actions = ["accept_selected", "merge_selected", "reject_selected"]
    readonly_fields = [
        "article_link",
        "status",
        "claim_link",
        "text",
        "span",
        "figures_display",
        "score",
        "reasons_display",
        "origin_kind",
        "origin_phrase",
        "match_display",
        "span_in_article",
        "decided_by",
        "decided_at",
    ]
    fieldsets = [
        (None, {"fields": ["article_link", "status", "claim_link"]}),
        ("The statement", {"fields": ["text", "span", "figures_display", "span_in_article"]}),
        ("Check-worthiness", {"fields": ["score", "reasons_display"]}),
        (
            "An existing claim that states the same",
            {"fields": ["match_display"]},
        ),
        (
            "Edit before accepting",
            {"fields": ["restatement", "kind", "origin", "subjects"]},
        ),
        ("Detected origin", {"fields": ["origin_kind", "origin_phrase"]}),
        ("Decision", {"fields": ["decided_by", "decided_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClaimProposal]:
        return (
            super()
            .get_queryset(request)
            .annotate(n_match_evidence=Count("matched_claim__evidence", distinct=True))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: ClaimProposal | None = None):
        if obj is not None and obj.status != ClaimProposal.Status.PENDING:
            return [*self.readonly_fields, "restatement", "kind", "origin", "subjects"]
        return self.readonly_fields

    @admin.display(description="proposed claim")
    def short_text(self, obj: ClaimProposal) -> str:
        return str(obj)

    @admin.display(description="article", ordering="article__title")
    def article_link(self, obj: ClaimProposal) -> str:
        return admin_link(obj.article)

    @admin.display(description="claim")
    def claim_link(self, obj: ClaimProposal) -> str:
        return admin_link(obj.claim) if obj.claim_id else "-"

    @admin.display(description="span")
    def span(self, obj: ClaimProposal) -> str:
        return f"{obj.span_start}–{obj.span_end}"

    @admin.display(description="origin", ordering="origin__name")
    def origin_display(self, obj: ClaimProposal) -> str:
        if obj.origin_kind == ClaimProposal.Origin.ATTRIBUTED:
            return format_html("{} <em>({})</em>", obj.origin or "?", obj.origin_phrase)
        return format_html("{} <em>(own voice)</em>", obj.origin or "?")

    @admin.display(description="figures")
    def figures_display(self, obj: ClaimProposal) -> str:
        if not obj.figures:
            return "-"
        return format_html_join(
            ", ",
            "<code>{}</code> = {}{}",
            (
                (
                    f.get("text", ""),
                    figure_label(f),
                    f" ({f['qualifier']})" if f.get("qualifier") else "",
                )
                for f in obj.figures
            ),
        )

    @admin.display(description="reasons")
    def reasons_display(self, obj: ClaimProposal) -> str:
        return format_html(
            "<ul style='margin:0;padding-left:1.2em'>{}</ul>",
            format_html_join("", "<li>{}</li>", ((r,) for r in obj.reasons or [])),
        )

    @admin.display(description="matches")
    def match_display(self, obj: ClaimProposal) -> str:
        claim = obj.matched_claim
        if claim is None:
            return "-"
        n = getattr(obj, "n_match_evidence", None)
        if n is None:
            n = claim.evidence.count()
        return format_html(
            "{} — <strong>{}</strong>, {} evidence <em>({})</em>",
            admin_link(claim),
            claim.get_status_display(),
            n,
            obj.match_reason,
        )

    @admin.display(description="in its article")
    def span_in_article(self, obj: ClaimProposal) -> str:
        text = obj.article.text
        start = text.rfind("\n", 0, obj.span_start) + 1
        end = text.find("\n", obj.span_end)
        end = len(text) if end < 0 else end
        return highlight_spans(
            text[start:end],
            [(obj.span_start - start, obj.span_end - start, str(obj), admin_url(obj.article))],
        )

    def response_change(self, request: HttpRequest, obj: ClaimProposal):
        decisions = {"_accept", "_merge", "_reject"} & set(request.POST)
        if not decisions:
            return super().response_change(request, obj)
        obj.refresh_from_db()
        try:
            if "_accept" in decisions:
                claim = proposal_accept(
                    proposal=obj,
                    actor=request.user,
                    restatement=obj.restatement,
                    kind=obj.kind,
                    origin=obj.origin,
                    subjects=list(obj.subjects.all()),
                )
                self.message_user(
                    request,
                    format_html("Accepted: claim {} created (unreviewed).", admin_link(claim)),
                    messages.SUCCESS,
                )
            elif "_merge" in decisions:
                claim = proposal_merge(proposal=obj, actor=request.user)
                self.message_user(
                    request,
                    format_html("Merged into claim {}.", admin_link(claim)),
                    messages.SUCCESS,
                )
            else:
                proposal_reject(proposal=obj, actor=request.user)
                self.message_user(
                    request, "Rejected: it will not be proposed again.", messages.SUCCESS
                )
        except (ProposalDecided, PermissionDenied) as exc:
            self.message_user(request, str(exc), messages.ERROR)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return redirect(admin_url(obj))
        return redirect(self._pending_of(obj))

    def _pending_of(self, obj: ClaimProposal) -> str:
        return reverse("admin:claims_claimproposal_changelist") + (
            f"?article__id__exact={obj.article_id}&status__exact=pending"
        )

    def _bulk(self, request: HttpRequest, queryset, verb: str, decide) -> None:
        done, refused = 0, []
        for proposal in queryset.select_related("article", "origin", "matched_claim"):
            try:
                decide(proposal)
                done += 1
            except (ProposalDecided, PermissionDenied) as exc:
                refused.append(f"#{proposal.pk}: {exc}")
            except ValidationError as exc:
                refused.append(f"#{proposal.pk} ({proposal}): {' '.join(exc.messages)}")
        if done:
            self.message_user(request, f"{done} proposal(s) {verb}.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Accept selected as claims (unreviewed)", permissions=["change"])
    def accept_selected(self, request: HttpRequest, queryset) -> None:
        self._bulk(
            request,
            queryset,
            "accepted as claims",
            lambda p: proposal_accept(proposal=p, actor=request.user),
        )

    @admin.action(description="Merge selected into their matching claims", permissions=["change"])
    def merge_selected(self, request: HttpRequest, queryset) -> None:
        self._bulk(
            request, queryset, "merged", lambda p: proposal_merge(proposal=p, actor=request.user)
        )

    @admin.action(description="Reject selected", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset) -> None:
        self._bulk(
            request, queryset, "rejected", lambda p: proposal_reject(proposal=p, actor=request.user)
        )
