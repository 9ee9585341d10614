"""`manage.py issue_token`: printed once, stored hashed, expiring, several per user."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def issue(*args: str) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_issue_token_prints_a_working_key_stored_only_hashed(consumer):
    key = issue("partner", "--days", "7")
    token = AuthToken.objects.get(user=consumer)
    assert key not in (token.digest, token.token_key)
    assert token.digest != key and len(token.digest) == 128
    assert (
        timezone.timedelta(days=6, hours=23)
        < token.expiry - timezone.now()
        <= timezone.timedelta(days=7)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/claims/").status_code == 200


def test_a_user_holds_several_tokens_and_a_revoked_one_stops_working(consumer):
    first, second = issue("partner"), issue("partner")
    assert first != second
    assert AuthToken.objects.filter(user=consumer).count() == 2
    AuthToken.objects.get(token_key=first[:15]).delete()  # what the admin's delete does
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.get("/api/v1/claims/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.get("/api/v1/claims/").status_code == 200


def test_an_expired_token_is_refused(consumer):
    key = issue("partner", "--days", "1")
    AuthToken.objects.update(expiry=timezone.now() - timezone.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/claims/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_issue_token_refuses_unknown_users_and_silly_lifetimes(consumer):
    with pytest.raises(CommandError, match="No user named"):
        issue("nobody")
    with pytest.raises(CommandError, match="--days"):
        issue("partner", "--days", "0")


def test_revocation_expiry_and_permission_changes_apply_to_the_very_next_request(consumer):
    """Nothing about authentication is kept between requests: the token, its user and the
    user's permissions are read again (in one query) every time."""
    from django.contrib.auth.models import Group

    key = issue("partner")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/claims/").status_code == 200
    consumer.groups.remove(Group.objects.get(name="api-consumer"))
    assert client.get("/api/v1/claims/").status_code == 403
    consumer.groups.add(Group.objects.get(name="api-consumer"))
    assert client.get("/api/v1/claims/").status_code == 200
    consumer.is_active = False
    consumer.save(update_fields=["is_active"])
    assert client.get("/api/v1/claims/").status_code == 401
    consumer.is_active = True
    consumer.save(update_fields=["is_active"])
    assert client.get("/api/v1/claims/").status_code == 200
    AuthToken.objects.update(expiry=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get("/api/v1/claims/").status_code == 401
    assert not AuthToken.objects.exists()  # an expired token is deleted when presented
    key = issue("partner")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/claims/").status_code == 200
    AuthToken.objects.all().delete()
    assert client.get("/api/v1/claims/").status_code == 401


def test_the_token_query_reads_the_backends_permissions(consumer):
    """The permissions read with the token are the set Django's ModelBackend computes."""
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reex.lib.authentication import ApiTokenAuthentication

    consumer.user_permissions.add(Permission.objects.get(codename="decide_claim"))
    key = issue("partner")
    with CaptureQueriesContext(connection) as ctx:
        user, _token = ApiTokenAuthentication().authenticate_credentials(key.encode())
    assert len(ctx.captured_queries) == 1
    expected = ModelBackend().get_all_permissions(type(consumer).objects.get(pk=consumer.pk))
    assert user._perm_cache == expected
    assert {"claims.view_claim", "claims.decide_claim"} <= expected
    with CaptureQueriesContext(connection) as ctx:
        assert user.has_perm("claims.view_claim") and not user.has_perm("claims.override_decision")
    assert len(ctx.captured_queries) == 0
