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
