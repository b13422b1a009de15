"""Stalled-work rescue: drains and pushes whose queued tasks were lost are queued again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channels_app.models import ChannelAccount, InboundEvent, Listing, SyncCursor
from channels_app.push.outbox import listings_mark_dirty
from channels_app.push.run import worker_claims_release
from channels_app.reconcile.rescue import stalled_work_rescue
from channels_app.tasks import _worker_ready
from inventory_app.models import Order
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_shops(shops, connect, on_commit):
    """SKU S1 with 10 on hand, listed on shops A and B (both showing 10)."""
    location = LocationFactory(code="MAIN")
    sku = SKUFactory(code="S1")
    found = {}
    for name in ("A", "B"):
        shop = shops()
        shop.listing_add(f"{name}-L1", sku="S1", quantity=0)
        found[name] = shop
    with on_commit(execute=True):
        stock_receive(sku=sku, location=location, quantity=10)
        accounts = {name: connect(shop, f"Shop {name}") for name, shop in found.items()}
    return found, accounts, sku


def _store_lost(client, on_commit, shop, account, sale) -> None:
    """Store a delivery whose drain task is lost (its on_commit callbacks never run)."""
    body, headers = shop.webhook(sale, "order.created")
    url = reverse("channels_webhooks:receive", args=[account.webhook_token])
    with on_commit(execute=False):
        response = client.post(url, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 200


def _age(seconds: float) -> None:
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(seconds=seconds))


@pytest.mark.parametrize(
    ("age", "drains", "status", "orders", "shown_on_b"),
    [
        (30, 1, "processed", 2, 5),  # stalled: one drain for the account, both orders reach B
        (2, 0, "pending", 0, 10),  # fresh: left to the drain already queued
    ],
)
def test_events_waiting_past_the_threshold_get_one_drain_per_account(
    client, two_shops, on_commit, age, drains, status, orders, shown_on_b
):
    shops, accounts, _sku = two_shops
    for quantity in (3, 2):
        _store_lost(client, on_commit, shops["A"], accounts["A"], shops["A"].buy("A-L1", quantity))
    _age(age)

    with on_commit(execute=True):
        counts = stalled_work_rescue(events_older_than=10, pushes_older_than=10)

    assert counts == {"drains": drains, "pushes": 0, "consumers": 0, "fetches": 0}
    assert list(InboundEvent.objects.values_list("status", flat=True)) == [status, status]
    assert Order.objects.count() == orders
    assert shops["B"].quantity("B-L1") == shown_on_b


def test_a_push_queued_but_lost_is_queued_again_once_it_is_stale(two_shops, on_commit):
    shops, _accounts, sku = two_shops
    old = timezone.now() - timedelta(seconds=30)
    with on_commit(execute=False):  # the push task this queued is lost
        listings_mark_dirty(sku_ids=[sku.pk])
        stock_receive(sku=sku, location=LocationFactory(code="B"), quantity=5)
    Listing.objects.update(dirty_since=old)
    ChannelAccount.objects.update(push_enqueued_at=old)

    with on_commit(execute=True):
        counts = stalled_work_rescue(events_older_than=10, pushes_older_than=10)

    assert counts == {"drains": 0, "pushes": 2, "consumers": 0, "fetches": 0}
    assert [shops[n].quantity(f"{n}-L1") for n in ("A", "B")] == [15, 15]
    assert not Listing.objects.filter(needs_push=True).exists()


def test_no_push_is_queued_while_a_run_holds_the_account_or_one_was_queued_recently(two_shops, on_commit):
    shops, accounts, sku = two_shops
    old = timezone.now() - timedelta(seconds=30)
    with on_commit(execute=False):
        stock_receive(sku=sku, location=LocationFactory(code="B"), quantity=5)
        listings_mark_dirty(sku_ids=[sku.pk])
    Listing.objects.update(dirty_since=old)
    SyncCursor.objects.filter(account=accounts["A"], stream="push").update(
        leased_until=timezone.now() + timedelta(seconds=30), leased_by="w@h"
    )
    ChannelAccount.objects.filter(pk=accounts["B"].pk).update(push_enqueued_at=timezone.now())

    with on_commit(execute=True) as callbacks:
        counts = stalled_work_rescue(events_older_than=10, pushes_older_than=10)

    assert counts == {
        "drains": 0,
        "pushes": 1,
        "consumers": 0,
        "fetches": 0,
    }  # B only: its queued push is 0 s old, not stale
    assert callbacks == []
    assert [shops[n].quantity(f"{n}-L1") for n in ("A", "B")] == [10, 10]
    assert Listing.objects.filter(needs_push=True).count() == 2


def test_a_restarted_worker_requeues_its_dead_runs_push_and_every_pending_drain(client, two_shops, on_commit):
    shops, accounts, sku = two_shops
    _store_lost(client, on_commit, shops["B"], accounts["B"], shops["B"].buy("B-L1", 2))
    with on_commit(execute=False):
        stock_receive(sku=sku, location=LocationFactory(code="B"), quantity=5)
    SyncCursor.objects.filter(account=accounts["A"], stream="push").update(
        leased_until=timezone.now() + timedelta(seconds=30), leased_by="w@h"
    )

    class Worker:
        hostname = "w@h"

    with on_commit(execute=True):
        _worker_ready(sender=Worker())

    assert SyncCursor.objects.get(account=accounts["A"], stream="push").leased_until is None
    assert list(InboundEvent.objects.values_list("status", flat=True)) == ["processed"]
    assert [shops[n].quantity(f"{n}-L1") for n in ("A", "B")] == [13, 13]
    assert worker_claims_release(claimer="w@h") == {"listings": 0, "polls": 0}


def test_a_reconnected_broker_requeues_the_pushes_queued_in_it_at_once_not_after_the_threshold(
    two_shops, on_commit
):
    from channels_app.tasks import _broker_reconnected

    shops, _accounts, sku = two_shops
    with on_commit(execute=False):  # the push tasks this queued went with the broker
        listings_mark_dirty(sku_ids=[sku.pk])
        stock_receive(sku=sku, location=LocationFactory(code="B"), quantity=5)
    ChannelAccount.objects.update(push_enqueued_at=timezone.now())  # queued a moment ago

    with on_commit(execute=True):
        _broker_reconnected(sender=None, worker="w@h")

    assert [shops[n].quantity(f"{n}-L1") for n in ("A", "B")] == [15, 15]
    assert not Listing.objects.filter(needs_push=True).exists()
