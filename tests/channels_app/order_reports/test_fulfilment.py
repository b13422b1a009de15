"""Our shipments are reported to the order's channel with tracking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels_app.order_reports.fulfilment import FulfilmentError, order_fulfilment_push
from inventory_app.models import Order, SalesChannel
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.mark.embedded
def test_shipment_is_reported_with_tracking_and_manual_orders_are_skipped(client, shops, connect, on_commit):
    stock_receive(sku=SKUFactory(code="S1"), location=LocationFactory(code="A"), quantity=5)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=5)
    account = connect(shop, "Shop")
    sold = shop.buy("L1", 2)
    url = reverse("channels_webhooks:receive", args=[account.webhook_token])
    body, headers = shop.webhook(sold, "order.created")
    with on_commit(execute=True):
        client.post(url, data=body, content_type="application/json", headers=headers)
    order = Order.objects.get(channel=account.sales_channel)
    line = order.lines.get()
    manual, _ = order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="M1", lines=[OrderLineInput("S1", 1)]),
    )

    sent = order_fulfilment_push(
        order_id=order.pk,
        quantities={line.pk: 2},
        carrier="UPS",
        tracking_number="1Z999",
        tracking_url="https://t/1Z999",
    )
    skipped = order_fulfilment_push(order_id=manual.pk, quantities={manual.lines.get().pk: 1})

    assert shop.fulfilments == [
        {
            "order_id": sold["id"],
            "lines": {line.external_line_id: 2},
            "carrier": "UPS",
            "tracking_number": "1Z999",
            "tracking_url": "https://t/1Z999",
        }
    ]
    assert (sent.outcome, sent.sent, sent.fulfilment.order_external_id) == ("sent", True, sold["id"])
    assert (skipped.outcome, skipped.sent, skipped.fulfilment) == ("no_account", False, None)
    with pytest.raises(FulfilmentError):
        order_fulfilment_push(order_id=order.pk, quantities={999999: 1})


def _sold_order(client, shops, connect, on_commit, **account_options):
    stock_receive(sku=SKUFactory(code="S1"), location=LocationFactory(code="A"), quantity=5)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=5)
    account = connect(shop, "Shop", **account_options)
    sold = shop.buy("L1", 2)
    body, headers = shop.webhook(sold, "order.created")
    with on_commit(execute=True):
        client.post(
            reverse("channels_webhooks:receive", args=[account.webhook_token]),
            data=body,
            content_type="application/json",
            headers=headers,
        )
    return shop, sold, Order.objects.get(channel=account.sales_channel)


def test_a_dry_run_account_is_told_apart_from_no_account_and_sends_nothing(client, shops, connect, on_commit):
    shop, sold, order = _sold_order(client, shops, connect, on_commit, dry_run=True)

    result = order_fulfilment_push(order_id=order.pk, quantities={order.lines.get().pk: 2}, carrier="UPS")

    assert (result.outcome, result.sent) == ("dry_run", False)
    assert (result.fulfilment.order_external_id, result.fulfilment.carrier) == (sold["id"], "UPS")
    assert shop.fulfilments == []


def test_the_idempotency_key_reaches_the_channel_and_a_retry_is_applied_once(
    client, shops, connect, on_commit
):
    shop, sold, order = _sold_order(client, shops, connect, on_commit)
    line = order.lines.get()

    first = order_fulfilment_push(order_id=order.pk, quantities={line.pk: 2}, idempotency_key="req-41")
    retried = order_fulfilment_push(order_id=order.pk, quantities={line.pk: 2}, idempotency_key="req-41")

    assert (first.fulfilment.idempotency_key, retried.outcome) == ("req-41", "sent")
    assert shop.fulfilments == [
        {
            "order_id": sold["id"],
            "lines": {line.external_line_id: 2},
            "carrier": "",
            "tracking_number": "",
            "tracking_url": "",
            "key": "req-41",
        }
    ]
