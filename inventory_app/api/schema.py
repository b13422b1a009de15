"""How drf-spectacular describes the API: the token scheme, JSON request bodies, readable
operationIds, typed JSON fields (see also inventory_app.api.schema_hooks)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema

JSON = "application/json"
_STANDARD_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}


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


class JSONObjectField(OpenApiSerializerFieldExtension):
    """A JSON field (a model's JSONField) holds an object: declared so, not as "any"."""

    target_class = "rest_framework.fields.JSONField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "object", "additionalProperties": {}}


class ApiAutoSchema(AutoSchema):
    """Request bodies in JSON only (unless a view takes no JSON at all, as the CSV import), and
    operationIds ``<resource>_<action>``: ``orders_list``, ``orders_ship``, ``skus_create``."""

    def map_parsers(self) -> list[str]:
        media_types = super().map_parsers()
        return [JSON] if JSON in media_types else media_types

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        action = getattr(self.view, "action", None)
        if action and action not in _STANDARD_ACTIONS:
            mapping = getattr(getattr(self.view, action, None), "mapping", {})
            if len(mapping) == 1:  # one method: the action names the operation on its own
                operation_id = operation_id.rsplit("_", 1)[0]
        return operation_id
