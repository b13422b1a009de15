"""Order intake through webhooks and polls: one order whatever the deliveries, stock moved once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.intake.polling import account_orders_sync
from channels_app.models import InboundEvent, Listing
from channels_app.push.outbox import outbox_sweep
from inventory_app.models import Order, OrderStatus, StockLevel, StockMovement
from inventory_app.services.stock import stock_receive
from tests.channels_app.helpers import webhook_post
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_shops(shops, connect, on_commit):
    """SKU LINEN-1 with 5 on hand, listed on shops A, B, C, all showing 5 after the first push."""
    location = LocationFactory(code="MAIN")
    sku = SKUFactory(code="LINEN-1")
    found = {}
    for name in ("A", "B", "C"):
        shop = shops()
        shop.listing_add(f"{name}-L1", sku="LINEN-1", quantity=0)
        found[name] = shop
    with on_commit(execute=True):
        stock_receive(sku=sku, location=location, quantity=5)
        accounts = {name: connect(shop, f"Shop {name}") for name, shop in found.items()}
    assert [found[n].quantity(f"{n}-L1") for n in "ABC"] == [5, 5, 5]
    return found, accounts, sku, location


@pytest.mark.embedded
def test_sale_via_webhook_on_a_reaches_b_and_c_and_redeliveries_change_nothing(
    client, three_shops, on_commit
):
    shops, accounts, sku, location = three_shops
    order = shops["A"].buy("A-L1", 1)
    paid = shops["A"].order_update(order["id"], paid=True)
    created_body, created_headers = shops["A"].webhook(order, "order.created")
    paid_body, paid_headers = shops["A"].webhook(paid, "order.paid")

    with on_commit(execute=True):
        first = webhook_post(
            client, accounts["A"], paid_body, paid_headers
        )  # "paid" arrives before "created"
    with on_commit(execute=True):
        second = webhook_post(client, accounts["A"], created_body, created_headers)
    pushes_after = {n: len(s.requests_of("POST quantities")) for n, s in shops.items()}
    with on_commit(execute=True):
        again = webhook_post(client, accounts["A"], created_body, created_headers)
        again_paid = webhook_post(client, accounts["A"], paid_body, paid_headers)

    assert [r.status_code for r in (first, second, again, again_paid)] == [200, 200, 200, 200]
    assert [again.json()["duplicate"], again_paid.json()["duplicate"]] == [True, True]
    assert [shops[n].quantity(f"{n}-L1") for n in "ABC"] == [4, 4, 4]
    assert Order.objects.filter(channel=accounts["A"].sales_channel).count() == 1
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (5, 1)
    assert StockMovement.objects.filter(reason="reserve").count() == 1
    assert InboundEvent.objects.filter(account=accounts["A"]).count() == 2
    assert {n: len(s.requests_of("POST quantities")) for n, s in shops.items()} == pushes_after
    assert not Listing.objects.filter(needs_push=True).exists()


def test_bad_signature_is_401_and_stores_and_moves_nothing(client, three_shops, on_commit):
    shops, accounts, *_ = three_shops
    order = shops["A"].buy("A-L1", 1)
    body, headers = shops["A"].webhook(order, "order.created", secret="not-the-secret")
    movements = StockMovement.objects.count()

    with on_commit(execute=True):
        response = webhook_post(client, accounts["A"], body, headers)
        unsigned = webhook_post(client, accounts["A"], body, {})

    assert (response.status_code, unsigned.status_code) == (401, 401)
    assert InboundEvent.objects.count() == 0
    assert Order.objects.count() == 0
    assert StockMovement.objects.count() == movements
    assert [shops[n].quantity(f"{n}-L1") for n in "BC"] == [5, 5]


def test_malformed_body_with_good_signature_is_400_and_recorded_as_failed(client, three_shops):
    shops, accounts, *_ = three_shops
    import hashlib
    import hmac

    body = b"{not json"
    signature = "sha256=" + hmac.new(shops["A"].webhook_secret.encode(), body, hashlib.sha256).hexdigest()

    response = webhook_post(client, accounts["A"], body, {"X-Channel-Signature": signature})

    assert response.status_code == 400
    event = InboundEvent.objects.get()
    assert (event.status, event.error, event.payload) == (
        "failed",
        "The body is not JSON",
        {"body": "{not json"},
    )
    assert Order.objects.count() == 0


@pytest.mark.parametrize("quantity", [1.5, "1.5", "\u0661", True, -1, 10**12])
def test_a_line_quantity_that_is_not_a_whole_number_is_refused_and_recorded(
    client, three_shops, on_commit, quantity
):
    shops, accounts, *_ = three_shops
    order = shops["A"].buy("A-L1", 1)
    order["lines"][0]["quantity"] = quantity
    body, headers = shops["A"].webhook(order, "order.created")
    movements = StockMovement.objects.count()

    with on_commit(execute=True):
        response = webhook_post(client, accounts["A"], body, headers)

    assert response.status_code == 400
    event = InboundEvent.objects.get()
    assert event.status == "failed"
    assert "quantity" in event.error and ("whole number" in event.error or "out of range" in event.error)
    assert Order.objects.count() == 0
    assert StockMovement.objects.count() == movements


def test_cancellation_releases_and_channel_fulfilment_ships(client, three_shops, on_commit):
    shops, accounts, sku, location = three_shops
    kept = shops["A"].buy("A-L1", 2)
    dropped = shops["A"].buy("A-L1", 1)
    with on_commit(execute=True):
        for order in (kept, dropped):
            webhook_post(client, accounts["A"], *shops["A"].webhook(order, "order.created"))
    cancelled = shops["A"].order_cancel(dropped["id"])
    fulfilled = shops["A"].order_fulfil(kept["id"])

    with on_commit(execute=True):
        webhook_post(client, accounts["A"], *shops["A"].webhook(cancelled, "order.cancelled"))
        webhook_post(client, accounts["A"], *shops["A"].webhook(fulfilled, "order.fulfilled"))
        webhook_post(client, accounts["A"], *shops["A"].webhook(fulfilled, "order.fulfilled"))

    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (3, 0)
    statuses = dict(Order.objects.values_list("external_ref", "status"))
    assert statuses == {kept["id"]: OrderStatus.SHIPPED, dropped["id"]: OrderStatus.CANCELLED}
    assert [shops[n].quantity(f"{n}-L1") for n in "ABC"] == [3, 3, 3]
    assert StockMovement.objects.filter(reason="shipment").count() == 1


def test_unknown_sku_line_is_kept_and_flagged(client, three_shops, on_commit):
    shops, accounts, *_ = three_shops
    shops["A"].listing_add("A-L9", sku="NOT-OURS", quantity=3)
    order = shops["A"].buy("A-L9", 2)

    with on_commit(execute=True):
        response = webhook_post(client, accounts["A"], *shops["A"].webhook(order, "order.created"))

    saved = Order.objects.get(external_ref=order["id"])
    line = saved.lines.get()
    assert response.status_code == 200
    assert (line.sku_id, line.external_sku, line.quantity) == (None, "NOT-OURS", 2)
    assert saved.needs_attention is True
    assert "NOT-OURS" in saved.attention_reason


def test_poll_and_webhook_of_the_same_order_create_it_once(client, three_shops, on_commit):
    shops, accounts, sku, location = three_shops
    order = shops["A"].buy("A-L1", 1)

    with on_commit(execute=True):
        polled = account_orders_sync(account_id=accounts["A"].pk)
        webhook_post(client, accounts["A"], *shops["A"].webhook(order, "order.created"))
        polled_again = account_orders_sync(account_id=accounts["A"].pk)

    assert (polled["applied"], polled_again["applied"]) == (1, 0)
    assert Order.objects.filter(external_ref=order["id"]).count() == 1
    assert StockLevel.objects.get(sku=sku, location=location).committed == 1
    assert [shops[n].quantity(f"{n}-L1") for n in "ABC"] == [4, 4, 4]


def test_channel_reducing_a_line_releases_those_units_once(client, three_shops, on_commit):
    shops, accounts, sku, location = three_shops
    order = shops["A"].buy("A-L1", 3)
    with on_commit(execute=True):
        webhook_post(client, accounts["A"], *shops["A"].webhook(order, "order.created"))
    order["lines"][0]["cancelled"] = 2
    shops["A"].listings["A-L1"]["quantity"] += 2  # the shop puts the units back on sale
    reduced = shops["A"].order_update(order["id"], lines=order["lines"])

    with on_commit(execute=True):
        webhook_post(client, accounts["A"], *shops["A"].webhook(reduced, "order.updated"))
        webhook_post(client, accounts["A"], *shops["A"].webhook(reduced, "order.updated"))

    line = Order.objects.get().lines.get()
    assert (line.quantity, line.quantity_cancelled) == (3, 2)
    assert StockLevel.objects.get(sku=sku, location=location).committed == 1
    assert [shops[n].quantity(f"{n}-L1") for n in "ABC"] == [4, 4, 4]


def test_sweeper_processes_an_event_whose_task_was_lost(client, three_shops, on_commit):
    shops, accounts, sku, location = three_shops
    order = shops["A"].buy("A-L1", 1)
    with on_commit(execute=False):  # stored, but the broker never got its task
        response = webhook_post(client, accounts["A"], *shops["A"].webhook(order, "order.created"))
    assert (response.status_code, Order.objects.count()) == (200, 0)
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=5))

    with on_commit(execute=True):
        swept = outbox_sweep()

    assert swept["events"] == 1
    assert StockLevel.objects.get(sku=sku, location=location).committed == 1
    assert InboundEvent.objects.get().status == "processed"


def test_an_order_first_seen_without_prices_gets_them_from_the_next_snapshot_and_keeps_them(three_shops):
    from dataclasses import replace
    from decimal import Decimal

    from channels_app.connectors.dto import OrderDTO, OrderLineDTO
    from channels_app.intake.orders import order_intake_snapshot_apply
    from inventory_app.models import OrderLine

    _shops, accounts, _sku, location = three_shops
    now = timezone.now()
    short = OrderDTO(
        external_id="A-100", status="open", updated_at=now,
        lines=[OrderLineDTO(external_line_id="1", quantity=2, listing_external_id="A-L1")],
    )  # fmt: skip
    full = replace(
        short, updated_at=now + timedelta(seconds=5), total=Decimal("25.00"), currency="EUR",
        customer_name="Ada", lines=[replace(short.lines[0], unit_price=Decimal("12.50"))],
    )  # fmt: skip
    other = replace(full, updated_at=now + timedelta(seconds=9), total=Decimal("1.00"), customer_name="Bob")

    order, _ = order_intake_snapshot_apply(account=accounts["A"], order=short)
    order_intake_snapshot_apply(account=accounts["A"], order=full)
    order_intake_snapshot_apply(account=accounts["A"], order=other)
    row = Order.objects.get(pk=order.pk)

    assert (row.total, row.currency, row.customer_name) == (Decimal("25.00"), "EUR", "Ada")
    assert list(OrderLine.objects.filter(order=row).values_list("unit_price", flat=True)) == [
        Decimal("12.50")
    ]
    assert StockLevel.objects.get(sku__code="LINEN-1", location=location).committed == 2
