"""The fake's schema is a faithful subset of Shopify's published introspection (Admin API 2025-01).

Needs ``<repo>/../shared/specs/shopify/admin_schema_2025-01.json.gz``; skipped cleanly without it.
"""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    parse,
    validate,
)
from graphql.pyutils import Undefined

from config.sandbox.shopify.fixtures import ShopifyClient
from config.sandbox.shopify.schema import executable_schema, real_schema, specs_dir
from tests.config.sandbox.shopify import (
    test_inventory_mutations,
    test_queries,
    test_rate_limit_and_errors,
    test_webhooks_and_fulfillment,
)

needs_specs = pytest.mark.skipif(
    specs_dir() is None, reason="../shared/specs (Shopify introspection) is absent"
)


def _mismatches(version: str) -> list[str]:
    ours, theirs = executable_schema(version), real_schema(version)
    problems = []
    for name, ours_type in ours.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        real = theirs.type_map.get(name)
        if real is None or type(real) is not type(ours_type):
            problems.append(f"{name}: missing or another kind in Shopify's schema")
            continue
        if isinstance(ours_type, GraphQLEnumType):
            problems += [f"{name}.{v}: no such enum value" for v in ours_type.values if v not in real.values]
        elif isinstance(ours_type, GraphQLUnionType):
            real_members = {t.name for t in real.types}
            problems += [
                f"{name}: {t.name} not a member" for t in ours_type.types if t.name not in real_members
            ]
        elif isinstance(ours_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in ours_type.fields.items():
                real_field = real.fields.get(field_name)
                if real_field is None or str(real_field.type) != str(field.type):
                    problems.append(f"{name}.{field_name}: {field.type} vs {real_field and real_field.type}")
                    continue
                for arg_name, arg in getattr(field, "args", {}).items():
                    real_arg = real_field.args.get(arg_name)
                    if real_arg is None or str(real_arg.type) != str(arg.type):
                        problems.append(
                            f"{name}.{field_name}({arg_name}): {arg.type} vs {real_arg and real_arg.type}"
                        )
                    elif arg.default_value is not Undefined and arg.default_value != real_arg.default_value:
                        problems.append(
                            f"{name}.{field_name}({arg_name}) default {arg.default_value!r} "
                            f"vs {real_arg.default_value!r}"
                        )
    return problems


@needs_specs
@pytest.mark.parametrize("version", ["2025-01", "2025-10", "2026-01", "2026-04"])
def test_every_type_field_and_argument_of_the_fake_exists_in_shopifys_schema(version):
    assert _mismatches(version) == []


CONNECTOR_DOCUMENTS = [
    test_queries.VARIANTS_PAGE,
    test_queries.LEVEL,
    test_queries.ORDERS,
    test_inventory_mutations.SET,
    test_inventory_mutations.ADJUST,
    test_webhooks_and_fulfillment.CREATE,
    test_webhooks_and_fulfillment.LIST,
    test_webhooks_and_fulfillment.FULFILL,
    test_rate_limit_and_errors.VARIANTS,
]


@needs_specs
@pytest.mark.parametrize("index", range(len(CONNECTOR_DOCUMENTS)))
def test_the_documents_used_against_the_fake_validate_against_shopifys_schema(index):
    assert validate(real_schema("2026-10"), parse(CONNECTOR_DOCUMENTS[index])) == []


@needs_specs
def test_a_real_field_the_fake_does_not_implement_says_so(shopify_client):
    status, _, body = shopify_client.post("{ shop { billingAddress { city } } }")
    assert status == 200
    assert body["errors"][0]["extensions"] == {"code": "FAKE_NOT_IMPLEMENTED"}
    assert "doesn't exist on type 'Shop'" in body["errors"][0]["message"]


def test_without_the_specs_the_fake_still_rejects_unknown_fields_the_same_way(fake_shopify):
    fake_shopify.validate_with_specs = False
    status, _, body = ShopifyClient(fake_shopify).post("{ shop { nme } }")
    assert status == 200
    assert body["errors"][0]["extensions"] == {
        "code": "undefinedField",
        "typeName": "Shop",
        "fieldName": "nme",
    }
