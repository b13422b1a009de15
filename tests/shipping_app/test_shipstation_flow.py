"""ShipStation end to end against the fake V1 server: export, SHIP_NOTIFY, poll, stock, fulfilment."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db.models import Sum

from channels_app.models import ChannelOrderPush
from inventory_app.models import OrderStatus, StockLevel, StockOperation
from shipping_app.models import (
    OrderExport,
    OrderExportState,
    Shipment,
    ShippingWebhookEvent,
)
from shipping_app.providers.base import ProviderError
from shipping_app.selectors.shipments import order_shipping_costs
from shipping_app.services.accounts import shipping_account_create, shipping_account_credentials_set
from shipping_app.services.exports import order_export
from shipping_app.services.notifications import shipments_poll

pytestmark = pytest.mark.django_db(transaction=True)


def _post(client, account, body, *, query: str = ""):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"/webhooks/shipping/{account.webhook_token}/{query}", data=raw, content_type="application/json"
    )


def _on_hand(order) -> int:
    line = order.lines.get()
    return StockLevel.objects.filter(sku_id=line.sku_id).aggregate(s=Sum("on_hand"))["s"]


@pytest.mark.embedded
def test_export_creates_once_then_updates_under_the_same_order_key(
    shipstation, shipstation_account, stocked_order
):
    order = stocked_order()

    first = order_export(account=shipstation_account, order=order)
    order.customer_name = "Ada Renamed"
    order.shipping_address = {**order.shipping_address, "name": "Ada Renamed"}
    order.save()
    second = order_export(account=shipstation_account, order=order)
    third = order_export(account=shipstation_account, order=order)

    assert len(shipstation.orders) == 1
    remote = shipstation.order_by_key(f"sm-{order.pk}")
    assert remote["shipTo"]["name"] == "Ada Renamed"
    assert remote["orderStatus"] == "awaiting_shipment"
    assert remote["items"][0]["lineItemKey"] == str(order.lines.get().pk)
    assert remote["items"][0]["weight"] == {"value": 250.0, "units": "grams"}
    assert first.external_id == second.external_id == third.external_id == str(remote["orderId"])
    assert shipstation.count("POST /orders/createorder") == 2  # the unchanged third export sent nothing
    assert OrderExport.objects.get().state == OrderExportState.EXPORTED


def test_export_retried_after_500_makes_no_duplicate(shipstation, shipstation_account, stocked_order):
    order = stocked_order()
    shipstation.fault("POST /orders/createorder", 500, data={"Message": "An error has occurred."})

    order_export(account=shipstation_account, order=order)

    assert shipstation.count("POST /orders/createorder") == 2
    assert len(shipstation.orders) == 1


def test_cancelled_order_is_cancelled_at_shipstation(shipstation, shipstation_account, stocked_order):
    from inventory_app.services.orders import order_cancel

    order = stocked_order()
    order_export(account=shipstation_account, order=order)
    order_cancel(order=order, reason="buyer changed mind")

    export = order_export(account=shipstation_account, order=order)

    assert export.state == OrderExportState.CANCELLED
    assert len(shipstation.orders) == 1
    assert shipstation.order_by_key(f"sm-{order.pk}")["orderStatus"] == "cancelled"


def test_bad_credentials_store_the_error_and_create_nothing(shipstation, shipstation_account, stocked_order):
    order = stocked_order()
    shipping_account_credentials_set(account=shipstation_account, credentials={"api_secret": "wrong"})
    shipstation_account.refresh_from_db()

    with pytest.raises(ProviderError, match="401"):
        order_export(account=shipstation_account, order=order)

    export = OrderExport.objects.get()
    assert export.state == OrderExportState.FAILED
    assert "401" in export.last_error and "wrong" not in export.last_error
    assert shipstation.orders == {}


@pytest.mark.embedded
def test_ship_notify_delivered_twice_makes_one_shipment_and_ships_stock_once(
    client, shipstation, shipstation_account, stocked_order
):
    order = stocked_order([("WIDGET", 3)])
    order_export(account=shipstation_account, order=order)
    body = shipstation.ship(f"sm-{order.pk}", tracking="9400111899223100000001", cost=7.25)

    first = _post(client, shipstation_account, body)
    second = _post(client, shipstation_account, body)

    assert first.status_code == 200 and second.status_code == 200
    assert second.json()["duplicate"] is True
    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.service, shipment.tracking_number) == (
        "usps",
        "usps_priority_mail",
        "9400111899223100000001",
    )
    assert (
        shipment.tracking_url == "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223100000001"
    )
    assert shipment.rate_amount == Decimal("7.25")
    assert StockOperation.objects.filter(reason="shipment").count() == 1
    assert _on_hand(order) == 7
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert ShippingWebhookEvent.objects.count() == 1
    assert shipstation.count("GET /shipments") == 1
    push = ChannelOrderPush.objects.get()
    line = order.lines.get()
    assert (push.order, push.shipment.quantities, push.shipment.carrier, push.shipment.tracking_number) == (
        order,
        {str(line.pk): 3},
        "usps",
        "9400111899223100000001",
    )
    # No channel account for this channel yet: it waits, queued, for one.
    assert (push.kind, push.status) == ("fulfilment", "queued")
    assert order_shipping_costs(order_ids=[order.pk]) == {order.pk: Decimal("7.25")}


def test_partial_shipment_leaves_the_rest_open(client, shipstation, shipstation_account, stocked_order):
    order = stocked_order([("WIDGET", 3)])
    order_export(account=shipstation_account, order=order)
    line = order.lines.get()
    body = shipstation.ship(f"sm-{order.pk}", items=[(str(line.pk), 1)])

    assert _post(client, shipstation_account, body).status_code == 200

    order.refresh_from_db()
    line.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert (line.quantity_shipped, line.quantity_open) == (1, 2)
    level = StockLevel.objects.get(sku_id=line.sku_id)
    assert (level.on_hand, level.committed) == (9, 2)
    assert ChannelOrderPush.objects.get().shipment.quantities == {str(line.pk): 1}
    # The re-export after the partial shipment sends only what is still open.
    order_export(account=shipstation_account, order=order)
    assert shipstation.order_by_key(f"sm-{order.pk}")["items"][0]["quantity"] == 2


def test_wrong_webhook_secret_is_401_and_stores_nothing(client, shipstation, stocked_order, db):
    account = shipping_account_create(
        provider="shipstation",
        name="SS",
        base_url=shipstation.base_url,
        credentials={"api_key": "ss-key", "api_secret": "ss-secret", "webhook_secret": "s3cret"},
    )
    body = {"resource_url": f"{shipstation.base_url}/shipments?batchId=1", "resource_type": "SHIP_NOTIFY"}

    wrong = _post(client, account, body, query="?secret=nope")
    missing = _post(client, account, body)
    right = _post(client, account, body, query="?secret=s3cret")

    assert (wrong.status_code, missing.status_code, right.status_code) == (401, 401, 200)
    assert ShippingWebhookEvent.objects.count() == 1


def test_malformed_or_foreign_webhook_is_400_and_stores_nothing(client, shipstation, shipstation_account):
    bad_json = _post(client, shipstation_account, b"{not json")
    foreign = _post(
        client,
        shipstation_account,
        {"resource_url": "https://evil.example/shipments?batchId=1", "resource_type": "SHIP_NOTIFY"},
    )
    unknown = client.post("/webhooks/shipping/nope/", data=b"{}", content_type="application/json")

    assert (bad_json.status_code, foreign.status_code, unknown.status_code) == (400, 400, 404)
    assert ShippingWebhookEvent.objects.count() == 0
    assert shipstation.count("GET /shipments") == 0


def test_poll_catches_a_missed_notification_and_a_second_poll_changes_nothing(
    shipstation, shipstation_account, stocked_order
):
    order = stocked_order([("WIDGET", 2)])
    order_export(account=shipstation_account, order=order)
    shipstation.ship(f"sm-{order.pk}")  # the SHIP_NOTIFY never arrives

    first = shipments_poll(account=shipstation_account)
    shipstation_account.refresh_from_db()
    second = shipments_poll(account=shipstation_account)

    assert first == {"seen": 1, "shipped": 1, "unmatched": 0}
    assert second == {"seen": 1, "shipped": 0, "unmatched": 0}
    assert Shipment.objects.count() == 1
    assert StockOperation.objects.filter(reason="shipment").count() == 1
    assert shipstation_account.shipments_synced_at is not None
    assert "createDateStart" in shipstation.log[-1].query
    assert shipstation.log[-1].query["includeShipmentItems"] == "true"


def test_poll_retries_a_429_after_the_reset_the_headers_announce(
    shipstation, shipstation_account, stocked_order
):
    order = stocked_order()
    order_export(account=shipstation_account, order=order)
    shipstation.ship(f"sm-{order.pk}")
    shipstation.fault(
        "GET /shipments",
        429,
        data={"message": "Too Many Requests"},
        headers={"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "1"},
    )

    counts = shipments_poll(account=shipstation_account)

    assert counts["shipped"] == 1
    assert shipstation.count("GET /shipments") == 2


def test_webhook_after_the_poll_is_a_no_op(client, shipstation, shipstation_account, stocked_order):
    order = stocked_order()
    order_export(account=shipstation_account, order=order)
    body = shipstation.ship(f"sm-{order.pk}")
    shipments_poll(account=shipstation_account)

    assert _post(client, shipstation_account, body).status_code == 200

    assert Shipment.objects.count() == 1
    assert StockOperation.objects.filter(reason="shipment").count() == 1
    assert ChannelOrderPush.objects.count() == 1


def test_shipment_of_an_order_never_exported_is_kept_as_a_visible_failure(
    client, shipstation, shipstation_account, stocked_order
):
    order = stocked_order()
    shipstation.orders[1] = {
        "orderId": 1,
        "orderKey": "someone-else",
        "orderNumber": "X",
        "items": [{"lineItemKey": "a", "sku": "WIDGET", "quantity": 1}],
        "orderStatus": "awaiting_shipment",
    }
    body = shipstation.ship("someone-else")

    assert _post(client, shipstation_account, body).status_code == 200

    event = ShippingWebhookEvent.objects.get()
    assert event.status == "ignored"
    assert "no order exported under key 'someone-else'" in event.error
    assert Shipment.objects.count() == 0
    assert _on_hand(order) == 10
