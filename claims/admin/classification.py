"""Requests to classify an unknown publisher: an editor answers them here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from claims.models import ClassificationRequest
from claims.services.classification import classification_request_classify
from ownership.models import Entity
from plumbing.admin import admin_link


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
