"""ShippingEasy end to end against the fake: signed API calls, export once, signed callback, poll."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from channels_app.models import ChannelOrderPush
from inventory_app.models import OrderStatus, StockLevel, StockOperation
from inventory_app.services.orders import order_cancel
from shipping_app.models import (
    OrderExport,
    OrderExportState,
    Shipment,
    ShippingWebhookEvent,
)
from shipping_app.providers.base import ProviderError, RetryableProviderError
from shipping_app.services.accounts import shipping_account_credentials_set
from shipping_app.services.exports import order_export
from shipping_app.services.notifications import shipments_poll

pytestmark = pytest.mark.django_db(transaction=True)


def _path(account) -> str:
    return f"/webhooks/shipping/{account.webhook_token}/"


def _deliver(client, account, query: dict, body: bytes):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(f"{_path(account)}?{qs}", data=body, content_type="application/json")


@pytest.mark.embedded
def test_order_exported_once_shipped_callback_twice_ships_stock_once(
    client, shippingeasy, shippingeasy_account, stocked_order
):
    order = stocked_order([("WIDGET", 2)])
    export = order_export(account=shippingeasy_account, order=order)
    order_export(account=shippingeasy_account, order=order)  # unchanged: nothing sent
    remote = shippingeasy.by_key(f"sm-{order.pk}")
    line = order.lines.get()

    query, body = shippingeasy.ship(f"sm-{order.pk}", callback_path=_path(shippingeasy_account))
    first = _deliver(client, shippingeasy_account, query, body)
    second = _deliver(client, shippingeasy_account, query, body)

    assert len(shippingeasy.orders) == 1
    assert export.external_id == str(remote["id"])
    assert remote["recipients"][0]["line_items"][0]["ext_line_item_id"] == str(line.pk)
    assert remote["recipients"][0]["postal_code"] == "78701"
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["duplicate"] is True
    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.service, shipment.tracking_number, shipment.rate_amount) == (
        "FEDEX",
        "FEDEX_GROUND",
        "794675663409",
        Decimal("20.09"),
    )
    assert shipment.tracking_url == "https://www.fedex.com/fedextrack/?trknbr=794675663409"
    assert StockOperation.objects.filter(reason="shipment").count() == 1
    assert StockLevel.objects.get(sku__code="WIDGET").on_hand == 8
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert ChannelOrderPush.objects.get().shipment.quantities == {str(line.pk): 2}


def test_a_create_whose_answer_was_lost_is_found_on_retry_not_duplicated(
    shippingeasy, shippingeasy_account, stocked_order
):
    order = stocked_order()
    shippingeasy.lose_next_create_answer()

    with pytest.raises(RetryableProviderError):
        order_export(account=shippingeasy_account, order=order)
    export = order_export(account=shippingeasy_account, order=order)

    assert len(shippingeasy.orders) == 1
    assert shippingeasy.count("POST /api/stores/store1/orders") == 1
    assert export.state == OrderExportState.EXPORTED
    assert export.external_id == str(shippingeasy.by_key(f"sm-{order.pk}")["id"])


def test_wrong_or_stale_signature_is_401_and_stores_nothing(
    client, shippingeasy, shippingeasy_account, stocked_order
):
    order = stocked_order()
    order_export(account=shippingeasy_account, order=order)
    query, body = shippingeasy.ship(f"sm-{order.pk}", callback_path=_path(shippingeasy_account))
    tampered = body.replace(b"794675663409", b"000000000000")
    old = {"api_timestamp": "1500000000"}
    from config.sandbox.shippingeasy.server import _sign

    old["api_signature"] = _sign("se-secret", "POST", _path(shippingeasy_account), old, body.decode())

    responses = [
        _deliver(client, shippingeasy_account, {**query, "api_signature": "0" * 64}, body),
        _deliver(client, shippingeasy_account, query, tampered),
        _deliver(client, shippingeasy_account, {"api_timestamp": query["api_timestamp"]}, body),
        _deliver(client, shippingeasy_account, old, body),
    ]

    assert [r.status_code for r in responses] == [401, 401, 401, 401]
    assert ShippingWebhookEvent.objects.count() == 0
    assert Shipment.objects.count() == 0
    assert StockOperation.objects.filter(reason="shipment").count() == 0


def test_signed_but_malformed_callback_is_400(client, shippingeasy, shippingeasy_account):
    from config.sandbox.shippingeasy.server import _sign

    body = '{"shipment": '
    query = {"api_signature": _sign("se-secret", "POST", _path(shippingeasy_account), {}, body)}

    response = _deliver(client, shippingeasy_account, query, body.encode())

    assert response.status_code == 400
    assert ShippingWebhookEvent.objects.count() == 0


def test_partial_callback_ships_only_its_lines(client, shippingeasy, shippingeasy_account, stocked_order):
    order = stocked_order([("WIDGET", 3)])
    order_export(account=shippingeasy_account, order=order)
    line = order.lines.get()
    query, body = shippingeasy.ship(
        f"sm-{order.pk}", callback_path=_path(shippingeasy_account), items=[(str(line.pk), 2)]
    )

    assert _deliver(client, shippingeasy_account, query, body).status_code == 200

    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.quantity_shipped, line.quantity_open, order.status) == (2, 1, OrderStatus.PARTIALLY_SHIPPED)


def test_poll_catches_a_missed_callback(shippingeasy, shippingeasy_account, stocked_order):
    order = stocked_order()
    order_export(account=shippingeasy_account, order=order)
    shippingeasy.ship(f"sm-{order.pk}", callback_path=_path(shippingeasy_account))  # never delivered

    counts = shipments_poll(account=shippingeasy_account)
    again = shipments_poll(account=shippingeasy_account.__class__.objects.get(pk=shippingeasy_account.pk))

    assert counts == {"seen": 1, "shipped": 1, "unmatched": 0}
    assert again["shipped"] == 0
    assert StockOperation.objects.filter(reason="shipment").count() == 1
    assert shippingeasy.log[-1].query["status"] == "shipped"
    assert "last_updated_at" in shippingeasy.log[-1].query


def test_cancellation_is_sent(shippingeasy, shippingeasy_account, stocked_order):
    order = stocked_order()
    order_export(account=shippingeasy_account, order=order)
    order_cancel(order=order)

    export = order_export(account=shippingeasy_account, order=order)

    assert export.state == OrderExportState.CANCELLED
    assert shippingeasy.count(f"POST /api/stores/store1/orders/sm-{order.pk}/cancellations") == 1
    assert shippingeasy.by_key(f"sm-{order.pk}")["order_status"] == "cleared"


def test_a_wrong_secret_is_refused_by_shippingeasy_and_recorded(
    shippingeasy, shippingeasy_account, stocked_order
):
    shipping_account_credentials_set(account=shippingeasy_account, credentials={"api_secret": "nope"})
    shippingeasy_account.refresh_from_db()

    with pytest.raises(ProviderError, match="401"):
        order_export(account=shippingeasy_account, order=stocked_order())

    assert shippingeasy.orders == {}
    assert OrderExport.objects.get().state == OrderExportState.FAILED


def test_the_request_sent_is_signed_over_method_path_sorted_params_and_body(
    shippingeasy, shippingeasy_account, stocked_order
):
    order_export(account=shippingeasy_account, order=stocked_order())

    create = next(r for r in shippingeasy.log if r.method == "POST")
    assert set(create.query) == {"api_key", "api_timestamp", "api_signature"}
    assert json.loads(create.body)["order"]["external_order_identifier"].startswith("sm-")


def test_poll_retries_a_429_with_retry_after(shippingeasy, shippingeasy_account, stocked_order):
    order = stocked_order()
    order_export(account=shippingeasy_account, order=order)
    shippingeasy.ship(f"sm-{order.pk}", callback_path=_path(shippingeasy_account))
    shippingeasy.fault(
        "GET /api/orders", 429, data={"errors": [{"message": "slow down"}]}, headers={"Retry-After": "1"}
    )

    counts = shipments_poll(account=shippingeasy_account)

    assert counts["shipped"] == 1
    assert shippingeasy.count("GET /api/orders") == 4 + 2  # four export look-ups, then the 429 and its retry


def test_a_lost_create_is_found_even_after_the_order_moved_on_so_no_duplicate_is_made(
    shippingeasy, shippingeasy_account, stocked_order
):
    order = stocked_order()
    shippingeasy.lose_next_create_answer()
    with pytest.raises(RetryableProviderError):
        order_export(account=shippingeasy_account, order=order)
    remote = shippingeasy.by_key(f"sm-{order.pk}")
    remote["order_status"] = "cleared"  # the user archived it in ShippingEasy meanwhile

    export = order_export(account=shippingeasy_account, order=order)

    assert len(shippingeasy.orders) == 1
    assert export.external_id == str(remote["id"])
    searched = [r.query["status"] for r in shippingeasy.log if r.method == "GET"]
    assert searched == ["ready_for_shipment", "pending_shipment", "shipped", "cleared"] * 2


def test_the_poll_sends_last_updated_at_in_iso_8601(shippingeasy, shippingeasy_account, stocked_order):
    order = stocked_order()
    order_export(account=shippingeasy_account, order=order)
    shippingeasy.ship(f"sm-{order.pk}", callback_path=_path(shippingeasy_account))  # never delivered
    shipments_poll(account=shippingeasy_account)  # the first poll has no watermark yet

    counts = shipments_poll(account=shippingeasy_account.__class__.objects.get(pk=shippingeasy_account.pk))

    sent = shippingeasy.log[-1].query["last_updated_at"]
    assert counts["seen"] == 1
    assert datetime.fromisoformat(sent).tzinfo is not None
    assert sent.endswith("Z") and "T" in sent
