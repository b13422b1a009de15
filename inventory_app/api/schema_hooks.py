"""drf-spectacular postprocessing: what every operation answers besides its success.

Each operation declares its refusals as ``application/problem+json`` (the ``Problem`` schema):
400, 401, 403, 404 (no such object, or page) and 429 everywhere, 409 and 413 on writes,
422 where an Idempotency-Key is taken. Response headers: RateLimit-* on successes and 429,
Retry-After on 429, ETag (and a 304 for If-None-Match) on reads, Idempotent-Replayed on
idempotent writes. Examples of the main operations come from inventory_app.api.schema_examples.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.plumbing import ComponentRegistry
from rest_framework.views import APIView

from inventory_app.api.problems import MEDIA_TYPE, ProblemSerializer
from inventory_app.api.schema import ApiAutoSchema
from inventory_app.api.schema_examples import operation_examples_add

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
WRITES = {"post", "put", "patch", "delete"}
REFUSALS = {
    "400": "Not valid (code validation_error, parse_error, invalid_operation); nothing changed.",
    "401": "No valid token (code not_authenticated or authentication_failed).",
    "403": "The token's role does not allow this (code permission_denied).",
    "404": "No such object, or no such page of a list (code not_found).",
    "409": "Refused by the state (code insufficient_stock, order_conflict, conflict); nothing changed.",
    "413": "The body is over the size limit (code request_too_large): send it in parts.",
    "422": "The Idempotency-Key was used before with another body (code idempotency_key_reused).",
    "429": "Too many requests (code throttled): retry after Retry-After seconds.",
}


def _integer_header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "integer"}}


RATELIMIT_HEADERS = {
    "RateLimit-Limit": _integer_header(
        "Requests allowed per window (draft-ietf-httpapi-ratelimit-headers-06)"
    ),
    "RateLimit-Remaining": _integer_header("Requests left in the current window"),
    "RateLimit-Reset": _integer_header("Seconds until the window frees a request"),
    "RateLimit-Policy": {
        "description": 'The quota, "<limit>;w=<window seconds>"',
        "schema": {"type": "string"},
    },
}
RETRY_AFTER = {"Retry-After": _integer_header("Seconds to wait before retrying")}
ETAG = {"ETag": {"description": "Hash of the body; send it as If-None-Match", "schema": {"type": "string"}}}
REPLAYED = {
    "Idempotent-Replayed": {
        "description": '"true" when this answers a repeat of an earlier request (no new change)',
        "schema": {"type": "string", "enum": ["true", "false"]},
    }
}
LOCATION = {"Location": {"description": "Where the created job is read", "schema": {"type": "string"}}}
OWN_HEADERS = {("imports_catalog_create", "202"): LOCATION}  # headers only some answers set
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "An ETag from an earlier answer: 304 with no body while the resource is unchanged.",
}


def _problem_components() -> dict[str, Any]:
    """The Problem schema and the schemas it refers to, built from ProblemSerializer."""
    registry = ComponentRegistry()
    auto = ApiAutoSchema()
    view = APIView()
    view.request = None
    auto.registry, auto.method, auto.path, auto.view = registry, "GET", "/api/problems/", view
    component = auto.resolve_serializer(ProblemSerializer, "response")
    schemas = registry.build({}).get("schemas", {})
    schemas["Problem"] = schemas.pop(component.name)
    return schemas


def _refusals(method: str, operation: dict) -> set[str]:
    statuses = {"400", "401", "403", "404", "429"}  # 404: no such object, or page of a list
    if method in WRITES:
        statuses |= {"409", "413"}
    if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
        statuses.add("422")
    return statuses


def _operation_document(path: str, method: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    successes = [code for code in responses if code.startswith("2")]
    idempotent = any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))
    replays = method in WRITES and (idempotent or {"200", "201"} <= set(successes))
    for code in successes:
        headers = responses[code].setdefault("headers", {})
        headers.update(RATELIMIT_HEADERS)
        if method == "get" and code == "200":
            headers.update(ETAG)
        if replays:
            headers.update(REPLAYED)
        headers.update(OWN_HEADERS.get((operation.get("operationId"), code), {}))
    if method == "get" and "200" in responses:
        operation.setdefault("parameters", []).append(IF_NONE_MATCH)
        responses["304"] = {
            "description": "Not modified: the If-None-Match ETag still matches.",
            "headers": ETAG,
        }
    for code in _refusals(method, operation) | {c for c in responses if c[0] in "45"}:
        description = REFUSALS.get(code) or responses.get(code, {}).get("description") or "Refused."
        responses[code] = {"description": description, "content": {MEDIA_TYPE: {"schema": PROBLEM_REF}}}
        if code == "429":
            responses[code]["headers"] = {**RETRY_AFTER, **RATELIMIT_HEADERS}
    operation["responses"] = dict(sorted(responses.items()))


def responses_document(result, generator, request, public):
    """Postprocessing hook: problem responses, response headers and examples on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(_problem_components())
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            _operation_document(path, method, operation)
            operation_examples_add(operation)
    return result
