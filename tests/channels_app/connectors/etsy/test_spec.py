"""What the connector sends, validated against Etsy's OpenAPI file in ../shared/specs/etsy.

That file is the June 2021 snapshot; where Etsy changed since, these tests follow Etsy's current
documentation and say so at the spot (sources in docs/vendors/etsy.md, section 10):

* x-api-key: 2021 says "your application's API key"; current docs require ``keystring:shared_secret``
  (enforced since 9 February 2026) - checked against the current form, not the 2021 text.
* updateListingInventory: current offerings require ``readiness_state_id`` (nullable) and the body
  takes ``readiness_state_on_property`` (processing profiles); the 2021 schema has neither but does
  not forbid extra properties, so the body validates against it as sent.
* getShopReceipts: ``sort_on``, ``sort_order`` and ``was_canceled`` were added since 2021.
* createReceiptShipment: 2021 takes a form body, the current spec JSON; the fields are the same.
* getListingsByShop's ``state``/``includes`` and ``GET /listings/batch/inventory`` are not in the
  2021 file (current spec only): their parameters are not validated here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.etsy.auth import SCOPES
from tests.channels_app.connectors.etsy.conftest import TEE, connector_on, simple, update

SPEC = Path(__file__).resolve().parents[5] / "shared" / "specs" / "etsy" / "openapi-2021-06-01.json"
ADDED_SINCE_2021 = {"sort_on", "sort_order", "was_canceled"}


@pytest.fixture(scope="module")
def spec() -> dict:
    if not SPEC.is_file():
        pytest.skip(f"{SPEC} is absent")
    return json.loads(SPEC.read_text(encoding="utf-8"))


def _nullable(schema):
    """OpenAPI 3.0's ``nullable`` as JSON Schema (``type: [t, "null"]``)."""
    if isinstance(schema, dict):
        fixed = {k: _nullable(v) for k, v in schema.items() if k != "nullable"}
        if schema.get("nullable") and isinstance(schema.get("type"), str):
            fixed["type"] = [schema["type"], "null"]
        return fixed
    if isinstance(schema, list):
        return [_nullable(v) for v in schema]
    return schema


def test_the_inventory_put_validates_against_the_spec(fake_etsy, spec):
    tee = fake_etsy.state.listing_add(title="Tee", inventory=TEE)
    mug = fake_etsy.state.listing_add(title="Mug", inventory=simple("MUG", 3))
    connector_on(fake_etsy).quantities_push(
        updates=[update(tee, "TEE-RED-S", 1, expected=4), update(mug, "MUG", 2, expected=3)]
    )
    operation = spec["paths"]["/v3/application/listings/{listing_id}/inventory"]["put"]
    schema = _nullable(operation["requestBody"]["content"]["application/json"]["schema"])

    puts = [r for r in fake_etsy.requests if r.method == "PUT"]
    assert len(puts) == 2
    for put in puts:
        assert put.headers["content-type"].startswith("application/json")
        jsonschema.validate(put.body, schema)
        # current docs: readiness_state_id is required on every offering (nullable)
        assert all("readiness_state_id" in o for p in put.body["products"] for o in p["offerings"])


def test_receipt_polls_send_only_documented_parameters(fake_etsy, spec):
    connector = connector_on(fake_etsy)
    connector.orders_fetch_changed(since=None, cursor=None)
    connector.orders_fetch_changed(since=datetime(2026, 12, 1, tzinfo=UTC), cursor=None)
    operation = spec["paths"]["/v3/application/shops/{shop_id}/receipts"]["get"]
    documented = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}

    for request in fake_etsy.api_calls():
        for name, values in request.query.items():
            if name in ADDED_SINCE_2021:
                continue
            assert name in documented, name
            value = values[0]
            kind = documented[name].get("type")
            parsed = int(value) if kind == "integer" else {"true": True, "false": False}[value]
            jsonschema.validate(parsed, _nullable(documented[name]))


def test_the_tracking_post_carries_the_documented_fields(fake_etsy, spec):
    fake_etsy.state.listing_add(title="Mug", inventory=simple("MUG", 3))
    receipt = fake_etsy.buy("MUG", 1)
    connector_on(fake_etsy).fulfilment_push(
        fulfilment=FulfilmentDTO(
            order_external_id=str(receipt), lines={}, carrier="usps", tracking_number="94001"
        )
    )
    operation = spec["paths"]["/v3/application/shops/{shop_id}/receipts/{receipt_id}/tracking"]["post"]
    schema = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]

    post = next(r for r in fake_etsy.requests if r.method == "POST")
    assert post.headers["content-type"].startswith("application/json")  # current spec: JSON
    assert set(post.body) <= set(schema["properties"])
    jsonschema.validate(post.body, schema)


def test_scopes_and_token_url_are_the_documented_ones(spec):
    flow = spec["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert set(SCOPES) <= set(flow["scopes"])
    assert flow["authorizationUrl"] == "https://www.etsy.com/oauth/connect"
    assert flow["tokenUrl"].endswith("/v3/public/oauth/token")
