"""Knox token authentication that answers 401, never 500, for a malformed header, and reads
the token, its user and the user's permissions in one query.

Shared by the API (claims.api, sources.api) and the archive views in sources.views, which API
clients reach through the links the API returns."""

from __future__ import annotations

import binascii
import functools
from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from reex.lib.api_permissions import permissions_from_row, permissions_subquery_sql
from reex.lib.rows import Compiled

#: How long the cache keeps a token's last use (claims.services.tokens_last_used reads it and writes it to the
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

    Every request checks its token against the database (a revoked or expired token is refused
    on the next request; nothing about authentication is kept between requests), in ONE query:
    the tokens with the key's prefix, each with its user and that user's permission codenames
    (ActionPermission then checks them without another query)."""

    def authenticate_credentials(self, token: bytes):
        msg = "Invalid token."
        try:
            key = token.decode("utf-8")
            key.encode("ascii")
        except (UnicodeDecodeError, UnicodeEncodeError):
            raise exceptions.AuthenticationFailed(msg) from None
        for auth_token in _candidates(key[: CONSTANTS.TOKEN_KEY_LENGTH]):
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
    statement, compiled once (reex.lib.rows)."""
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


def _candidates(prefix: str) -> list:
    """AuthToken instances (their `user` loaded, `user_permission_names` set) as knox's
    `filter(token_key=prefix).select_related("user")` gives them, built from one row each."""
    compiled, n_token = _token_sql()
    model, user_model = get_token_model(), get_user_model()
    token_names, user_names = compiled.names[:n_token], compiled.names[n_token:-1]
    user_names = [n.removeprefix("user__") for n in user_names]
    user_field = model._meta.get_field("user")
    found = []
    for values in compiled.rows([prefix]):
        auth_token = model.from_db(connection.alias, token_names, values[:n_token])
        user = user_model.from_db(connection.alias, user_names, values[n_token:-1])
        user_field.set_cached_value(auth_token, user)
        auth_token.user_permission_names = values[-1]
        found.append(auth_token)
    return found
