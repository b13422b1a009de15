"""Every request the connector sends in a full round (listings, orders, MSI reads, sync and bulk
pushes, shipment, bulk status) is valid against Magento's published admin schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from channels_app.connectors.dto import FulfilmentDTO
from tests.channels_app.connectors.magento.conftest import update
from tests.channels_app.connectors.magento.specs import needs_magento_spec, request_errors


@needs_magento_spec
def test_requests_match_magentos_schema(fake_magento, magento_connector):
    store = fake_magento.store
    store.product_add("A")
    store.product_add("B")
    store.stock_add(1, "Default Stock", sources=["default", "east"])
    store.source_item_set("A", "default", 5)
    order = store.buy("A", 1)
    connector = magento_connector()
    connector.listings_fetch(cursor=None)
    connector.orders_fetch_changed(since=datetime.now(UTC) - timedelta(minutes=5), cursor=None)
    connector.orders_fetch_changed(since=None, cursor=None)
    connector.quantities_push(updates=[update("A", 3), update("B", 0)])
    connector.quantities_fetch(listings=[update("A", 0).listing])
    bulk = magento_connector(bulk=True)
    token = bulk.quantities_push(updates=[update("B", 2)])[0].submission_id
    bulk.quantities_push(updates=[update("B", 2, submission=token)])
    line = str(order["items"][0]["item_id"])
    connector.fulfilment_push(
        fulfilment=FulfilmentDTO(
            order_external_id=str(order["entity_id"]), lines={line: 1}, carrier="Acme", tracking_number="T1"
        )
    )
    sent = {(r["method"], r["resource"].split("/")[0]) for r in fake_magento.requests}
    wanted = {("GET", "products"), ("GET", "orders"), ("POST", "inventory"), ("GET", "inventory")}
    assert wanted | {("POST", "order"), ("GET", "bulk")} <= sent
    errors = [
        error
        for r in fake_magento.requests
        for error in request_errors(
            method=r["method"],
            resource=r["resource"],
            query=r["query"],
            body=r["body"],
            bulk=r["prefix"] == "async/bulk/",
        )
    ]
    assert errors == []


@needs_magento_spec
def test_the_check_catches_a_wrong_body():
    assert request_errors(
        method="POST",
        resource="inventory/source-items",
        query=[],
        body={"sourceItems": [{"sku": "A", "quantity": "x"}]},
    ) == ["/V1/inventory/source-items: ['sourceItems', 0, 'quantity']: 'x' is not of type 'number'"]
    assert request_errors(
        method="GET", resource="orders", query=[("searchCriteria[foo]", "1")], body=None
    ) == ["/V1/orders: query parameter 'searchCriteria[foo]' not declared"]
