"""confirmShipment on the fake: carrier, tracking number and order item ids of the shipped lines."""

from __future__ import annotations

import pytest

from channels_app.connectors.amazon.client import AmazonApiError
from channels_app.connectors.dto import FulfilmentDTO
from channels_app.intake.polling import account_orders_sync
from channels_app.order_reports.fulfilment import order_fulfilment_push
from channels_app.services.accounts import account_connector
from inventory_app.models import Order, OrderStatus, StockLevel
from inventory_app.services.orders import order_ship
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def test_confirm_shipment_reaches_amazon_with_carrier_tracking_and_items(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    amazon.seed_listing("PILLOW", 5)
    placed = amazon.place_order(lines=[("LINEN-1", 2), ("PILLOW", 1)])
    amazon.advance(300)  # paid: Unshipped
    connector = account_connector(account=connect(amazon))
    linen, pillow = placed.items

    connector.fulfilment_push(
        fulfilment=FulfilmentDTO(
            order_external_id=placed.amazon_order_id,
            lines={linen.order_item_id: 2},
            carrier="UPS",
            tracking_number="1Z999AA10123456784",
        )
    )
    order = amazon.order(placed.amazon_order_id)

    assert order.status == "PartiallyShipped"
    assert (linen.quantity_shipped, pillow.quantity_shipped) == (2, 0)
    package = order.shipments[0]
    assert (package["carrierCode"], package["trackingNumber"]) == ("UPS", "1Z999AA10123456784")
    assert package["orderItems"] == [{"orderItemId": linen.order_item_id, "quantity": 2}]
    assert package["packageReferenceId"].isdigit() and int(package["packageReferenceId"]) > 0
    assert "carrierName" not in package


def test_an_unknown_carrier_is_sent_as_other_with_its_name_and_a_retry_changes_nothing(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    placed = amazon.place_order("LINEN-1", 1)
    amazon.advance(300)
    connector = account_connector(account=connect(amazon))
    fulfilment = FulfilmentDTO(
        order_external_id=placed.amazon_order_id,
        lines={placed.items[0].order_item_id: 1},
        carrier="Hermes Parcel",
        tracking_number="H1234",
    )

    connector.fulfilment_push(fulfilment=fulfilment)
    connector.fulfilment_push(fulfilment=fulfilment)  # the answer was lost: the worker retries
    order = amazon.order(placed.amazon_order_id)

    assert order.status == "Shipped"
    assert len(order.shipments) == 1
    assert (order.shipments[0]["carrierCode"], order.shipments[0]["carrierName"]) == (
        "Other",
        "Hermes Parcel",
    )
    assert amazon.stats.statuses[("confirmShipment", 400)] == 1


def test_an_unpaid_order_cannot_be_confirmed_and_the_error_is_permanent(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    placed = amazon.place_order("LINEN-1", 1)  # still Pending
    connector = account_connector(account=connect(amazon))

    with pytest.raises(AmazonApiError) as caught:
        connector.fulfilment_push(
            fulfilment=FulfilmentDTO(
                order_external_id=placed.amazon_order_id,
                lines={placed.items[0].order_item_id: 1},
                carrier="UPS",
                tracking_number="1Z1",
            )
        )

    assert caught.value.status == 400
    assert amazon.order(placed.amazon_order_id).shipments == []


def test_our_shipment_reported_through_the_engine_is_not_shipped_again_by_the_next_poll(
    amazon, connect, link
):
    location, sku = LocationFactory(code="MAIN"), SKUFactory(code="LINEN-1")
    stock_receive(sku=sku, location=location, quantity=5)
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)
    link(account, sku, pushed=5)
    placed = amazon.place_order("LINEN-1", 2)
    amazon.advance(300)
    account_orders_sync(account_id=account.pk)
    order = Order.objects.get()
    line = order.lines.get()
    order_ship(order=order, quantities={line.pk: 2}, reference="parcel 1")

    sent = order_fulfilment_push(
        order_id=order.pk, quantities={line.pk: 2}, carrier="UPS", tracking_number="1Z999AA1"
    )
    account_orders_sync(account_id=account.pk)  # Amazon now says Shipped
    order.refresh_from_db()
    line.refresh_from_db()

    assert sent.outcome == "sent"
    assert dict(sent.fulfilment.lines) == {placed.items[0].order_item_id: 2}
    assert amazon.order(placed.amazon_order_id).status == "Shipped"
    assert (order.status, line.quantity_shipped) == (OrderStatus.SHIPPED, 2)
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (3, 0)


def test_with_several_marketplaces_the_confirmation_names_the_orders_own(fake_factory, connect):
    amazon = fake_factory(marketplace_ids=("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"))
    amazon.seed_listing("LINEN-1", 5)
    placed = amazon.place_order("LINEN-1", 1, marketplace_id="A2EUQ1WTGCTBG2")
    amazon.advance(300)
    connector = account_connector(account=connect(amazon))

    connector.fulfilment_push(
        fulfilment=FulfilmentDTO(
            order_external_id=placed.amazon_order_id,
            lines={placed.items[0].order_item_id: 1},
            carrier="Canada Post",
            tracking_number="CP1",
        )
    )

    confirmation = next(r for r in amazon.requests if r["operation"] == "confirmShipment")
    assert confirmation["body"]["marketplaceId"] == "A2EUQ1WTGCTBG2"
    assert confirmation["body"]["packageDetail"]["carrierCode"] == "Canada Post"
    assert amazon.stats.requests["getOrder"] == 1
    assert amazon.order(placed.amazon_order_id).status == "Shipped"
