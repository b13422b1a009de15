"""What a re-sent order changes against the stored one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.selectors.orders import order_input_differences
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from tests.factories import SalesChannelFactory

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
