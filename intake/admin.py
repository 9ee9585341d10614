"""Editors' admin for intake: the article admin's "Add article from URL" and "Propose claims"
(claims' article admin, extended here so that claims never imports intake), and the proposed
claims editors accept, edit then accept, merge or reject."""

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

from claims.admin.article import ArticleAdmin as ClaimsArticleAdmin
from claims.admin.article import highlight_spans
from claims.figures import figure_label
from claims.models import Article
from intake.models import ClaimProposal
from intake.services.articles import article_ingest
from intake.services.proposals import (
    ProposalDecided,
    proposal_accept,
    proposal_merge,
    proposal_reject,
    proposals_generate,
)
from plumbing.admin import admin_link, admin_url


class IngestForm(forms.Form):
    url = forms.CharField(
        label="Article URL",
        max_length=2000,
        widget=forms.URLInput(attrs={"size": 90, "autofocus": True}),
        help_text="The article's own page (http or https), not a front page.",
    )
    title = forms.CharField(
        label="Title",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 90}),
        help_text="Optional: by default the page's own title.",
    )
    update = forms.BooleanField(
        required=False,
        label="Update",
        help_text="When the article is already here: apply what differs (title, date, outlet; "
        "the text only while no claim points into it).",
    )


admin.site.unregister(Article)


@admin.register(Article)
class ArticleAdmin(ClaimsArticleAdmin):
    """claims' article admin, plus what intake adds: the pending proposals column, the
    "Propose claims" action and the "Add article from URL" page (same URL and name as before:
    /admin/claims/article/ingest/, `admin:claims_article_ingest`)."""

    list_display = [*ClaimsArticleAdmin.list_display, "proposal_link"]
    change_list_template = "admin/claims/article/change_list_ingest.html"
    actions = ["propose_claims", *ClaimsArticleAdmin.actions]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_pending=Count(
                    "proposals",
                    filter=Q(proposals__status=ClaimProposal.Status.PENDING),
                    distinct=True,
                ),
            )
        )

    @admin.display(description="proposals")
    def proposal_link(self, obj: Article) -> str:
        pending = getattr(obj, "n_pending", 0)
        return format_html(
            '<a href="{}?article__id__exact={}&status__exact=pending">{} pending</a>',
            reverse("admin:intake_claimproposal_changelist"),
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
        from intake.ingest import IngestError, draft_from_url

        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IngestForm(request.POST or None)
        context: dict = {"differences": [], "existing": None}
        if request.method == "POST" and form.is_valid():
            try:
                # A URL only: the form never reads a path on the server (files: the command).
                result = article_ingest(
                    draft=draft_from_url(
                        form.cleaned_data["url"], title=form.cleaned_data["title"]
                    ),
                    update=form.cleaned_data["update"],
                )
            except IngestError as exc:
                form.add_error("url", str(exc))
            else:
                article = result.article
                proposals = reverse("admin:intake_claimproposal_changelist") + (
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


# --- Proposed claims: editors accept, edit then accept, merge or reject. -------------------


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
    intake.services.proposals (proposal_accept / proposal_merge / proposal_reject)."""

    form = ClaimProposalForm
    change_form_template = "admin/intake/claimproposal/change_form_decide.html"
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
        "named_subjects_display",
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
            {"fields": ["restatement", "kind", "origin", "subjects", "named_subjects_display"]},
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

    @admin.display(description="named, not known")
    def named_subjects_display(self, obj: ClaimProposal) -> str:
        """Each organisation the text names that is not a known entity, with a link to add
        it (the entity form opens with the name filled in; then set it as a subject)."""
        names = [n for n in obj.named_subjects or [] if isinstance(n, str) and n.strip()]
        if not names:
            return "-"
        add = reverse("admin:ownership_entity_add")
        return format_html_join(
            ", ",
            '{} (<a href="{}?{}">add as an entity</a>)',
            ((name, add, urlencode({"name": name})) for name in names),
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
        return reverse("admin:intake_claimproposal_changelist") + (
            f"?article__id__exact={obj.article_id}&status__exact=pending"
        )

    def _bulk(self, request: HttpRequest, queryset, verb: str, decide) -> None:
        done, refused = 0, []
        for proposal in queryset.select_related(
            "article", "origin", "matched_claim"
        ).prefetch_related("subjects"):
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
