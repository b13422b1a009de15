"""A sale end to end through the real broker: the channel's webhook is taken in here, a separate
``celery worker`` process (on the embedded pass: the file-system broker and the SQLite file)
drains it into an order, reserves the stock and pushes the new quantity to the other shop."""

from __future__ import annotations

import pytest

from inventory_app.models import Order, StockLevel
from inventory_app.services.stock import stock_receive
from tests.channels_app.helpers import webhook_post
from tests.factories import LocationFactory, SKUFactory
from tests.worker_process import celery_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]
WORKER_ENV = {"CHANNELS_ALLOW_PRIVATE_HOSTS": "1", "CHANNELS_RATE_LIMIT_BACKEND": "db"}


def test_a_sale_on_one_shop_is_reserved_and_reaches_the_other_through_a_worker(
    client, shops, connect, celery_through_broker
):
    location, sku = LocationFactory(code="MAIN"), SKUFactory(code="LINEN-1")
    stock_receive(sku=sku, location=location, quantity=5)
    a, b = shops(), shops()
    a.listing_add("A-L1", sku="LINEN-1", quantity=0)
    b.listing_add("B-L1", sku="LINEN-1", quantity=0)

    with celery_worker("channels", **WORKER_ENV) as worker:
        account_a = connect(a, "Shop A")
        connect(b, "Shop B")
        wait_for(
            lambda: (a.quantity("A-L1"), b.quantity("B-L1")) == (5, 5),
            timeout=60,
            what="the first push to both shops",
            proc=worker,
        )
        order = a.buy("A-L1", 2)
        body, headers = a.webhook(order, "order.created")
        assert webhook_post(client, account_a, body, headers).status_code == 200
        wait_for(lambda: b.quantity("B-L1") == 3, timeout=60, what="the sale to reach shop B", proc=worker)

    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (5, 2)
    assert Order.objects.filter(channel=account_a.sales_channel).count() == 1
    assert (a.quantity("A-L1"), b.quantity("B-L1")) == (3, 3)
