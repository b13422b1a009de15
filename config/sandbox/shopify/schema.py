"""The GraphQL schemas the fake uses: its own executable subset, and Shopify's real introspection.

- ``executable_schema(version)``: schema.graphql plus the version's OVERLAYS; every request runs on it.
- ``real_schema(version)``: Shopify's published introspection (Admin API 2025-01, under
  ``<repo>/../shared/specs/shopify``) plus the same OVERLAYS, or None when the specs are absent. When
  present, each request is validated against it first, so a field Shopify does not have is rejected
  exactly as Shopify rejects it, even if the fake could answer it.
- ``shopify_errors(...)``: graphql-core validation errors rewritten in the shape Shopify (graphql-ruby)
  returns them: ``Field 'x' doesn't exist on type 'T'`` with ``extensions.code == "undefinedField"`` ...
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from pathlib import Path

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    build_client_schema,
    build_schema,
    extend_schema,
    parse,
    print_ast,
)

from .versions import (
    CHANGE_FROM_QUANTITY,
    COMPARE_QUANTITY_REMOVED,
    IDEMPOTENT_DIRECTIVE,
    ORDER_CANCEL_REFUND_METHOD,
    WEBHOOK_URI,
    version_key,
)

_HERE = Path(__file__).resolve().parent
REPO_ROOT = _HERE.parents[2]
SPEC_FILE = "shopify/admin_schema_2025-01.json.gz"

# Additions of later versions to the 2025-01 shapes, from Shopify's changelog (see README.md).
OVERLAYS: list[tuple[tuple[int, int], str]] = [
    (
        ORDER_CANCEL_REFUND_METHOD,
        "input OrderCancelRefundMethodInput { originalPaymentMethodsRefund: Boolean }",
    ),
    (
        WEBHOOK_URI,
        "extend input WebhookSubscriptionInput { uri: String }\n"
        "extend type WebhookSubscription { uri: String! }",
    ),
    (
        CHANGE_FROM_QUANTITY,
        "extend input InventoryQuantityInput { changeFromQuantity: Int }\n"
        "extend input InventoryChangeInput { changeFromQuantity: Int }\n"
        "extend enum InventorySetQuantitiesUserErrorCode { CHANGE_FROM_QUANTITY_STALE }\n"
        "extend enum InventoryAdjustQuantitiesUserErrorCode { CHANGE_FROM_QUANTITY_STALE }",
    ),
    (
        IDEMPOTENT_DIRECTIVE,
        "directive @idempotent(key: String!) on FIELD\n"
        + "\n".join(
            f"extend enum {enum} {{ IDEMPOTENCY_CONCURRENT_REQUEST IDEMPOTENCY_KEY_PARAMETER_MISMATCH "
            "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED }"
            for enum in ("InventorySetQuantitiesUserErrorCode", "InventoryAdjustQuantitiesUserErrorCode")
        ),
    ),
]


def specs_dir() -> Path | None:
    """``<repo>/../shared/specs`` when it holds the Shopify introspection, else None."""
    candidate = REPO_ROOT.parent / "shared" / "specs"
    return candidate if (candidate / SPEC_FILE).is_file() else None


# Fields later versions removed: (since, type, field).
REMOVALS: list[tuple[tuple[int, int], str, str]] = [
    (COMPARE_QUANTITY_REMOVED, "InventoryQuantityInput", "compareQuantity"),
    (COMPARE_QUANTITY_REMOVED, "InventorySetQuantitiesInput", "ignoreCompareQuantity"),
]


def _overlay(schema: GraphQLSchema, version: str) -> GraphQLSchema:
    key = version_key(version)
    sdl = "\n".join(text for since, text in OVERLAYS if key >= since)
    if not sdl:
        return schema
    extended = extend_schema(schema, parse(sdl))  # new type objects: safe to trim below
    for since, type_name, field_name in REMOVALS:
        if key >= since:
            extended.type_map[type_name].fields.pop(field_name, None)
    if key >= ORDER_CANCEL_REFUND_METHOD:  # an argument added, another made optional (deprecated)
        args = extended.type_map["Mutation"].fields["orderCancel"].args
        args["refundMethod"] = GraphQLArgument(extended.type_map["OrderCancelRefundMethodInput"])
        args["refund"] = GraphQLArgument(extended.type_map["Boolean"], deprecation_reason="Use refundMethod.")
    return extended


@functools.cache
def _base_executable() -> GraphQLSchema:
    return build_schema((_HERE / "schema.graphql").read_text(encoding="utf-8"))


@functools.cache
def executable_schema(version: str) -> GraphQLSchema:
    """The fake's schema for ``version`` (subset + overlays)."""
    return _overlay(_base_executable(), version)


@functools.cache
def _base_real(path: str) -> GraphQLSchema:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        payload = json.load(fh)
    return build_client_schema(payload.get("data", payload))


@functools.cache
def real_schema(version: str) -> GraphQLSchema | None:
    """Shopify's introspected schema (+ overlays for ``version``), or None without the specs folder."""
    folder = specs_dir()
    if folder is None:
        return None
    schema = _overlay(_base_real(str(folder / SPEC_FILE)), version)
    # Shopify's own schema breaks two of graphql-core's strict type-system rules (deprecated interface
    # implementations); mark it as checked so that documents can be validated against it as it is.
    schema._validation_errors = []
    return schema


# --- Shopify-style error shapes -------------------------------------------------------------------

_RULES: list[tuple[re.Pattern[str], object]] = []


