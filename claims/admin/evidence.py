"""The evidence admin: attaching a source, its archive, and classifying an unknown publisher."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from claims.models import Evidence
from claims.services.classification import evidence_classify_publisher
from claims.services.evidence import EvidenceRejected, evidence_attach, evidence_check
from ownership.publishers import registrable_domain
from plumbing.admin import admin_link


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
