"""Concurrent intake on separate connections: no deadlock with the availability listener."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from channels_app.intake.orders import inbound_event_process, inbound_event_record
from channels_app.models import InboundEvent
from channels_app.push.outbox import account_push_request, listings_mark_dirty
from channels_app.services.accounts import account_connector
from inventory_app.models import Order, StockLevel, StockMovement
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(fn, errors: list, done: list) -> threading.Thread:
    def run() -> None:
        try:
            fn()
        except Exception as exc:  # recorded for the assertion
            errors.append(exc)
        finally:
            done.append(fn)
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_deliveries_of_one_order_at_once_beside_the_listener_make_one_order(shops, connect):
    location = LocationFactory(code="MAIN")
    sku = SKUFactory(code="LINEN-1")
    shop = shops()
    shop.listing_add("A-L1", sku="LINEN-1", quantity=0)
    stock_receive(sku=sku, location=location, quantity=5)
    account = connect(shop, "Shop A")
    sale = shop.buy("A-L1", 1)
    body, headers = shop.webhook(sale, "order.created")
    parsed = account_connector(account=account).webhook_parse(headers=headers, body=body)
    events = [
        inbound_event_record(
            account=account,
            event_id=f"delivery-{n}",
            source="webhook",
            topic="t",
            payload={},
            order=parsed.order,
        )[0]
        for n in (1, 2)
    ]
    holding = threading.Event()
    errors: list[Exception] = []
    done: list = []

    def listener_like() -> None:
        # What the availability listener does after another commit: listings, then the account.
        with transaction.atomic():
            listings_mark_dirty(sku_ids=[sku.pk])
            holding.set()
            time.sleep(1.0)  # the intakes run meanwhile and reach the listings
            account_push_request(account_ids=[account.pk])

    threads = [_in_thread(listener_like, errors, done)]
    holding.wait(5)
    threads += [_in_thread(lambda e=e: inbound_event_process(event_id=e.pk), errors, done) for e in events]
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert len(done) == 3
    assert Order.objects.filter(external_ref=sale["id"]).count() == 1
    assert StockMovement.objects.filter(reason="reserve").count() == 1
    assert StockLevel.objects.get(sku=sku, location=location).committed == 1
    assert sorted(InboundEvent.objects.values_list("status", flat=True)) == ["processed", "processed"]
