"""Knox token authentication that answers 401, never 500, for a malformed header, and reads
the token, its user and the user's permissions in one query, which each web process then
keeps for at most `REEX_TOKEN_RECHECK_SECONDS` (1) while nothing about tokens, users, groups
or permissions changes (the **auth generation** in the shared cache says so).

Shared by the API (claims.api, sources.api) and the archive views in sources.views, which API
clients reach through the links the API returns."""

from __future__ import annotations

import binascii
import contextlib
import functools
import secrets
import time
from hmac import compare_digest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from plumbing.api_permissions import permissions_from_row, permissions_subquery_sql
from plumbing.api_throttling import TokenRateThrottle, queue_count, redis_client
from plumbing.rows import Compiled

#: How long the cache keeps a token's last use (claims.services.consumers.tokens_last_used reads it and writes it to the
#: database whenever the admin lists tokens, so it outlives this).
USE_TTL = 60 * 60 * 24 * 90


def last_use_key(digest: str) -> str:
    return f"reex:token-last-used:{digest[:40]}"


def note_use(auth_token) -> None:
    """Remember when a token was last used: one cache write (Redis in production, shared by
    every web process), no database write, so reading the API still costs one query for
    authentication."""
    cache.set(last_use_key(auth_token.digest), timezone.now().timestamp(), timeout=USE_TTL)


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`. Knox stores only a hash of the key; tokens expire and a user
    may hold several. Keys that are not UTF-8 or not hex (knox decodes and hashes them
    unguarded) are refused as invalid tokens instead of raising.

    The check reads, in ONE query, the tokens with the key's prefix, each with its user and
    that user's permission codenames (ActionPermission then checks them without another
    query). With a shared cache (Redis), each web process keeps that row for the token's
    digest for at most `REEX_TOKEN_RECHECK_SECONDS` and uses it only while the auth generation
    (one Redis key, bumped by every save or delete of a token, a user, a group's or a user's
    permissions or groups: `bump_auth_generation`) is the one it was read under; the expiry is
    checked on every request. So revoking a token, deactivating a user or taking a permission
    away applies to the very next request; a change no signal sees (a queryset `update()`, raw
    SQL) within that second. The generation is read in the same Redis round trip as the
    throttle's counts and the token's last use (`queue_count`), so a request whose token
    was checked under a second ago costs no query and one round trip. Writes (anything but
    GET, HEAD, OPTIONS) always read the database."""

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if len(auth) == 2 and auth[0].lower() == self.authenticate_header(request).encode().lower():
            found = self._recently_checked(request, auth[1])
            if found is not None:
                return found
        return super().authenticate(request)

    def _recently_checked(self, request, token: bytes):
        """(user, token) from this process's recent check, still valid by the auth generation
        read now; None to read the database. Counts the request for the throttle in the same
        round trip (the throttle takes the counts from the request)."""
        client = redis_client()
        if client is None or request.method not in ("GET", "HEAD", "OPTIONS"):
            return None
        try:
            key = token.decode("ascii")
            digest = hash_token(key)
        except (UnicodeDecodeError, TypeError, binascii.Error, ValueError):
            return None  # the database path refuses it with the right message
        entry = _recent.get(digest)
        if entry is None or time.monotonic() - entry[0] > settings.REEX_TOKEN_RECHECK_SECONDS:
            return None
        _, generation, values = entry
        expiry = values[_expiry_index()]
        if expiry is not None and expiry < timezone.now():
            _recent.pop(digest, None)
            return None  # the database path deletes it and says it expired
        throttle = _token_throttle(request)
        try:
            pipe = client.pipeline(transaction=False)
            pipe.get(_generation_key())
            pipe.set(
                cache.make_and_validate_key(last_use_key(digest)), int(time.time()), ex=USE_TTL
            )
            counted = queue_count(pipe, throttle, digest) if throttle is not None else None
            results = pipe.execute()
        except (RedisError, OSError):  # the cache is down: read the database (as before)
            return None
        if counted is not None:  # this request is counted, whichever way it is authenticated
            counted.take(results[2:])
            request._reex_counted = counted
        if results[0] != generation:
            _recent.pop(digest, None)
            return None
        auth_token, _ = _instances(values)
        user, auth_token = self.validate_user(auth_token)
        permissions_from_row(user, auth_token.user_permission_names)
        return user, auth_token

    def authenticate_credentials(self, token: bytes):
        msg = "Invalid token."
        try:
            key = token.decode("utf-8")
            key.encode("ascii")
        except (UnicodeDecodeError, UnicodeEncodeError):
            raise exceptions.AuthenticationFailed(msg) from None
        client = redis_client()
        generation = _read_generation(client)
        for values in _candidate_rows(key[: CONSTANTS.TOKEN_KEY_LENGTH]):
            auth_token, _ = _instances(values)
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(msg) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                user, auth_token = self.validate_user(auth_token)
                permissions_from_row(user, auth_token.user_permission_names)
                note_use(auth_token)
                if generation is not _NO_GENERATION:
                    _recent[digest] = (time.monotonic(), generation, values)
                    if len(_recent) > _RECENT_MAX:
                        _recent.pop(next(iter(_recent)))
                return user, auth_token
        raise exceptions.AuthenticationFailed(msg)

    def _cleanup_token(self, auth_token) -> bool:
        """Refuse (and delete) this token when it has expired, as knox does. Knox would also
        load and sweep every other token of the user on every request (one more query each
        time); an expired token is refused whenever it is presented, so that sweep is
        housekeeping only, and it is skipped here."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


_SENTINEL = "reex-token-key-sentinel"


@functools.cache
def _token_sql() -> tuple[Compiled, int]:
    """The tokens with a key prefix, each with its user's columns and permission names: one
    statement, compiled once (plumbing.rows)."""
    model, user_model = get_token_model(), get_user_model()
    token_names = [f.attname for f in model._meta.concrete_fields]
    user_names = [f"user__{f.attname}" for f in user_model._meta.concrete_fields]
    user_ref = f'"{model._meta.db_table}"."user_id"'
    queryset = model.objects.filter(token_key=_SENTINEL).annotate(
        user_permission_names=RawSQL(permissions_subquery_sql(user_ref), ())  # noqa: S611
    )
    compiled = Compiled(
        queryset, [*token_names, *user_names, "user_permission_names"], (_SENTINEL,)
    )
    return compiled, len(token_names)


def _candidate_rows(prefix: str) -> list[list]:
    """The rows of the tokens with a key prefix (`_token_sql`)."""
    compiled, _ = _token_sql()
    return compiled.rows([prefix])


def _instances(values: list) -> tuple:
    """An AuthToken (its `user` loaded, `user_permission_names` set) and its user, new objects
    from one row, as knox's `filter(token_key=prefix).select_related("user")` gives them."""
    compiled, n_token = _token_sql()
    model, user_model = get_token_model(), get_user_model()
    user_names = [n.removeprefix("user__") for n in compiled.names[n_token:-1]]
    auth_token = model.from_db(connection.alias, compiled.names[:n_token], values[:n_token])
    user = user_model.from_db(connection.alias, user_names, values[n_token:-1])
    model._meta.get_field("user").set_cached_value(auth_token, user)
    auth_token.user_permission_names = values[-1]
    return auth_token, user


@functools.cache
def _expiry_index() -> int:
    return _token_sql()[0].names.index("expiry")


# --- the recent checks and the auth generation ---------------------------------------------------
#: digest → (time.monotonic() of the check, the auth generation it was read under, its row).
_recent: dict[str, tuple[float, bytes, list]] = {}
_RECENT_MAX = 10_000
_NO_GENERATION = object()


def _generation_key() -> str:
    return cache.make_and_validate_key("reex:auth-generation")


def _read_generation(client):
    """The auth generation now (read BEFORE the database, so a change committed meanwhile
    moves it past what is kept); `_NO_GENERATION` without a shared cache (nothing is kept).
    A missing key (never set, flushed, evicted) gets a new random value: what was kept under
    an earlier value is never taken for current again."""
    if client is None:
        return _NO_GENERATION
    try:
        value = client.get(_generation_key())
        if value is None:
            client.set(_generation_key(), secrets.randbits(62), nx=True)
            value = client.get(_generation_key())
    except (RedisError, OSError):
        return _NO_GENERATION
    return _NO_GENERATION if value is None else value


def bump_auth_generation() -> None:
    """Every web process drops what it kept of token checks: the generation becomes a new
    random value, at once and again when the transaction commits (a process that read the
    database between the two, still seeing the old state, kept it under the first value: the
    second drops it)."""
    client = redis_client()
    if client is None:
        return

    def bump() -> None:
        # The cache is down: nothing is kept past REEX_TOKEN_RECHECK_SECONDS (and with the
        # cache down the checks kept cannot be used: their round trip fails).
        with contextlib.suppress(RedisError, OSError):
            client.set(_generation_key(), secrets.randbits(62))

    bump()
    transaction.on_commit(bump, robust=True)


def _token_throttle(request) -> TokenRateThrottle | None:
    """The view's per-token throttle, when it has one (a DRF request for an API view)."""
    view = (getattr(request, "parser_context", None) or {}).get("view")
    for cls in getattr(view, "throttle_classes", ()):
        if issubclass(cls, TokenRateThrottle):
            throttle = cls()
            return throttle if throttle.rate is not None else None
    return None


def _auth_changed(sender, **kwargs) -> None:
    bump_auth_generation()


def connect() -> None:
    """Bump the auth generation whenever what a token check reads changes (claims.apps)."""
    user_model = get_user_model()
    for model in (get_token_model(), user_model, Group, Permission):
        post_save.connect(_auth_changed, sender=model, dispatch_uid=f"reex-auth-{model}")
        post_delete.connect(_auth_changed, sender=model, dispatch_uid=f"reex-auth-d-{model}")
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(_auth_changed, sender=through, dispatch_uid=f"reex-auth-{through}")
