"""API consumers (issue 25): a partner's account and its knox tokens, and when each token
was last used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from knox.models import AuthToken
from knox.settings import knox_settings

from claims.models import ApiConsumer, TokenUse
from claims.querysets import API_CONSUMER_GROUP
from plumbing.authentication import last_use_key

# ------------------------------------------------------------------ API consumers (issue 25)
# Editors create a partner's account and tokens without a superuser (the admin's *API
# consumers*, `manage.py create_api_consumer`). Least privilege: a consumer is a user in the
# `api-consumer` group and no other, not staff, with no usable password (it signs in to
# neither the desk nor the admin); it reads the API with knox tokens, stored hashed, shown
# once, expiring, revocable.

CONSUMER_MAX_DAYS = 3650
MANAGE_CONSUMERS = "claims.add_apiconsumer"
REVOKE_TOKENS = "claims.change_apiconsumer"


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `key` is the only time the secret exists in clear."""

    consumer: User
    token: AuthToken
    key: str


def _token_expiry(days: int | None) -> timedelta:
    if days is None:
        return knox_settings.TOKEN_TTL
    if not 1 <= days <= CONSUMER_MAX_DAYS:
        raise ValidationError({"days": f"A token lasts between 1 and {CONSUMER_MAX_DAYS} days."})
    return timedelta(days=days)


def _check_consumer_perm(actor: AbstractBaseUser | None, perm: str, what: str) -> None:
    # actor None: the management command (whoever runs it has the server).
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(f"Your account may not {what}: ask an editor who manages partners.")


def consumer_create(
    *,
    username: str,
    email: str = "",
    days: int | None = None,
    actor: AbstractBaseUser | None,
) -> IssuedToken:
    """Create the consumer `username` (api-consumer group only, no password) and its first
    token. Refuses a name already taken (ValidationError on `username`)."""
    _check_consumer_perm(actor, MANAGE_CONSUMERS, "create API consumers")
    username = (username or "").strip()
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from None
    if not username:
        raise ValidationError({"username": "Give the consumer a name, e.g. partner-newsroom."})
    expiry = _token_expiry(days)
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            {
                "username": f"There is already an account named {username!r}. Pick another "
                "name, or issue it a new token from its API consumer page."
            }
        )
    with transaction.atomic():
        user = User(username=username, email=(email or "").strip(), is_staff=False)
        user.set_unusable_password()
        user.save()
        user.groups.set([Group.objects.get(name=API_CONSUMER_GROUP)])
        token, key = AuthToken.objects.create(user=user, expiry=expiry)
    return IssuedToken(consumer=user, token=token, key=key)


def consumer_issue_token(
    *, consumer: User, days: int | None = None, actor: AbstractBaseUser | None
) -> IssuedToken:
    """A further token for an existing consumer (a consumer may hold several, e.g. while a
    partner rotates keys)."""
    _check_consumer_perm(actor, MANAGE_CONSUMERS, "issue API tokens")
    if not ApiConsumer.objects.filter(pk=consumer.pk).exists():
        raise ValidationError(f"{consumer.get_username()} is not an API consumer.")
    if not consumer.is_active:
        raise ValidationError(f"{consumer.get_username()} is inactive; activate it first.")
    token, key = AuthToken.objects.create(user=consumer, expiry=_token_expiry(days))
    return IssuedToken(consumer=consumer, token=token, key=key)


def consumer_revoke_token(*, digest: str, actor: AbstractBaseUser | None) -> bool:
    """Revoke (delete) one token of a consumer: the next request with it is a 401. Returns
    whether there was such a token."""
    _check_consumer_perm(actor, REVOKE_TOKENS, "revoke API tokens")
    deleted, _ = AuthToken.objects.filter(
        digest=digest, user__groups__name=API_CONSUMER_GROUP
    ).delete()
    return bool(deleted)


def tokens_last_used(tokens: list[AuthToken]) -> dict[str, datetime]:
    """When each token was last used (digest → time; absent: never). The API notes uses in the
    cache (plumbing.authentication.note_use, no database write per request); this reads them in
    one cache call, keeps them in `TokenUse` where newer than what is stored (so a cache flush
    loses nothing already listed), and answers from both."""
    if not tokens:
        return {}
    keys = {last_use_key(t.digest): t.digest for t in tokens}
    cached = {
        keys[k]: datetime.fromtimestamp(float(v), tz=UTC) for k, v in cache.get_many(keys).items()
    }
    stored = dict(
        TokenUse.objects.filter(token_id__in=keys.values()).values_list("token_id", "last_used_at")
    )
    newer = {d: w for d, w in cached.items() if stored.get(d) is None or stored[d] < w}
    if newer:  # one upsert for them all (INSERT ... ON CONFLICT DO UPDATE)
        TokenUse.objects.bulk_create(
            [TokenUse(token_id=d, last_used_at=w) for d, w in newer.items()],
            update_conflicts=True,
            unique_fields=["token"],
            update_fields=["last_used_at"],
        )
        stored.update(newer)
    return stored
