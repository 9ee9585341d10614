"""The admin's *API consumers* (issue 25): editors with the `claims.add_apiconsumer`
permission create a partner's account and its token, see its tokens with their last use,
issue more and revoke them, without a superuser. Writes in claims.services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from knox.settings import knox_settings

from claims.models import ApiConsumer
from claims.services.consumers import (
    CONSUMER_MAX_DAYS,
    REVOKE_TOKENS,
    consumer_create,
    consumer_issue_token,
    consumer_revoke_token,
    tokens_last_used,
)


class ApiConsumerAddForm(forms.ModelForm):
    days = forms.IntegerField(
        min_value=1,
        max_value=CONSUMER_MAX_DAYS,
        required=False,
        label="Token lasts (days)",
        help_text=f"Empty: {knox_settings.TOKEN_TTL.days} days.",
    )

    class Meta:
        model = ApiConsumer
        fields = ["username", "email"]
        labels = {"username": "Name", "email": "Contact e-mail"}
        help_texts = {"username": "The partner system's name, e.g. partner-newsroom."}


class ApiConsumerChangeForm(forms.ModelForm):
    class Meta:
        model = ApiConsumer
        fields = ["email", "is_active"]
        labels = {"email": "Contact e-mail", "is_active": "Active (inactive: every token refused)"}


@admin.register(ApiConsumer)
class ApiConsumerAdmin(admin.ModelAdmin):
    list_display = ["username", "email", "is_active", "token_count", "last_used", "date_joined"]
    search_fields = ["username", "email"]
    readonly_fields = ["username", "groups_list", "tokens"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ApiConsumerChangeForm if obj is not None else ApiConsumerAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "email", "days"]
        return ["username", "email", "is_active", "groups_list", "tokens"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: its tokens' history stays

    def get_queryset(self, request):
        return ApiConsumer.objects.prefetch_related("auth_token_set").order_by("username")

    @admin.display(description="Tokens")
    def token_count(self, obj: ApiConsumer) -> int:
        return len(obj.auth_token_set.all())

    @admin.display(description="Last used")
    def last_used(self, obj: ApiConsumer) -> str:
        uses = tokens_last_used(list(obj.auth_token_set.all())).values()
        return f"{max(uses):%Y-%m-%d %H:%M} UTC" if uses else "never"

    @admin.display(description="Groups")
    def groups_list(self, obj: ApiConsumer) -> str:
        return ", ".join(obj.groups.values_list("name", flat=True)) or "none"

    @admin.display(description="Tokens (newest first)")
    def tokens(self, obj: ApiConsumer) -> str:
        rows = sorted(obj.auth_token_set.all(), key=lambda t: t.created, reverse=True)
        used = tokens_last_used(rows)
        issue = reverse("admin:claims_apiconsumer_issue", args=[obj.pk])
        button = format_html(
            '<button type="submit" formaction="{}" formmethod="post" name="issue" value="1">'
            "Issue a new token</button>",
            issue,
        )
        if not rows:
            return format_html("<p>No tokens: it cannot read the API.</p>{}", button)
        body = format_html_join(
            "",
            "<tr><td><code>{}…</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    t.token_key[:8],
                    f"{t.created:%Y-%m-%d %H:%M}",
                    f"{t.expiry:%Y-%m-%d %H:%M}" if t.expiry else "never",
                    f"{used[t.digest]:%Y-%m-%d %H:%M}" if t.digest in used else "never used",
                    format_html(
                        '<button type="submit" formaction="{}" formmethod="post" '
                        'aria-label="Revoke token {}…">Revoke</button>',
                        reverse("admin:claims_apiconsumer_revoke", args=[obj.pk, t.digest]),
                        t.token_key[:8],
                    ),
                )
                for t in rows
            ),
        )
        return format_html(
            '<table class="tokens"><thead><tr><th>Token</th><th>Created (UTC)</th>'
            "<th>Expires</th><th>Last used</th><th></th></tr></thead><tbody>{}</tbody></table>"
            "<p>{}</p>",
            body,
            button,
        )

    def save_model(self, request: HttpRequest, obj: ApiConsumer, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = consumer_create(
            username=form.cleaned_data["username"],
            email=form.cleaned_data.get("email", ""),
            days=form.cleaned_data.get("days"),
            actor=request.user,
        )
        obj.pk = issued.consumer.pk
        obj._state.adding = False
        _show_token(request, issued)

    def save_related(self, request, form, formsets, change) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/issue/", wrap(self.issue_view), name="claims_apiconsumer_issue"),
            path(
                "<int:pk>/revoke/<str:digest>/",
                wrap(self.revoke_view),
                name="claims_apiconsumer_revoke",
            ),
            *super().get_urls(),
        ]

    def _back(self, pk: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:claims_apiconsumer_change", args=[pk]))

    def issue_view(self, request: HttpRequest, pk: int):
        if request.method != "POST":
            return self._back(pk)
        consumer = get_object_or_404(ApiConsumer.objects, pk=pk)
        try:
            issued = consumer_issue_token(consumer=consumer, actor=request.user)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            _show_token(request, issued)
        return self._back(pk)

    def revoke_view(self, request: HttpRequest, pk: int, digest: str):
        if request.method != "POST":
            return self._back(pk)
        if not request.user.has_perm(REVOKE_TOKENS):
            messages.error(request, "Your account may not revoke API tokens.")
            return self._back(pk)
        if consumer_revoke_token(digest=digest, actor=request.user):
            messages.success(request, "Token revoked: the next request with it is refused (401).")
        else:
            messages.info(request, "That token was already revoked or had expired.")
        return self._back(pk)


def _show_token(request: HttpRequest, issued) -> None:
    messages.warning(
        request,
        format_html(
            "Token for {} (shown only now: copy it and give it to the partner; it is stored "
            "hashed): <code class='new-token'>{}</code> · expires {} UTC. Requests send "
            "<code>Authorization: Token &lt;key&gt;</code>.",
            issued.consumer.username,
            issued.key,
            f"{issued.token.expiry:%Y-%m-%d %H:%M}",
        ),
    )
