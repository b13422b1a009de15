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
from tests.helpers import lock_waiters_await, skip_unless_postgresql

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


def _one_sale(shops, connect):
    """A shop selling 1 of 5 units of LINEN-1: (location, sku, account, the sale, its order)."""
    location = LocationFactory(code="MAIN")
    sku = SKUFactory(code="LINEN-1")
    shop = shops()
    shop.listing_add("A-L1", sku="LINEN-1", quantity=0)
    stock_receive(sku=sku, location=location, quantity=5)
    account = connect(shop, "Shop A")
    sale = shop.buy("A-L1", 1)
    body, headers = shop.webhook(sale, "order.created")
    parsed = account_connector(account=account).webhook_parse(headers=headers, body=body)
    return location, sku, account, sale, parsed


def test_two_deliveries_of_one_order_at_once_beside_the_listener_make_one_order(shops, connect):
    location, sku, account, sale, parsed = _one_sale(shops, connect)
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


def _order_writers() -> int:
    """Other sessions holding the lock an INSERT into the order table takes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks AS l JOIN pg_class AS c ON c.oid = l.relation "
            "WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()",
            [Order._meta.db_table],
        )
        return cursor.fetchone()[0]


def test_a_single_event_intake_takes_the_stock_levels_before_it_inserts_the_order(shops, connect):
    # A poll applies its orders one event at a time while a webhook drain applies the same sale:
    # the drain locks the levels, then inserts the order. An intake that inserted first and then
    # waited for a level would wait for the drain while the drain waits for its insert.
    skip_unless_postgresql()
    location, sku, account, sale, parsed = _one_sale(shops, connect)
    event, _ = inbound_event_record(
        account=account, event_id="poll-1", source="poll", topic="t", payload={}, order=parsed.order
    )
    errors: list[Exception] = []
    done: list = []

    with transaction.atomic():
        list(StockLevel.objects.select_for_update().filter(sku=sku))  # a drain holds the level
        thread = _in_thread(lambda: inbound_event_process(event_id=event.pk), errors, done)
        waiting = lock_waiters_await()  # the intake now waits for the level
        writers = _order_writers()
    thread.join(30)

    assert (waiting, writers) == (1, 0)
    assert errors == []
    assert Order.objects.filter(external_ref=sale["id"]).count() == 1
    assert StockLevel.objects.get(sku=sku, location=location).committed == 1
