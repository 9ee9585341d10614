"""Knox token authentication that answers 401, never 500, for a malformed header."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
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


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the schema documents the token (drf-spectacular finds this class on import)."""

    target_class = "claims.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send "Token <key>"; `manage.py issue_token USER` issues keys.',
        }
