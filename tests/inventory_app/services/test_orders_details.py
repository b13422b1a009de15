"""Details an order was created without are filled in later; nothing already set changes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory_app.models import Order, OrderLine, StockMovement
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.orders.details import OrderDetails, order_details_fill, order_details_missing
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

OLD = datetime(2020, 1, 1, tzinfo=UTC)


def _short_order() -> Order:
    """An order known only by SKUs and quantities (as from a notification): no money, no buyer."""
    for code in ("A", "B"):
        stock_receive(sku=SKUFactory(code=code), location=LocationFactory(code=f"L{code}"), quantity=5)
    order, _ = order_create(
        channel=SalesChannelFactory(),
        data=OrderInput(
            external_ref="111-1",
            lines=[
                OrderLineInput(sku_code="A", quantity=2, external_line_id="i1"),
                OrderLineInput(sku_code="B", quantity=1, external_line_id="i2", unit_price=Decimal("4.00")),
            ],
        ),
    )
    return order


def test_a_fuller_account_fills_the_total_buyer_and_zero_prices_without_moving_stock():
    order = _short_order()
    movements = StockMovement.objects.count()
    details = OrderDetails(
        currency="EUR", total=Decimal("31.50"), customer_name="Ada Lovelace",
        customer_email="ada@example.com", shipping_address={"city": "London"},
        line_prices={"i1": Decimal("12.00"), "i2": Decimal("7.50")},
    )  # fmt: skip

    missing = order_details_missing(order=order, details=details)
    filled = order_details_fill(order=order, details=details)
    row = Order.objects.get(pk=order.pk)

    assert missing is True
    assert filled == ["currency", "customer_email", "customer_name", "shipping_address", "total", "lines"]
    assert (row.currency, row.total, row.customer_name, row.customer_email, row.shipping_address) == (
        "EUR",
        Decimal("31.50"),
        "Ada Lovelace",
        "ada@example.com",
        {"city": "London"},
    )
    prices = dict(OrderLine.objects.filter(order=order).values_list("external_line_id", "unit_price"))
    assert prices == {"i1": Decimal("12.00"), "i2": Decimal("4.00")}  # i2 had its price: kept
    assert StockMovement.objects.count() == movements


def test_what_is_already_set_is_never_overwritten():
    order = _short_order()
    order_details_fill(order=order, details=OrderDetails(total=Decimal("20.00"), customer_name="Ada"))
    later = OrderDetails(currency="GBP", total=Decimal("99.00"), customer_name="Someone Else")

    assert order_details_missing(order=Order.objects.get(pk=order.pk), details=later) is False
    assert order_details_fill(order=Order.objects.get(pk=order.pk), details=later) == []
    row = Order.objects.get(pk=order.pk)
    assert (row.currency, row.total, row.customer_name) == ("USD", Decimal("20.00"), "Ada")


def test_filling_only_line_prices_stamps_the_order_changed_and_filling_nothing_does_not():
    order = _short_order()
    Order.objects.filter(pk=order.pk).update(updated_at=OLD)
    mark = timezone.now()

    nothing = order_details_fill(order=order, details=OrderDetails(line_prices={"i2": Decimal("9.00")}))
    untouched = Order.objects.get(pk=order.pk).updated_at
    prices = order_details_fill(order=order, details=OrderDetails(line_prices={"i1": Decimal("12.00")}))

    assert (nothing, untouched) == ([], OLD)  # i2 had its price already
    assert prices == ["lines"]
    assert Order.objects.get(pk=order.pk).updated_at >= mark  # orders?updated_after= sees it
