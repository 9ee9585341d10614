"""Partners without a superuser (issue 25): `manage.py create_api_consumer NAME` and the admin's
*API consumers* create a least-privilege account and print its token once; tokens are listed
with their last use and revocable by editors."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from claims.models import TokenUse
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_consumer", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_command_creates_a_least_privilege_consumer_and_prints_its_token_once(db):
    key, said = create("partner-newsroom", "--days", "30", "--email", "it@partner.example")
    user = User.objects.get(username="partner-newsroom")
    assert list(user.groups.values_list("name", flat=True)) == ["api-consumer"]
    assert not user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert user.email == "it@partner.example"
    token = AuthToken.objects.get(user=user)
    assert key not in (token.digest, token.token_key)  # stored hashed only
    assert "shown only now" in said and key not in said
    assert api(key).get("/api/v1/claims/").status_code == 200
    # Read-only: an attach is refused.
    refused = api(key).post("/api/v1/claims/1/evidence/", {}, format="json")
    assert refused.status_code == 403


def test_the_command_refuses_a_taken_name_and_a_bad_one(editor):
    with pytest.raises(CommandError, match="already an account named 'ed'"):
        create("ed")
    with pytest.raises(CommandError, match="Enter a valid username"):
        create("no spaces please")
    with pytest.raises(CommandError, match="between 1 and"):
        create("partner", "--days", "0")
    assert not User.objects.filter(username="partner").exists()


def test_issue_token_for_an_unknown_name_points_to_create_api_consumer(db):
    with pytest.raises(CommandError, match="create_api_consumer partner"):
        call_command("issue_token", "partner", stdout=StringIO(), stderr=StringIO())


def test_a_tokens_last_use_costs_no_query_and_is_kept_once_listed(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims.services.consumers import tokens_last_used

    key, _ = create("partner")
    token = AuthToken.objects.get(user__username="partner")
    assert tokens_last_used([token]) == {}
    with CaptureQueriesContext(connection) as ctx:
        assert api(key).get("/api/v1/claims/").status_code == 200
    assert not any("tokenuse" in (q["sql"] or "").lower() for q in ctx.captured_queries)
    used = tokens_last_used([token])[token.digest]
    # Listed once, it is in the database too: a cache flush loses nothing.
    assert TokenUse.objects.get(token=token).last_used_at == used
    from django.core.cache import cache

    cache.clear()
    assert tokens_last_used([token])[token.digest] == used


def test_listing_many_tokens_keeps_their_uses_in_one_upsert(db):
    """Tokens new to `TokenUse` and tokens stored with an older use: one SELECT, one INSERT ...
    ON CONFLICT, however many tokens; a use older than the stored one is not written back."""
    from datetime import timedelta

    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from claims.services.consumers import tokens_last_used
    from plumbing.authentication import last_use_key

    for name in ("wire-a", "wire-b", "wire-c", "wire-d"):
        create(name)
    tokens = list(AuthToken.objects.order_by("user__username"))
    now = timezone.now().replace(microsecond=0)
    earlier, later = now - timedelta(hours=2), now - timedelta(hours=1)
    TokenUse.objects.create(token=tokens[1], last_used_at=earlier)  # older than its cache
    TokenUse.objects.create(token=tokens[2], last_used_at=later)  # newer than its cache
    cache.set_many(
        {
            last_use_key(tokens[0].digest): now.timestamp(),
            last_use_key(tokens[1].digest): now.timestamp(),
            last_use_key(tokens[2].digest): earlier.timestamp(),
        }
    )

    with CaptureQueriesContext(connection) as ctx:
        used = tokens_last_used(tokens)

    assert len(ctx.captured_queries) == 2, [q["sql"] for q in ctx.captured_queries]
    assert used == {tokens[0].digest: now, tokens[1].digest: now, tokens[2].digest: later}
    assert dict(TokenUse.objects.values_list("token_id", "last_used_at")) == used


# --------------------------------------------------------------------------- the admin


def test_an_editor_creates_a_consumer_in_the_admin_and_sees_the_token_once(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:claims_apiconsumer_add")).status_code == 200
    response = client.post(
        reverse("admin:claims_apiconsumer_add"),
        {"username": "partner-wire", "email": "", "days": "14"},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    key = re.search(r"<code class='new-token'>([^<]+)</code>", body).group(1)
    user = User.objects.get(username="partner-wire")
    assert list(user.groups.values_list("name", flat=True)) == ["api-consumer"]
    assert not user.is_staff and not user.has_usable_password()
    assert api(key).get("/api/v1/claims/").status_code == 200
    # The change page lists the token with its last use; the key is never shown again.
    page = client.get(reverse("admin:claims_apiconsumer_change", args=[user.pk])).content.decode()
    assert key not in page
    token = AuthToken.objects.get(user=user)
    assert token.token_key[:8] in page
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d</td><td><button", page)  # last used: a time
    listing = client.get(reverse("admin:claims_apiconsumer_changelist")).content.decode()
    assert "partner-wire" in listing and f">{editor.username}</a>" not in listing  # consumers only

    # Revoke: the next request with it is a 401.
    response = client.post(
        reverse("admin:claims_apiconsumer_revoke", args=[user.pk, token.digest]), follow=True
    )
    assert "Token revoked" in response.content.decode()
    assert api(key).get("/api/v1/claims/").status_code == 401
    # Issue another one from the same page.
    response = client.post(reverse("admin:claims_apiconsumer_issue", args=[user.pk]), follow=True)
    new_key = re.search(r"<code class='new-token'>([^<]+)</code>", response.content.decode())
    assert new_key and api(new_key.group(1)).get("/api/v1/claims/").status_code == 200


def test_an_existing_name_is_a_form_error_not_a_500(client, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:claims_apiconsumer_add"), {"username": "ed"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_reviewers_and_consumers_have_no_say_over_consumers(client, reviewer, consumer):
    for user in (reviewer, consumer):
        client.force_login(user)
        response = client.get(reverse("admin:claims_apiconsumer_changelist"))
        assert response.status_code in (302, 403)
    staff_without_permission = UserFactory(is_staff=True)
    client.force_login(staff_without_permission)
    assert client.get(reverse("admin:claims_apiconsumer_add")).status_code == 403
    target = UserFactory(username="partner2", groups=["api-consumer"])
    AuthToken.objects.create(user=target)
    digest = AuthToken.objects.get(user=target).digest
    client.post(reverse("admin:claims_apiconsumer_revoke", args=[target.pk, digest]))
    assert AuthToken.objects.filter(digest=digest).exists()
