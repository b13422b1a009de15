"""Every GraphQL document the connector sends is valid in Shopify's own introspection schema.

The schema is Shopify's published Admin API introspection (2025-01, ``../shared/specs``) with the
later versions' documented changes applied by the fake's overlays; without the specs folder the
check is skipped.
"""

from __future__ import annotations

import pytest
from graphql import parse, validate

from channels_app.connectors.shopify.queries import all_documents
from channels_app.connectors.shopify.versions import DEFAULT_API_VERSION, VersionRules
from config.sandbox.shopify.schema import real_schema, specs_dir

VERSIONS = ["2025-07", "2025-10", "2026-01", "2026-04", "2026-07", DEFAULT_API_VERSION]


@pytest.mark.skipif(specs_dir() is None, reason="../shared/specs/shopify is absent")
@pytest.mark.parametrize("version", VERSIONS)
def test_every_document_validates_against_shopifys_schema_for_the_version(version):
    schema = real_schema(version)
    documents = all_documents(VersionRules(version))

    problems = {name: validate(schema, parse(text)) for name, text in documents.items()}

    assert {name: errors for name, errors in problems.items() if errors} == {}
    assert len(documents) == 10


@pytest.mark.skipif(specs_dir() is None, reason="../shared/specs/shopify is absent")
def test_the_2026_documents_would_be_refused_by_a_version_before_the_change():
    old = real_schema("2025-10")
    new_push = all_documents(VersionRules("2026-10"))["set_quantities"]
    old_push = all_documents(VersionRules("2025-10"))["set_quantities"]
    input_type = old.type_map["InventoryQuantityInput"]

    assert validate(old, parse(new_push)) != []  # @idempotent does not exist before 2026-01
    assert validate(real_schema("2026-04"), parse(old_push)) == []
    assert "compareQuantity" in input_type.fields
    assert "compareQuantity" not in real_schema("2026-04").type_map["InventoryQuantityInput"].fields


def test_documents_differ_by_version_where_shopify_changed():
    old, new = all_documents(VersionRules("2025-07")), all_documents(VersionRules("2026-10"))

    assert "@idempotent(key: $key)" in new["set_quantities"]
    assert "@idempotent" not in old["set_quantities"]
    assert "callbackUrl" in old["webhooks_list"]
    assert " uri " in new["webhooks_list"]
