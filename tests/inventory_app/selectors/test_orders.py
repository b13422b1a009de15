"""What a re-sent order changes against the stored one; finding orders for staff."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.models import Order
from inventory_app.selectors.orders import order_input_differences, orders_search_filter
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from tests.factories import SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db


def test_differences_compare_lines_position_by_position():
    order, _ = order_create(
        channel=SalesChannelFactory(),
        data=OrderInput(
            external_ref="R1",
            lines=[OrderLineInput(sku_code="A", quantity=1), OrderLineInput(sku_code="B", quantity=2)],
        ),
        shortage="flag",
    )
    same = OrderInput(
        external_ref="R1",
        lines=[OrderLineInput(sku_code="A", quantity=1), OrderLineInput(sku_code="B", quantity=2)],
    )
    other = OrderInput(
        external_ref="R1",
        lines=[OrderLineInput(sku_code="C", quantity=1, unit_price=Decimal("2.50"))],
    )

    assert order_input_differences(order=order, data=same) == []
    assert order_input_differences(order=order, data=other) == [
        {"path": "lines", "stored": "2 line(s)", "sent": "1 line(s)"},
        {"path": "lines[0].sku", "stored": "A", "sent": "C"},
        {"path": "lines[0].unit_price", "stored": "0.00", "sent": "2.50"},
    ]


def test_orders_search_filter_finds_by_reference_customer_sku_code_and_channel_sku_in_any_case():
    channel = SalesChannelFactory()
    SKUFactory(code="MUG-RED")

    def order(ref: str, sku_code: str, **customer) -> int:
        data = OrderInput(external_ref=ref, lines=[OrderLineInput(sku_code=sku_code, quantity=1)], **customer)
        return order_create(channel=channel, data=data, shortage="flag")[0].pk

    by_ref = order("R-1001", "PLATE")
    by_name = order("R-2", "PLATE", customer_name="Ada Lovelace")
    by_email = order("R-3", "PLATE", customer_email="grace@example.com")
    by_sku = order("R-4", "MUG-RED")  # linked to the SKU MUG-RED
    by_channel_sku = order("R-5", "bowl-blue")  # no such SKU: only the line's channel SKU says it
    both = order("R-6", "MUG-RED", customer_name="Mug collector")

    def found(term: str) -> set[int]:
        return set(Order.objects.filter(orders_search_filter(term=term)).values_list("pk", flat=True))

    assert found("r-100") == {by_ref}
    assert found("LOVELACE") == {by_name}
    assert found("grace@") == {by_email}
    assert found("mug") == {by_sku, both}  # once each, though both matches by name and by line
    assert found("Bowl-B") == {by_channel_sku}
    assert found("nothing-like-it") == set()
