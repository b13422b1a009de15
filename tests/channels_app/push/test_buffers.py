"""Adaptive buffers over time: the units held back are recorded at each push, and the refresh
recomputes the listings holding units back so a buffer shrinks back when the rush passes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.models import ChannelAccount, Listing
from channels_app.push.buffers import listings_buffer_refresh
from channels_app.push.run import account_push_dirty
from inventory_app.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def hot(hot):
    """The shared HOT item (8 left, selling 36/h here and 72/h elsewhere) on an account that
    lags 120 s, so its buffer holds 5 back. (shop, account)"""
    shop, account, _ = hot
    ChannelAccount.objects.filter(pk=account.pk).update(confirm_lag_seconds=120.0)
    return shop, account


def test_a_push_records_the_units_the_buffer_holds_back(hot):
    shop, account = hot

    account_push_dirty(account_id=account.pk)

    listing = Listing.objects.get(account=account)
    assert (shop.quantity("L-HOT"), listing.buffer_held, listing.needs_push) == (3, 5, False)


def test_while_the_risk_holds_the_refresh_marks_nothing_and_calls_nobody(hot, on_commit):
    shop, account = hot
    account_push_dirty(account_id=account.pk)
    ChannelAccount.objects.filter(pk=account.pk).update(confirm_lag_seconds=120.0)  # the push moved it
    calls, version = len(shop.requests), Listing.objects.get(account=account).dirty_version

    with on_commit(execute=False) as callbacks:
        marked = listings_buffer_refresh()

    listing = Listing.objects.get(account=account)
    assert (marked, callbacks, listing.needs_push, listing.dirty_version) == (0, [], False, version)
    assert (len(shop.requests) - calls, listing.buffer_held) == (0, 5)


def test_a_buffer_that_only_shrank_waits_until_it_is_gone(hot):
    shop, account = hot
    ChannelAccount.objects.filter(pk=account.pk).update(confirm_lag_seconds=150.0)  # 7 held
    account_push_dirty(account_id=account.pk)
    ChannelAccount.objects.filter(pk=account.pk).update(confirm_lag_seconds=120.0)  # catching up: 5

    marked = listings_buffer_refresh()

    assert (marked, shop.quantity("L-HOT"), Listing.objects.get(account=account).buffer_held) == (0, 1, 7)


def test_when_the_rush_passes_the_refresh_marks_it_and_the_push_shows_everything_again(hot, on_commit):
    shop, account = hot
    account_push_dirty(account_id=account.pk)
    Order.objects.update(created_at=timezone.now() - timedelta(days=2))  # the item went quiet
    version = Listing.objects.get(account=account).dirty_version

    with on_commit(execute=False) as callbacks:
        marked = listings_buffer_refresh()
    listing = Listing.objects.get(account=account)
    assert (marked, len(callbacks), listing.needs_push, listing.dirty_version) == (1, 1, True, version + 1)

    account_push_dirty(account_id=account.pk)

    listing.refresh_from_db()
    assert (shop.quantity("L-HOT"), listing.buffer_held, listings_buffer_refresh()) == (8, 0, 0)


def test_the_refresh_leaves_listings_without_a_buffer_a_claimed_one_and_a_dirty_one_alone(hot, on_commit):
    _, account = hot
    account_push_dirty(account_id=account.pk)
    listing = Listing.objects.get(account=account)
    Listing.objects.filter(pk=listing.pk).update(claimed_until=timezone.now() + timedelta(seconds=30))
    quiet = Listing.objects.create(account=account, external_id="L-QUIET", buffer_held=0)

    with on_commit(execute=False) as callbacks:
        marked = listings_buffer_refresh()

    assert (marked, callbacks) == (0, [])
    assert list(Listing.objects.filter(needs_push=True).values_list("pk", flat=True)) == []
    assert Listing.objects.get(pk=quiet.pk).dirty_version == 0
