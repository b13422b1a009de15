"""OpenAPI description of the token authentication (loaded with the API's URLs)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HashedTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <key>`` (or ``Bearer <key>``) for drf-spectacular."""

    target_class = "inventory_app.api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token authentication: "Token <key>" or "Bearer <key>".',
        }