def _rule(pattern: str):
    def register(fn):
        _RULES.append((re.compile(pattern), fn))
        return fn

    return register


@_rule(r"^Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\.")
def _undefined_field(m):
    return (
        f"Field '{m['field']}' doesn't exist on type '{m['type']}'",
        {"code": "undefinedField", "typeName": m["type"], "fieldName": m["field"]},
    )


@_rule(r"^Unknown argument '(?P<arg>\w+)' on field '(?P<type>\w+)\.(?P<field>\w+)'\.")
def _unknown_argument(m):
    return (
        f"Field '{m['field']}' doesn't accept argument '{m['arg']}'",
        {"code": "argumentNotAccepted", "name": m["field"], "typeName": "Field", "argumentName": m["arg"]},
    )


@_rule(r"^Argument '\w+\.(?P<field>\w+)\((?P<arg>\w+):\)' of type '[^']+' is required")
def _missing_argument(m):
    return (
        f"Field '{m['field']}' is missing required arguments: {m['arg']}",
        {"code": "missingRequiredArguments", "className": "Field", "name": m["field"], "arguments": m["arg"]},
    )


@_rule(r"^Expected value of type '(?P<type>\w+)' not to include unknown field '(?P<arg>\w+)'")
def _unknown_input_field(m):
    return (
        f"InputObject '{m['type']}' doesn't accept argument '{m['arg']}'",
        {
            "code": "argumentNotAccepted",
            "name": m["type"],
            "typeName": "InputObject",
            "argumentName": m["arg"],
        },
    )


@_rule(r"^Unknown directive '@(?P<name>\w+)'\.")
def _unknown_directive(m):
    return (
        f"Directive @{m['name']} is not defined",
        {"code": "undefinedDirective", "directiveName": m["name"]},
    )


def _paths(document: DocumentNode) -> dict[int, list[str]]:
    """Start offset of every field node -> graphql-ruby style path (``["query Name", "shop", "x"]``)."""
    out: dict[int, list[str]] = {}

    def walk(selection_set, prefix):
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                path = [*prefix, sel.name.value]
                out[sel.loc.start] = path
                walk(sel.selection_set, path)
            elif isinstance(sel, InlineFragmentNode):
                on = f"... on {sel.type_condition.name.value}" if sel.type_condition else "..."
                walk(sel.selection_set, [*prefix, on])

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            head = definition.operation.value + (f" {definition.name.value}" if definition.name else "")
        elif isinstance(definition, FragmentDefinitionNode):
            head = f"fragment {definition.name.value}"
        else:
            continue
        walk(definition.selection_set, [head])
    return out


def shopify_error(error: GraphQLError, document: DocumentNode | None = None) -> dict:
    """One graphql-core error as Shopify would phrase it."""
    message, extensions = error.message, None
    for pattern, fn in _RULES:
        match = pattern.match(error.message)
        if match:
            message, extensions = fn(match)
            break
    body: dict = {"message": message}
    if error.locations:
        body["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if document is not None and error.nodes:
        path = _paths(document).get(error.nodes[0].loc.start) if error.nodes[0].loc else None
        if path:
            body["path"] = path
    if error.path:
        body["path"] = list(error.path)
    if extensions:
        body["extensions"] = extensions
    return body


def shopify_errors(errors: list[GraphQLError], document: DocumentNode | None = None) -> list[dict]:
    return [shopify_error(e, document) for e in errors]


_VARIABLE = re.compile(
    r"^Variable '\$(?P<name>\w+)' (?:got|has) invalid value(?: at (?P<at>\S+))?[:;] (?P<rest>.*)$", re.S
)
_UNKNOWN_FIELD = re.compile(
    r"Expected value of type '(?P<type>\w+)!?' not to include unknown field '(?P<field>\w+)'"
)
_MISSING_FIELD = re.compile(
    r"Field '(?P<field>\w+)' of required type '[^']+' was not provided"
    r"|to include required field '(?P<required>\w+)'"
)


def variable_errors(schema: GraphQLSchema, operation, variables: dict) -> list[dict]:
    """Variables that do not fit their declared types, reported as graphql-ruby reports them
    (a validation error: the operation does not run)."""
    from graphql.execution.values import get_variable_values

    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if not isinstance(coerced, list):
        return []
    declared = {d.variable.name.value: d for d in operation.variable_definitions or ()}
    out = []
    for error in coerced:
        match = _VARIABLE.match(error.message)
        if not match:
            out.append(shopify_error(error))
            continue
        name, rest = match["name"], match["rest"]
        path: list = [int(p) if p.isdigit() else p for p in re.findall(r"\w+", match["at"] or "")]
        explanation = rest
        if m := _UNKNOWN_FIELD.search(rest):
            path, explanation = [*path, m["field"]], f"Field is not defined on {m['type']}"
        elif m := _MISSING_FIELD.search(rest):
            path, explanation = [*path, m["field"] or m["required"]], "Expected value to not be null"
        definition = declared.get(name)
        type_text = print_ast(definition.type) if definition else "?"
        where = ".".join(str(p) for p in path)
        body: dict = {
            "message": f"Variable ${name} of type {type_text} was provided invalid value"
            + (f" for {where}" if where else "")
            + f" ({explanation})",
            "extensions": {
                "value": (variables or {}).get(name),
                "problems": [{"path": path, "explanation": explanation}],
            },
        }
        if definition and definition.loc:
            body["locations"] = [
                {"line": loc.line, "column": loc.column} for loc in error.locations or []
            ] or None
            if body["locations"] is None:
                del body["locations"]
        out.append(body)
    return out
