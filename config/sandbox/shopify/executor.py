"""One request to ``POST /admin/api/{version}/graphql.json``, answered as Shopify answers it.

Order of checks: injected HTTP faults, access token (401), API version (404 / fall forward), body
(400), GraphQL syntax and validation against Shopify's schema (200 with errors), query cost (single
query maximum, THROTTLED when the bucket lacks the requested cost), execution, refund of
requested - actual cost, ``extensions.cost`` with the throttle status.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass

from graphql import GraphQLError, GraphQLSyntaxError, execute, parse, validate
from graphql.execution.values import get_argument_values, get_variable_values

from . import mutations, mutations_other, resolvers_orders  # noqa: F401 (register resolvers)
from .control import handle_control
from .cost import SINGLE_QUERY_MAX, pick_operation, query_cost
from .resolvers import resolve, type_of
from .schema import executable_schema, real_schema, shopify_errors, variable_errors
from .versions import Features

PATH = re.compile(r"^/admin/api/(?P<version>[^/]+)/graphql\.json$")
UNAUTHORIZED = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
NOT_FOUND = {"errors": "Not Found"}
BAD_BODY = {"errors": {"query": "Required parameter missing or invalid"}}
RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"
MAX_INPUT_ARRAY = 250


@dataclass
class RequestContext:
    """What resolvers see as ``info.context``."""

    fake: object
    state: object
    version: str
    features: Features


def _oversized_inputs(schema, operation, variables) -> list[dict]:
    """Input arrays longer than 250 (Shopify "input limits"): MAX_INPUT_SIZE_EXCEEDED, nothing runs."""
    root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    errors: list[dict] = []

    def walk(value, path):
        if isinstance(value, list):
            if len(value) > MAX_INPUT_ARRAY:
                errors.append(
                    {
                        "message": f"The input array size of {len(value)} is greater than the maximum "
                        f"allowed of {MAX_INPUT_ARRAY}.",
                        "path": path,
                        "extensions": {"code": "MAX_INPUT_SIZE_EXCEEDED"},
                    }
                )
            for item in value:
                walk(item, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, [*path, key])

    for node in operation.selection_set.selections:
        field = root.fields.get(getattr(getattr(node, "name", None), "value", ""))
        if field is None or isinstance(coerced, list):
            continue
        walk(get_argument_values(field, node, coerced), [node.name.value])
    return errors


def _cost(requested, actual, bucket) -> dict:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": bucket.status(),
        }
    }


def handle(fake, method: str, path: str, headers, body: bytes) -> tuple[int, dict, object]:
    """(HTTP status, extra response headers, JSON body) for one HTTP request."""
    fake.count("requests")
    if path.startswith("/_fake/"):
        return handle_control(fake, method, path.split("?", 1)[0], body)
    if path.startswith("/admin/oauth/"):
        injected = fake.faults.take()
        if injected is not None:
            fake.count(f"injected_{injected[0]}")
            return injected
        oauth = fake.oauth.handle(method, path, headers, body)
        if oauth is not None:
            return oauth
    match = PATH.match(path.split("?", 1)[0])
    if method != "POST" or not match:
        return 404, {}, NOT_FOUND
    injected = fake.faults.take()
    if injected is not None:
        fake.count(f"injected_{injected[0]}")
        return injected
    if not fake.oauth.authorized(headers.get("X-Shopify-Access-Token")):
        fake.count("unauthorized")
        return 401, {}, UNAUTHORIZED
    served = fake.versions.resolve(match["version"])
    if served is None:
        return 404, {}, NOT_FOUND
    out_headers = {"X-Shopify-API-Version": served}
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return 400, out_headers, BAD_BODY
    query = request.get("query") if isinstance(request, dict) else None
    if not isinstance(query, str) or not query.strip():
        return 400, out_headers, BAD_BODY
    variables = request.get("variables") or {}
    if isinstance(variables, str):  # some clients send the variables JSON-encoded
        try:
            variables = json.loads(variables or "{}")
        except ValueError:
            return 400, out_headers, BAD_BODY
    if not isinstance(variables, dict):
        return 400, out_headers, BAD_BODY
    status, payload = _graphql(fake, served, query, variables, request.get("operationName"))
    return status, out_headers, payload


@functools.lru_cache(maxsize=512)
def _checked(served: str, query: str, with_specs: bool):
    """(document, errors) for a query text; clients repeat the same few documents, so cache them."""
    try:
        document = parse(query)
    except GraphQLSyntaxError as exc:
        return None, shopify_errors([exc])
    real = real_schema(served) if with_specs else None
    if real is not None:
        errors = validate(real, document)
        if errors:
            return document, shopify_errors(errors, document)
    errors = validate(executable_schema(served), document)
    if errors:
        body = shopify_errors(errors, document)
        if real is not None:  # valid for Shopify, outside what the fake implements
            for e in body:
                e["message"] = f"[fake Shopify] not implemented: {e['message']}"
                e["extensions"] = {"code": "FAKE_NOT_IMPLEMENTED"}
        return document, body
    return document, None


def _graphql(fake, served: str, query: str, variables: dict, operation_name: str | None) -> tuple[int, dict]:
    document, errors = _checked(served, query, fake.validate_with_specs)
    if errors:
        fake.count("graphql_errors")
        return 200, {"errors": copy.deepcopy(errors)}
    real = real_schema(served) if fake.validate_with_specs else None
    schema = executable_schema(served)
    operation = pick_operation(document, operation_name)
    if operation is None:
        message = (
            f'No operation named "{operation_name}"' if operation_name else "An operation name is required"
        )
        return 200, {"errors": [{"message": message}]}
    problems = variable_errors(real if real is not None else schema, operation, variables)
    problems = problems or variable_errors(schema, operation, variables)
    if problems:
        fake.count("graphql_errors")
        return 200, {"errors": problems}
    too_big = _oversized_inputs(schema, operation, variables)
    if too_big:
        fake.count("graphql_errors")
        return 200, {"errors": too_big}
    requested = query_cost(schema, document, operation, variables)
    if requested > SINGLE_QUERY_MAX:
        fake.count("max_cost_exceeded")
        return 200, {
            "errors": [
                {
                    "message": f"Query cost is {requested}, which exceeds the single query max cost "
                    f"limit ({SINGLE_QUERY_MAX}).\n\nSee {RATE_LIMIT_DOCS} for more information on how the "
                    "cost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, "
                    "bulk operations should be used instead.",
                    "extensions": {
                        "code": "MAX_COST_EXCEEDED",
                        "cost": requested,
                        "maxCost": SINGLE_QUERY_MAX,
                    },
                }
            ],
            "extensions": _cost(requested, None, fake.bucket),
        }
    if fake.faults.take_throttled() or not fake.bucket.try_take(requested):
        fake.count("throttled")
        return 200, {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS},
                }
            ],
            "extensions": _cost(requested, None, fake.bucket),
        }
    ctx = RequestContext(fake=fake, state=fake.state, version=served, features=fake.versions.features(served))
    kind = operation.operation.value
    for sel in operation.selection_set.selections:
        fake.count(f"{kind}:{getattr(getattr(sel, 'name', None), 'value', '?')}")
    with fake.state.lock:
        result = execute(
            schema,
            document,
            context_value=ctx,
            variable_values=variables,
            operation_name=operation_name,
            field_resolver=resolve,
            type_resolver=type_of,
        )
        actual = query_cost(schema, document, operation, variables, data=result.data or {})
    fake.bucket.refund(requested - actual)
    fake.count("cost_requested", requested)
    fake.count("cost_actual", actual)
    payload: dict = {}
    if result.errors:
        fake.count("graphql_errors")
        payload["errors"] = shopify_errors(list(result.errors), document)
    payload["data"] = result.data
    payload["extensions"] = _cost(requested, actual, fake.bucket)
    return 200, payload


__all__ = ["GraphQLError", "handle"]
