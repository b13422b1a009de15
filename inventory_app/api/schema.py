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


ERROR_SCHEMA = {
    "description": "What was refused: ``detail``, or each field with its messages.",
    "oneOf": [{"type": "object", "additionalProperties": {}}, {"type": "array", "items": {}}],
}
DOCUMENTED_ERRORS = {
    "400": "The request is not valid; nothing was changed.",
    "404": "No such object (or page).",
    "429": "Too many requests (per token or per address): try again after Retry-After seconds.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}


def error_responses_document(result, generator, request, public):
    """Postprocessing hook: every operation documents its 400, 404 and 429 answers (an error body;
    429 with Retry-After), and 422 where it takes an Idempotency-Key."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            errors = dict(DOCUMENTED_ERRORS)
            if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                errors["422"] = "The Idempotency-Key was used before with another request body."
            for status, description in errors.items():
                if not responses.get(status):
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        **({"headers": RETRY_AFTER} if status == "429" else {}),
                    }
    return result
