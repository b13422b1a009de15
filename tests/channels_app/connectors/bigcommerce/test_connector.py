"""The BigCommerce connector against the fake store: listings, quantities, orders, fulfilment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels_app.connectors.dto import FulfilmentDTO, ListingRef, QuantityUpdate
from channels_app.connectors.errors import ConnectorError

pytestmark = pytest.mark.django_db


def _refs(connector) -> dict[str, ListingRef]:
    page = connector.listings_fetch(cursor=None)
    return {
        listing.sku_code: ListingRef(
            external_id=listing.external_id,
            external_product_id=listing.external_product_id,
            external_variant_id=listing.external_variant_id,
            external_sku=listing.sku_code,
            extra=dict(listing.extra),
        )
        for listing in page.listings
    }


def test_listings_are_variants_with_their_tracking(bc_connector, fake_bc):
    page = bc_connector().listings_fetch(cursor=None)

    rows = [
        (item.sku_code, item.quantity, item.push_enabled, item.extra["inventory_tracking"])
        for item in page.listings
    ]
    assert rows == [
        ("MUG", 5, True, "product"),
        ("TEE-S", 4, True, "variant"),
        ("TEE-M", 4, True, "variant"),
        ("GIFT", None, False, "none"),
    ]
    assert page.next_cursor is None


def test_push_sets_absolute_quantities_by_the_tracked_identity(bc_connector, fake_bc):
    connector = bc_connector()
    refs = _refs(connector)
    updates = [
        QuantityUpdate(listing=refs[sku], quantity=q, expected=None, idempotency_key=sku)
        for sku, q in (("MUG", 2), ("TEE-M", 0), ("GIFT", 3))
    ]

    results = {r.external_id: (r.outcome, r.error) for r in connector.quantities_push(updates=updates)}

    assert results[refs["MUG"].external_id] == ("ok", "")
    assert results[refs["TEE-M"].external_id] == ("ok", "")
    assert results[refs["GIFT"].external_id][0] == "error"
    assert fake_bc.state.quantities() == {"MUG": 2, "TEE-S": 4, "TEE-M": 0, "GIFT": None}
    (adjustment,) = fake_bc.state.adjustments
    assert adjustment["reason"] == "Stockmaster sync"
    assert adjustment["items"] == [
        {"location_id": 1, "product_id": int(refs["MUG"].external_product_id), "quantity": 2},
        {"location_id": 1, "variant_id": int(refs["TEE-M"].external_variant_id), "quantity": 0},
    ]
    assert connector.quantities_fetch(listings=list(refs.values())) == {
        refs["MUG"].external_id: 2,
        refs["TEE-S"].external_id: 4,
        refs["TEE-M"].external_id: 0,
    }


def test_an_item_refused_for_its_identity_fails_alone(bc_connector, fake_bc):
    connector = bc_connector()
    refs = _refs(connector)
    wrong = ListingRef(
        external_id=refs["MUG"].external_id,
        external_product_id=refs["MUG"].external_product_id,
        external_variant_id=refs["MUG"].external_variant_id,
        extra={"inventory_tracking": "variant"},  # stale: BigCommerce tracks it by product
    )
    updates = [
        QuantityUpdate(listing=wrong, quantity=1, expected=None, idempotency_key="a"),
        QuantityUpdate(listing=refs["TEE-S"], quantity=2, expected=None, idempotency_key="b"),
    ]

    results = {r.external_id: r.outcome for r in connector.quantities_push(updates=updates)}

    assert results == {refs["MUG"].external_id: "error", refs["TEE-S"].external_id: "ok"}
    assert fake_bc.state.quantities() == {"MUG": 5, "TEE-S": 2, "TEE-M": 4, "GIFT": None}
    assert len(fake_bc.state.adjustments) == 1


def test_more_than_2000_items_are_refused_before_sending(bc_connector, fake_bc):
    connector = bc_connector()
    ref = _refs(connector)["TEE-S"]
    updates = [
        QuantityUpdate(listing=ref, quantity=1, expected=None, idempotency_key=str(i)) for i in range(2001)
    ]

    with pytest.raises(ConnectorError, match="At most 2000"):
        connector.quantities_push(updates=updates)
    assert fake_bc.calls("PUT") == []


def test_the_fake_refuses_2001_items_with_413(fake_bc):
    import requests

    variant = fake_bc.state.variant_by_sku("TEE-S")
    items = [{"location_id": 1, "variant_id": variant.id, "quantity": 1}] * 2001
    answer = requests.put(
        f"{fake_bc.url}stores/abc123/v3/inventory/adjustments/absolute",
        json={"reason": "x", "items": items},
        headers={"X-Auth-Token": fake_bc.access_token, "Accept": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 413
    assert answer.json()["status"] == 413
    assert fake_bc.state.quantities()["TEE-S"] == 4


def test_poll_takes_orders_changed_since_with_their_products(bc_connector, fake_bc):
    connector = bc_connector(orders_page_size=1)
    first = fake_bc.buy("TEE-S", 2)
    second = fake_bc.buy("MUG", 1)
    fake_bc.cancel(second)

    since = datetime.now(UTC) - timedelta(minutes=1)
    page1 = connector.orders_fetch_changed(since=since, cursor=None)
    page2 = connector.orders_fetch_changed(since=since, cursor=page1.next_cursor)
    page3 = connector.orders_fetch_changed(since=since, cursor=page2.next_cursor)

    orders = [*page1.orders, *page2.orders, *page3.orders]
    assert [(o.external_id, o.status) for o in orders] == [(str(first), "open"), (str(second), "cancelled")]
    line = orders[0].lines[0]
    variant = fake_bc.state.variant_by_sku("TEE-S")
    assert (line.sku_code, line.quantity, line.listing_external_id) == ("TEE-S", 2, str(variant.id))
    assert page3.next_cursor is None
    query = fake_bc.calls("GET", "v2/orders")[0][3]
    assert query["sort"] == "date_modified:asc"
    assert query["min_date_modified"] == since.isoformat(timespec="seconds")
    assert (query["page"], query["limit"]) == ("1", "1")


def test_fulfilment_creates_a_shipment_with_address_items_and_tracking(bc_connector, fake_bc):
    connector = bc_connector()
    order_id = fake_bc.buy("TEE-S", 2)
    line_id = str(fake_bc.state.orders[order_id].products[0]["id"])
    fulfilment = FulfilmentDTO(
        order_external_id=str(order_id), lines={line_id: 2}, carrier="UPS", tracking_number="1Z999"
    )

    connector.fulfilment_push(fulfilment=fulfilment)
    connector.fulfilment_push(fulfilment=fulfilment)  # a retry after a lost answer: recognised

    order = fake_bc.state.orders[order_id]
    (shipment,) = order.shipments
    assert shipment["order_address_id"] == order.address_id
    assert shipment["items"] == [{"order_product_id": int(line_id), "quantity": 2}]
    assert (shipment["tracking_number"], shipment["shipping_provider"]) == ("1Z999", "ups")
    assert order.status_id == 2
    since = datetime.now(UTC) - timedelta(minutes=1)
    snapshot = connector.orders_fetch_changed(since=since, cursor=None).orders[0]
    assert (snapshot.status, snapshot.lines[0].quantity_fulfilled) == ("fulfilled", 2)
    assert connector.orders_fetch_changed(since=None, cursor=None).orders == []  # first sync: open only


def test_wrong_token_is_a_permanent_error(bc_connector, fake_bc):
    connector = bc_connector(credentials={**fake_bc.credentials(), "access_token": "wrong"})
    with pytest.raises(ConnectorError) as caught:
        connector.listings_fetch(cursor=None)
    assert caught.value.status == 401


def test_location_map_publishes_at_the_mapped_location(bc_connector, fake_bc):
    second = fake_bc.state.add_location("WH-2", "Warehouse 2")
    connector = bc_connector(location_map={"MAIN": second})
    ref = _refs(connector)["TEE-S"]

    connector.quantities_push(
        updates=[QuantityUpdate(listing=ref, quantity=7, expected=None, idempotency_key="k")]
    )

    assert fake_bc.state.available("TEE-S", second) == 7
    assert fake_bc.state.available("TEE-S") == 4
    with pytest.raises(ConnectorError, match="several BigCommerce locations"):
        bc_connector(location_map={"A": 1, "B": second}).location_id()
