"""Two workers run the sales cycle of one account at the same moment (PostgreSQL, real
transactions): each item is decided once, answered once, and its stock reserved once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from channels_app.connectors.rakuten.answers import account_sales_answer
from channels_app.models import RakutenSaleAnswer
from inventory_app.models import Order, StockLevel

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_cycles_answer_each_item_once(rakuten, stocked):
    account, sku, location = stocked(on_hand=2)
    rakuten.state.adverts["LINEN-1"].quantity = 3
    sale = rakuten.state.buy("LINEN-1", 3)  # one unit more than we have
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def cycle():
        try:
            start.wait()
            account_sales_answer(account_id=account.pk)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=cycle) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert failures == []
    assert sorted(item.status for item in sale.items) == ["ACCEPTED", "ACCEPTED", "REFUSED"]
    assert [item.answers for item in sale.items] == [1, 1, 1]
    assert rakuten.calls["acceptsale"] + rakuten.calls["refusesale"] == 3  # no second call
    assert RakutenSaleAnswer.objects.count() == 3
    assert Order.objects.count() == 1
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (2, 2)
