"""Adaptive buffers on real listings: demand from the orders, staleness from the account's
measured lag, the published figure, the explanation, and the switches."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from channels_app.models import ChannelAccount, Listing
from channels_app.push.run import account_push_dirty
from channels_app.selectors.buffers import skus_demand_per_hour
from channels_app.selectors.quantities import listing_quantity_explain, listings_published_quantities
from channels_app.services.accounts import AccountError
from channels_app.services.actions import account_update, listing_rules_set
from inventory_app.models import Location, Order
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db


def _sell(channel, code: str, units: int, ref: str) -> None:
    order_create(
        channel=channel,
        data=OrderInput(external_ref=ref, lines=[OrderLineInput(sku_code=code, quantity=units)]),
    )


@pytest.fixture
def hot(shops, connect):
    """HOT: 26 received; 6 sold on this shop's channel and 12 elsewhere two minutes ago
    (36/h here, 72/h elsewhere over the 10-minute window), 8 left."""
    location = LocationFactory(code="MAIN")
    sku = SKUFactory(code="HOT")
    stock_receive(sku=sku, location=location, quantity=26)
    shop = shops()
    shop.listing_add("L-HOT", sku="HOT", quantity=0)
    account = connect(shop, "Shop")
    elsewhere = SalesChannelFactory()
    for number in range(3):
        _sell(account.sales_channel, "HOT", 2, f"here-{number}")
        _sell(elsewhere, "HOT", 4, f"there-{number}")
    Order.objects.update(created_at=timezone.now() - timedelta(minutes=2))  # before the last minute
    return shop, account, Listing.objects.get(account=account)


def _lag(account, seconds: float) -> ChannelAccount:
    ChannelAccount.objects.filter(pk=account.pk).update(confirm_lag_seconds=seconds)
    account.refresh_from_db()
    return account


def test_demand_counts_the_last_ten_minutes_per_channel_with_a_prior_for_unsold_items(hot):
    _, account, listing = hot
    cold = SKUFactory(code="COLD")

    rates = skus_demand_per_hour(sku_ids=[listing.sku_id, cold.pk], channel_id=account.sales_channel_id)

    assert rates == {listing.sku_id: (36.0, 72.0), cold.pk: (0.5 / 24, 0.5 / 24)}


def test_a_burst_of_the_last_minute_counts_at_its_own_rate_from_two_units(hot):
    _, account, listing = hot
    _sell(account.sales_channel, "HOT", 1, "burst-1")
    _sell(account.sales_channel, "HOT", 1, "burst-2")
    cold = SKUFactory(code="COLD")
    stock_receive(sku=cold, location=Location.objects.get(code="MAIN"), quantity=5)
    _sell(account.sales_channel, "COLD", 1, "once")

    rates = skus_demand_per_hour(sku_ids=[listing.sku_id, cold.pk], channel_id=account.sales_channel_id)

    # HOT: 2 units in the last minute = 120/h (its 10 minutes: 8 units = 48/h); COLD's one unit
    # of the last minute is not a burst: its hour counts (1/h).
    assert rates == {listing.sku_id: (120.0, 72.0), cold.pk: (1.0, 0.5 / 24)}


def test_a_hot_item_on_a_lagging_channel_is_published_below_the_rules(hot):
    _, account, listing = hot
    account = _lag(account, 120.0)

    assert listings_published_quantities(account=account, listings=[listing]) == {listing.pk: 3}


def test_the_same_item_on_a_channel_confirming_within_a_second_shows_everything(hot):
    _, account, listing = hot
    account = _lag(account, 0.8)

    assert listings_published_quantities(account=account, listings=[listing]) == {listing.pk: 8}


def test_the_explanation_shows_the_buffer_its_inputs_and_its_risk(hot):
    _, account, listing = hot
    _lag(account, 120.0)
    listing.refresh_from_db()

    assert listing_quantity_explain(listing=listing) == (
        "on hand 26 - committed 18 at MAIN = 8; adaptive buffer 5: the channel may show this figure for "
        "120 s (measured lag 120 s, queue 0 s) while it sells 36.0/h there and 72.0/h elsewhere; "
        "oversell risk 0.80 % (at most 1 %) = 3"
    )


def test_switched_off_on_the_account_the_rules_figure_is_published_unless_the_listing_asks(hot):
    _, account, listing = hot
    account = account_update(account=_lag(account, 120.0), data={"adaptive_buffer": False})

    off = listings_published_quantities(account=account, listings=[listing])
    listing = listing_rules_set(listing=listing, rules={"adaptive_buffer": True})
    on = listings_published_quantities(account=account, listings=[listing])

    assert (off, on) == ({listing.pk: 8}, {listing.pk: 3})


def test_a_listing_can_switch_it_off_on_an_account_that_has_it(hot):
    _, account, listing = hot
    account = _lag(account, 120.0)

    listing = listing_rules_set(listing=listing, rules={"adaptive_buffer": False})

    assert listings_published_quantities(account=account, listings=[listing]) == {listing.pk: 8}


def test_a_higher_accepted_risk_publishes_more(hot):
    _, account, listing = hot
    account = account_update(account=_lag(account, 120.0), data={"oversell_risk_percent": Decimal("20")})

    assert listings_published_quantities(account=account, listings=[listing]) == {listing.pk: 8}


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("50.01"), "many"])
def test_an_oversell_risk_outside_its_range_is_refused_and_changes_nothing(hot, value):
    _, account, _ = hot

    with pytest.raises(AccountError) as refused:
        account_update(account=account, data={"oversell_risk_percent": value})

    assert "oversell_risk_percent" in str(refused.value)
    account.refresh_from_db()
    assert account.oversell_risk_percent == Decimal("1.00")


def test_the_push_sends_the_buffered_figure_and_measures_the_channel_lag(hot):
    shop, account, _ = hot
    _lag(account, 120.0)

    summary = account_push_dirty(account_id=account.pk)

    account.refresh_from_db()
    assert (summary.pushed, shop.quantity("L-HOT")) == (1, 3)
    # 120 s moved 30 % of the way toward this push's change-to-confirmation time (well under a minute).
    assert 84.0 <= account.confirm_lag_seconds < 120.0 * 0.7 + 0.3 * 60
