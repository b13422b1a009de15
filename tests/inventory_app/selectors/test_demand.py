"""Units ordered per SKU lately (selectors.demand)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory_app.models import Order
from inventory_app.selectors.demand import skus_units_ordered
from inventory_app.services.orders import OrderInput, OrderLineInput, order_cancel, order_create
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db


def _order(channel, ref: str, lines: list[tuple[str, int]]) -> Order:
    order, _created = order_create(
        channel=channel,
        data=OrderInput(external_ref=ref, lines=[OrderLineInput(sku_code=c, quantity=q) for c, q in lines]),
    )
    return order


def test_units_ordered_since_a_time_on_every_channel_without_cancelled_or_older_orders():
    location = LocationFactory(code="MAIN")
    skus = {code: SKUFactory(code=code) for code in ("HOT", "COLD", "GONE", "OTHER")}
    for sku in skus.values():
        stock_receive(sku=sku, location=location, quantity=20)
    web, market = SalesChannelFactory(), SalesChannelFactory()
    _order(web, "W1", [("HOT", 2), ("GONE", 1)])
    _order(market, "M1", [("HOT", 1)])
    old = _order(web, "W2", [("HOT", 5), ("COLD", 4)])
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    order_cancel(order=_order(market, "M2", [("GONE", 3)]))
    _order(web, "W3", [("OTHER", 7)])

    units = skus_units_ordered(
        sku_ids=[skus[c].pk for c in ("HOT", "COLD", "GONE")], since=timezone.now() - timedelta(hours=1)
    )

    assert units == {skus["HOT"].pk: 3, skus["GONE"].pk: 1}
    assert skus_units_ordered(sku_ids=[], since=timezone.now()) == {}
