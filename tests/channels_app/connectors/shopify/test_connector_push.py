"""Quantity pushes through the engine's push service on PostgreSQL, landing on the fake shop:
compare-and-swap, the resurrection race, a stale answer re-read and retried, throttling."""

from __future__ import annotations

import pytest

from channels_app.intake.polling import account_orders_sync
from channels_app.models import Listing
from channels_app.push.outbox import listings_mark_dirty
from channels_app.push.run import account_push_dirty
from channels_app.services.onboarding import account_listings_import
from inventory_app.models import Order
from inventory_app.services.stock import stock_adjust, stock_receive

pytestmark = pytest.mark.django_db


def _set(fake, sku: str, available: int) -> None:
    with fake.state.lock:
        variant = fake.state.variant_by_sku(sku)
        fake.state.level(variant.inventory_item_id, next(iter(fake.state.locations))).quantities[
            "available"
        ] = available


def _live(fake_shopify, shopify_account, stocked, quantities: dict[str, int], **options):
    """Our stock, the account linked to the fake's variants, orders caught up, first push done."""
    location, skus = stocked(quantities)
    account = shopify_account(location_ids=[location.pk], **options)
    account_listings_import(account=account)
    account_orders_sync(account_id=account.pk)
    account_push_dirty(account_id=account.pk)
    return account, location, skus


def test_a_push_lands_on_shopify_with_compare_and_swap(fake_shopify, shopify_account, stocked):
    _set(fake_shopify, "LIN-0001-1", 17)
    account, _, _ = _live(fake_shopify, shopify_account, stocked, {"LIN-0001-1": 5, "LIN-0002-1": 0})

    listing = Listing.objects.get(account=account, external_sku="LIN-0001-1")
    assert fake_shopify.state.available("LIN-0001-1") == 5
    assert fake_shopify.state.available("LIN-0002-1") == 0
    assert (listing.last_pushed_qty, listing.last_seen_qty, listing.needs_push) == (5, 5, False)
    assert fake_shopify.counters["mutation:inventorySetQuantities"] == 1
    assert len(fake_shopify.idempotency) == 1
    assert fake_shopify.counters.get("user_errors", 0) == 0


def test_the_push_never_resurrects_a_unit_sold_on_shopify_before_its_order_reached_us(
    fake_shopify, shopify_account, stocked
):
    account, location, skus = _live(fake_shopify, shopify_account, stocked, {"LIN-0001-1": 1})
    assert fake_shopify.state.available("LIN-0001-1") == 1
    fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])  # no webhook reaches us
    stock_receive(sku=skus["LIN-0001-1"], location=location, quantity=1)  # we now believe 2 are free
    listings_mark_dirty(sku_ids=[skus["LIN-0001-1"].pk])

    race = account_push_dirty(account_id=account.pk)

    assert (race.pushed, race.held, race.sync_orders) == (0, 1, True)
    assert fake_shopify.state.available("LIN-0001-1") == 0  # not 2: the sold unit stays sold
    account_orders_sync(account_id=account.pk)  # the order reaches us; the hold is released
    Listing.objects.filter(account=account).update(next_attempt_at=None)
    account_push_dirty(account_id=account.pk)
    assert fake_shopify.state.available("LIN-0001-1") == 1
    assert Order.objects.get().lines.get().quantity == 1
    assert not Listing.objects.filter(account=account, needs_push=True).exists()


def test_a_stale_answer_on_a_decrease_is_re_read_and_retried_to_the_right_figure(
    fake_shopify, shopify_account, stocked
):
    account, location, skus = _live(fake_shopify, shopify_account, stocked, {"LIN-0001-1": 6})
    _set(fake_shopify, "LIN-0001-1", 9)  # someone edited the figure in Shopify's admin
    stock_adjust(sku=skus["LIN-0001-1"], location=location, delta=-4, reason_detail="damaged")
    listings_mark_dirty(sku_ids=[skus["LIN-0001-1"].pk])

    summary = account_push_dirty(account_id=account.pk)

    listing = Listing.objects.get(account=account, external_sku="LIN-0001-1")
    assert summary.pushed == 1
    assert fake_shopify.state.available("LIN-0001-1") == 2
    assert (listing.last_pushed_qty, listing.needs_push) == (2, False)
    assert fake_shopify.counters["mutation:inventorySetQuantities"] == 3  # first push, stale, retry


def test_a_throttled_push_waits_for_the_bucket_and_lands(fake_shopify, shopify_account, stocked):
    account, location, skus = _live(fake_shopify, shopify_account, stocked, {"LIN-0001-1": 3})
    fake_shopify.bucket.drain(to=0)
    stock_receive(sku=skus["LIN-0001-1"], location=location, quantity=2)
    listings_mark_dirty(sku_ids=[skus["LIN-0001-1"].pk])

    summary = account_push_dirty(account_id=account.pk)

    assert summary.pushed == 1
    assert fake_shopify.state.available("LIN-0001-1") == 5
    assert fake_shopify.counters["throttled"] == 1


def test_a_throttled_push_beyond_the_wait_allowed_stays_dirty_with_shopifys_delay(
    fake_shopify, shopify_account, stocked
):
    account, location, skus = _live(
        fake_shopify, shopify_account, stocked, {"LIN-0001-1": 3}, throttle_wait_seconds=0
    )
    fake_shopify.bucket.drain(to=0)
    stock_receive(sku=skus["LIN-0001-1"], location=location, quantity=2)
    listings_mark_dirty(sku_ids=[skus["LIN-0001-1"].pk])

    summary = account_push_dirty(account_id=account.pk)

    listing = Listing.objects.get(account=account, external_sku="LIN-0001-1")
    assert (summary.pushed, summary.failed) == (0, 1)
    assert summary.retry_in is not None and summary.retry_in > 0  # the bucket refills meanwhile
    assert listing.needs_push is True
    assert "throttled" in listing.last_error
    assert fake_shopify.state.available("LIN-0001-1") == 3
    assert fake_shopify.counters["throttled"] == 1


def test_a_429_during_a_push_is_retried_after_retry_after(fake_shopify, shopify_account, stocked):
    account, location, skus = _live(fake_shopify, shopify_account, stocked, {"LIN-0001-1": 3})
    fake_shopify.faults.rate_limit_next(1, retry_after=0.1)
    stock_receive(sku=skus["LIN-0001-1"], location=location, quantity=1)
    listings_mark_dirty(sku_ids=[skus["LIN-0001-1"].pk])

    summary = account_push_dirty(account_id=account.pk)

    assert summary.pushed == 1
    assert fake_shopify.state.available("LIN-0001-1") == 4
    assert fake_shopify.counters["injected_429"] == 1
