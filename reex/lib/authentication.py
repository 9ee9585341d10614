"""Knox token authentication that answers 401, never 500, for a malformed header.

Shared by the API (claims.api, sources.api) and the archive views in sources.views, which API
clients reach through the links the API returns."""

from __future__ import annotations

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.signals import token_expired
from rest_framework import exceptions


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`. Knox stores only a hash of the key; tokens expire and a user
    may hold several. Keys that are not UTF-8 or not hex (knox decodes and hashes them
    unguarded) are refused as invalid tokens instead of raising."""

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8").encode("ascii")
        except (UnicodeDecodeError, UnicodeEncodeError):
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return super().authenticate_credentials(token)

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
