"""Batched intake: one drain applies many pending events of an account, once each."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels_app.intake import batch as intake_batch
from channels_app.intake.batch import account_inbound_events_drain
from channels_app.models import InboundEvent, Listing
from inventory_app.models import Order, StockLevel, StockMovement
from inventory_app.services.stock import stock_receive
from tests.factories import KitFactory, LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_shops(shops, connect, on_commit):
    """SKUs S1, S2 with 20 on hand each, listed on shops A and B."""
    location = LocationFactory(code="MAIN")
    skus = [SKUFactory(code=f"S{n}") for n in (1, 2)]
    found = {}
    for name in ("A", "B"):
        shop = shops()
        for n in (1, 2):
            shop.listing_add(f"{name}-L{n}", sku=f"S{n}", quantity=0)
        found[name] = shop
    with on_commit(execute=True):
        for sku in skus:
            stock_receive(sku=sku, location=location, quantity=20)
        accounts = {name: connect(shop, f"Shop {name}") for name, shop in found.items()}
    return found, accounts, skus, location


def _store(client, account, body: bytes, headers: dict) -> int:
    url = reverse("channels_webhooks:receive", args=[account.webhook_token])
    response = client.post(url, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 200
    return response.json()["event"]


def test_one_drain_applies_every_pending_event_once_and_pushes_once_per_channel(client, two_shops, on_commit):
    shops, accounts, skus, location = two_shops
    sales = [shops["A"].buy(f"A-L{1 + n % 2}", 1) for n in range(6)]
    with on_commit(execute=False):  # stored only; the drains have not run
        for sale in sales:
            _store(client, accounts["A"], *shops["A"].webhook(sale, "order.created"))
        _store(client, accounts["A"], *shops["A"].webhook(sales[0], "order.paid"))
    pushes_before = len(shops["B"].requests_of("POST quantities"))

    with on_commit(execute=True):
        counts = account_inbound_events_drain(account_id=accounts["A"].pk, batch=4)
        again = account_inbound_events_drain(account_id=accounts["A"].pk)

    assert counts == {"processed": 7, "ignored": 0, "failed": 0, "left": 0}
    assert again == {"processed": 0, "ignored": 0, "failed": 0, "left": 0}
    assert Order.objects.count() == 6
    assert StockMovement.objects.filter(reason="reserve").count() == 6
    assert [StockLevel.objects.get(sku=s, location=location).committed for s in skus] == [3, 3]
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {"processed"}
    assert [shops["B"].quantity(f"B-L{n}") for n in (1, 2)] == [17, 17]
    assert len(shops["B"].requests_of("POST quantities")) - pushes_before == 1  # coalesced
    assert not Listing.objects.filter(needs_push=True).exists()


def test_a_failing_event_is_marked_failed_and_the_others_are_applied(client, two_shops, on_commit):
    shops, accounts, skus, location = two_shops
    good = shops["A"].buy("A-L1", 2)
    bad = dict(shops["A"].buy("A-L2", 1))
    bad["lines"] = [dict(bad["lines"][0], quantity=0)]  # refused by order_create
    with on_commit(execute=False):
        _store(client, accounts["A"], *shops["A"].webhook(bad, "order.created"))
        _store(client, accounts["A"], *shops["A"].webhook(good, "order.created"))

    with on_commit(execute=False):
        counts = account_inbound_events_drain(account_id=accounts["A"].pk)

    assert counts == {"processed": 1, "ignored": 0, "failed": 1, "left": 0}
    assert list(Order.objects.values_list("external_ref", flat=True)) == [good["id"]]
    statuses = {e.order["external_id"]: e.status for e in InboundEvent.objects.all()}
    assert statuses == {bad["id"]: "failed", good["id"]: "processed"}
    failed = InboundEvent.objects.get(status="failed")
    assert "positive" in failed.error
    assert failed.attempts == 1
    assert StockLevel.objects.get(sku=skus[0], location=location).committed == 2


def test_worker_dying_mid_batch_leaves_every_event_pending_for_the_next(
    client, two_shops, on_commit, monkeypatch
):
    shops, accounts, skus, location = two_shops
    sales = [shops["A"].buy("A-L1", 1) for _ in range(3)]
    with on_commit(execute=False):
        for sale in sales:
            _store(client, accounts["A"], *shops["A"].webhook(sale, "order.created"))

    def die(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(intake_batch, "listings_mark_dirty", die)
    with pytest.raises(SystemExit), on_commit(execute=True):
        account_inbound_events_drain(account_id=accounts["A"].pk)
    assert (Order.objects.count(), StockMovement.objects.filter(reason="reserve").count()) == (0, 0)
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {"pending"}
    monkeypatch.undo()

    with on_commit(execute=True):
        counts = account_inbound_events_drain(account_id=accounts["A"].pk)

    assert counts["processed"] == 3
    assert StockLevel.objects.get(sku=skus[0], location=location).committed == 3
    assert [shops["B"].quantity("B-L1")] == [17]


def test_drain_requests_are_coalesced_until_the_drain_starts(two_shops, settings, monkeypatch, on_commit):
    if not settings.CHANNELS_REDIS_URL:
        pytest.skip("coalescing needs Redis (run under config.devservices --redis)")
    from channels_app import task_names
    from channels_app.intake.batch import account_inbound_events_drain_request
    from config.celery import app

    _shops, accounts, *_ = two_shops
    queued: list[int] = []
    task = app.tasks[task_names.INBOUND_EVENTS_DRAIN]
    monkeypatch.setattr(task, "apply_async", lambda args=(), kwargs=None, **options: queued.append(args[0]))
    account_id = accounts["A"].pk
    account_inbound_events_drain(account_id=account_id)  # clears any flag left behind

    with on_commit(execute=True):  # the requests' tasks are sent once this commits
        for _ in range(3):
            account_inbound_events_drain_request(account_id=account_id)
        account_inbound_events_drain_request(account_id=accounts["B"].pk)
        account_inbound_events_drain(account_id=account_id)  # the drain starts: the flag is cleared
        account_inbound_events_drain_request(account_id=account_id)

    assert queued == [account_id, accounts["B"].pk, account_id]
    account_inbound_events_drain(account_id=accounts["B"].pk)


def _drain_queries(client, shops, accounts, on_commit, count: int) -> int:
    sales = [shops["A"].buy(f"A-L{1 + n % 2}", 1) for n in range(count)]
    with on_commit(execute=False):
        for sale in sales:
            _store(client, accounts["A"], *shops["A"].webhook(sale, "order.created"))
    with CaptureQueriesContext(connection) as queries, on_commit(execute=False):
        counts = account_inbound_events_drain(account_id=accounts["A"].pk)
    assert counts == {"processed": count, "ignored": 0, "failed": 0, "left": 0}
    return len(queries)


def test_new_orders_of_a_batch_are_created_together_in_the_same_number_of_queries(
    client, two_shops, on_commit
):
    shops, accounts, skus, location = two_shops

    assert _drain_queries(client, shops, accounts, on_commit, 3) == _drain_queries(
        client, shops, accounts, on_commit, 12
    )
    assert Order.objects.count() == 15
    assert [StockLevel.objects.get(sku=s, location=location).committed for s in skus] == [8, 7]
    # What we believe shop A shows moved by its own sales (its figure before the first push: 0).
    assert list(Listing.objects.filter(account=accounts["A"]).order_by("external_id").values_list(
        "last_seen_qty", flat=True
    )) == [12, 13]  # fmt: skip


def test_later_events_of_a_new_order_apply_after_the_batch_creates_it(client, two_shops, on_commit):
    shops, accounts, skus, location = two_shops
    kept, cancelled = shops["A"].buy("A-L1", 2), shops["A"].buy("A-L2", 3)
    with on_commit(execute=False):
        _store(client, accounts["A"], *shops["A"].webhook(kept, "order.created"))
        _store(client, accounts["A"], *shops["A"].webhook(cancelled, "order.created"))
        again = shops["A"].order_update(cancelled["id"], status="cancelled")
        _store(client, accounts["A"], *shops["A"].webhook(again, "order.cancelled"))

    with on_commit(execute=False):
        counts = account_inbound_events_drain(account_id=accounts["A"].pk)

    assert counts == {"processed": 3, "ignored": 0, "failed": 0, "left": 0}
    assert dict(Order.objects.values_list("external_ref", "status")) == {
        kept["id"]: "open",
        cancelled["id"]: "cancelled",
    }
    assert [StockLevel.objects.get(sku=s, location=location).committed for s in skus] == [2, 0]
    assert StockMovement.objects.filter(reason="release").count() == 1


def test_an_order_that_breaks_the_batch_creation_fails_alone_and_the_others_are_taken(
    client, shops, connect, on_commit
):
    location = LocationFactory(code="MAIN")
    sku = SKUFactory(code="S1")
    KitFactory(code="EMPTYKIT")  # a kit without components: reserving it is refused
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    shop.listing_add("LK", sku="EMPTYKIT", quantity=0)
    with on_commit(execute=True):
        stock_receive(sku=sku, location=location, quantity=10)
        account = connect(shop, "Shop")
    sales = [shop.buy("L1", 1), shop.buy("L1", 2)]
    with on_commit(execute=False):
        for sale in sales:
            _store(client, account, *shop.webhook(sale, "order.created"))
        kit_sale = dict(sales[0], id="KIT-ORDER")
        kit_sale["lines"] = [dict(sales[0]["lines"][0], listing_id="LK", id="KL1")]
        _store(client, account, *shop.webhook(kit_sale, "order.created"))

    with on_commit(execute=False):
        counts = account_inbound_events_drain(account_id=account.pk)

    assert counts == {"processed": 2, "ignored": 0, "failed": 1, "left": 0}
    assert sorted(Order.objects.values_list("external_ref", flat=True)) == sorted(s["id"] for s in sales)
    assert StockLevel.objects.get(sku=sku, location=location).committed == 3
    assert "no components" in InboundEvent.objects.get(status="failed").error
