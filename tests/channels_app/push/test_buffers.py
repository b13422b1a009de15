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


def test_the_refresh_marks_a_holding_listing_dirty_and_requests_its_push(hot, on_commit):
    _, account = hot
    account_push_dirty(account_id=account.pk)
    version = Listing.objects.get(account=account).dirty_version

    with on_commit(execute=False) as callbacks:
        marked = listings_buffer_refresh()

    listing = Listing.objects.get(account=account)
    assert (marked, listing.needs_push, listing.dirty_version, len(callbacks)) == (1, True, version + 1, 1)


def test_when_the_rush_passes_the_refreshed_push_shows_everything_again(hot):
    shop, account = hot
    account_push_dirty(account_id=account.pk)
    Order.objects.update(created_at=timezone.now() - timedelta(days=2))  # the item went quiet

    listings_buffer_refresh()
    account_push_dirty(account_id=account.pk)

    listing = Listing.objects.get(account=account)
    assert (shop.quantity("L-HOT"), listing.buffer_held, listings_buffer_refresh()) == (8, 0, 0)


def test_while_the_risk_holds_the_refreshed_push_calls_nobody(hot):
    shop, account = hot
    account_push_dirty(account_id=account.pk)
    ChannelAccount.objects.filter(pk=account.pk).update(confirm_lag_seconds=120.0)  # the push moved it
    calls = len(shop.requests)

    listings_buffer_refresh()
    summary = account_push_dirty(account_id=account.pk)

    assert (summary.pushed, summary.unchanged, len(shop.requests) - calls) == (0, 1, 0)
    assert Listing.objects.get(account=account).buffer_held == 5


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
