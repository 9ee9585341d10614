"""The API's token authentication (reex.lib.authentication) and how the schema documents it."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

# The class lives in reex.lib: the archive views in `sources` use it too (sources never imports
# claims). Re-exported here, where the API's views and settings have always found it.
from reex.lib.authentication import ApiTokenAuthentication

__all__ = ["ApiTokenAuthentication", "ApiTokenScheme"]


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the schema documents the token (drf-spectacular finds this class on import)."""

    target_class = "reex.lib.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send "Token <key>"; `manage.py issue_token USER` issues keys.',
        }
