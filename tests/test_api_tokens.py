"""`manage.py issue_token`: printed once, stored hashed, expiring, several per user."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
REDIS = "redis" in settings.CACHES["default"]["BACKEND"].lower()
NO_REDIS = "token checks are kept only with Redis (REDIS_URL)"


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
    """What a web process keeps of a token's check (with Redis: plumbing.authentication) is
    dropped by every change through Django: each request below follows one that was served
    from it."""
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
    token = AuthToken.objects.get()
    token.expiry = timezone.now() - timezone.timedelta(seconds=1)
    token.save(update_fields=["expiry"])
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

    from plumbing.authentication import ApiTokenAuthentication

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


def _kept(client) -> None:
    """Two reads: the second one is served from what the first one's check left."""
    for _ in range(2):
        assert client.get("/api/v1/claims/").status_code == 200


@pytest.mark.skipif(not REDIS, reason=NO_REDIS)
@pytest.mark.usefixtures("kept_token_checks")  # kept by no clock: a slow CI step re-read it
def test_a_recently_checked_token_costs_no_query(consumer, django_assert_num_queries):
    from claims.services.consumers import tokens_last_used

    key = issue("partner")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    _kept(client)
    with django_assert_num_queries(0):
        assert client.options("/api/v1/claims/").status_code == 200
    # Its last use is still noted (in the same round trip as the throttle's count).
    token = AuthToken.objects.get()
    from django.core.cache import cache

    cache.delete(f"reex:token-last-used:{token.digest[:40]}")
    client.options("/api/v1/claims/")
    assert token.digest in tokens_last_used([token])


@pytest.mark.skipif(not REDIS, reason=NO_REDIS)
@pytest.mark.parametrize(
    "change",
    ["delete the token", "remove the group", "take the group's permission", "deactivate"],
)
@pytest.mark.usefixtures("kept_token_checks")  # dropped by the change, never by the clock
def test_a_kept_check_is_dropped_by_every_change_through_django(consumer, change):
    from django.contrib.auth.models import Group, Permission

    key = issue("partner")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    _kept(client)
    group = Group.objects.get(name="api-consumer")
    if change == "delete the token":
        AuthToken.objects.get().delete()
    elif change == "remove the group":
        consumer.groups.remove(group)
    elif change == "take the group's permission":
        group.permissions.remove(Permission.objects.get(codename="view_claim"))
    else:
        consumer.is_active = False
        consumer.save()
    assert client.get("/api/v1/claims/").status_code in (401, 403)


@pytest.mark.skipif(not REDIS, reason=NO_REDIS)
def test_a_change_no_signal_sees_applies_within_the_recheck_period(consumer, settings):
    """A queryset update() (or raw SQL) sends no signal: it applies once the process's check
    is older than REEX_TOKEN_RECHECK_SECONDS (docs/api.md, Tokens)."""
    import time

    key = issue("partner")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    _kept(client)
    type(consumer).objects.filter(pk=consumer.pk).update(is_active=False)
    time.sleep(settings.REEX_TOKEN_RECHECK_SECONDS + 0.05)
    assert client.get("/api/v1/claims/").status_code == 401
    settings.REEX_TOKEN_RECHECK_SECONDS = 0  # nothing kept: every request reads the database
    type(consumer).objects.filter(pk=consumer.pk).update(is_active=True)
    _kept(client)
    type(consumer).objects.filter(pk=consumer.pk).update(is_active=False)
    assert client.get("/api/v1/claims/").status_code == 401


@pytest.mark.skipif(not REDIS, reason=NO_REDIS)
def test_a_flushed_cache_never_brings_back_a_dropped_check(consumer):
    from django.core.cache import cache

    key = issue("partner")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    cache.clear()
    _kept(client)  # kept under a generation set just now
    AuthToken.objects.get().delete()
    cache.clear()  # the generation is gone: the key gets a new value, not the old one
    assert client.get("/api/v1/claims/").status_code == 401


@pytest.mark.skipif(not REDIS, reason=NO_REDIS)
def test_a_kept_check_counts_for_the_throttle_once(consumer, settings):
    settings.REEX_API_THROTTLE_RATE = "3/minute"
    key = issue("partner")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert [client.get("/api/v1/claims/").status_code for _ in range(4)] == [200, 200, 200, 429]
