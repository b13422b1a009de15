"""Shipments reported to the fake store: completed, a customer note, and a tracking item only
when the Shipment Tracking extension is there; a retry adds nothing twice."""

from __future__ import annotations

from channels_app.connectors.dto import FulfilmentDTO


def _shipment(order: dict) -> FulfilmentDTO:
    line = order["line_items"][0]
    return FulfilmentDTO(
        order_external_id=str(order["id"]),
        lines={str(line["id"]): line["quantity"]},
        carrier="DHL",
        tracking_number="JD0146",
        tracking_url="https://track.example/JD0146",
    )


def test_without_the_extension_the_order_is_completed_with_a_customer_note(fake_woo, woo_connector):
    fake_woo.store.product_add(sku="MUG", quantity=3)
    order = fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 1}])
    connector = woo_connector()
    connector.fulfilment_push(fulfilment=_shipment(order))
    connector.fulfilment_push(fulfilment=_shipment(order))  # a retry after a lost answer

    assert order["status"] == "completed"
    notes = [n["note"] for n in fake_woo.store.notes[order["id"]] if n["customer_note"]]
    assert notes == ["Shipped with DHL - tracking number JD0146 (https://track.example/JD0146)."]
    assert fake_woo.store.trackings == {}
    assert fake_woo.store.available("MUG") == 2  # completing deducts nothing more


def test_with_the_extension_a_tracking_item_is_added_once(fake_woo, woo_connector):
    fake_woo.shipment_tracking = True
    fake_woo.store.product_add(sku="MUG", quantity=3)
    order = fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 1}])
    connector = woo_connector()
    connector.fulfilment_push(fulfilment=_shipment(order))
    connector.fulfilment_push(fulfilment=_shipment(order))

    rows = fake_woo.store.trackings[order["id"]]
    assert [(r["tracking_number"], r["custom_tracking_provider"], r["tracking_link"]) for r in rows] == [
        ("JD0146", "DHL", "https://track.example/JD0146")
    ]
