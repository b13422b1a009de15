"""The resurrection race: a channel sells its last unit; before that order reaches us, another
event makes us push an increase. Without a guard the channel shows stock it does not have.

Setup: 1 unit on hand, shop A shows 1. A buyer takes it on A (A shows 0); the order has not
reached us. Staff receive 1 more unit: we now believe 2 are available, the truth is 1.
"""

from __future__ import annotations

import pytest

from channels_app.intake.polling import account_orders_sync
from channels_app.models import Listing
from channels_app.push.outbox import listings_mark_dirty
from channels_app.push.run import account_push_dirty
from inventory_app.models import Order
from inventory_app.services.stock import stock_adjust, stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def _race(shops, connect, mode: str):
    location, sku = LocationFactory(code="A"), SKUFactory(code="LAST-1")
    stock_receive(sku=sku, location=location, quantity=1)
    shop = shops()
    shop.listing_add("L1", sku="LAST-1", quantity=0)
    account = connect(shop, "Shop A", options={"quantity_mode": mode})
    account_orders_sync(account_id=account.pk)  # onboarding: the channel's orders are caught up
    account_push_dirty(account_id=account.pk)
    assert shop.quantity("L1") == 1
    assert shop.buy("L1", 1) is not None  # A shows 0; the order is still on its way to us
    stock_receive(sku=sku, location=location, quantity=1)
    listings_mark_dirty(sku_ids=[sku.pk])  # what the availability hook does after the receipt
    account_push_dirty(account_id=account.pk)  # the push that races the order
    return shop, account


def test_without_the_guard_the_channel_resurrects_the_sold_unit(shops, connect, settings):
    settings.CHANNELS_HOLD_INCREASES = False

    shop, _ = _race(shops, connect, "set")

    assert shop.quantity("L1") == 2  # truth is 1: a second buyer could buy a unit that is gone


@pytest.mark.parametrize("mode", ["set", "cas", "delta"])
def test_the_guard_never_lets_the_channel_show_more_than_exists(shops, connect, mode):
    shop, account = _race(shops, connect, mode)
    after_race = shop.quantity("L1")

    account_orders_sync(account_id=account.pk)  # the order reaches us (poll or webhook)
    Listing.objects.filter(account=account).update(next_attempt_at=None)
    account_push_dirty(account_id=account.pk)

    assert after_race <= 1
    assert shop.quantity("L1") == 1
    assert max(shop.quantity_history["L1"][2:]) <= 1  # from the sale on, never above the truth
    assert Order.objects.get().lines.get().quantity == 1
    assert not Listing.objects.filter(needs_push=True).exists()


def test_decreases_are_not_held_by_the_guard(shops, connect):
    location, sku = LocationFactory(code="A"), SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=5)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    account = connect(shop, "Shop", options={"quantity_mode": "set"})
    account_orders_sync(account_id=account.pk)
    account_push_dirty(account_id=account.pk)

    stock_adjust(sku=sku, location=location, delta=-3, reason_detail="damaged")
    listings_mark_dirty(sku_ids=[sku.pk])
    summary = account_push_dirty(account_id=account.pk)

    assert (summary.pushed, summary.held, shop.quantity("L1")) == (1, 0, 2)
