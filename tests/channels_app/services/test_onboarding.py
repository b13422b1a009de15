"""Onboarding: import listings, auto-link by SKU, unlinked list, seeding, preview, dry run to live."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from channels_app.models import Listing, PushRecord
from channels_app.push.run import account_push_dirty
from channels_app.services.accounts import account_create
from channels_app.services.onboarding import (
    account_go_live,
    account_listings_import,
    account_push_preview,
    account_stock_seed,
    listing_link,
    listing_unlink,
)
from inventory_app.models import StockLevel
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def _account(shop, **kwargs):
    return account_create(
        kind="generic",
        name="Shop",
        base_url=shop.base_url,
        credentials={"api_key": shop.api_key, "webhook_secret": shop.webhook_secret},
        options={"rate_per_second": 50, "batch_max": 2},
        **kwargs,
    )


def test_import_autolinks_by_sku_and_lists_the_unlinked(shops):
    SKUFactory(code="S1")
    SKUFactory(code="S2")
    shop = shops()
    for i, code in enumerate(["S1", "S2", "THEIRS"]):
        shop.listing_add(f"L{i}", sku=code, quantity=i + 3)
    account = _account(shop)

    first = account_listings_import(account=account)
    second = account_listings_import(account=account)

    linked = dict(Listing.objects.filter(account=account).values_list("external_id", "sku__code"))
    assert (first, second) == ({"imported": 3, "linked": 2}, {"imported": 3, "linked": 0})
    assert linked == {"L0": "S1", "L1": "S2", "L2": None}
    assert Listing.objects.get(external_id="L2").last_seen_qty == 5


def test_seed_sets_on_hand_from_channel_quantity_and_preview_shows_the_first_push(shops):
    location = LocationFactory(code="A")
    SKUFactory(code="S1")
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=7)
    account = _account(shop, dry_run=True, buffer=1)
    account_listings_import(account=account)

    seeded = account_stock_seed(account=account, location=location)
    reseeded = account_stock_seed(account=account, location=location)
    preview = account_push_preview(account=account)

    assert (seeded, reseeded) == (1, 0)
    assert StockLevel.objects.get(location=location).on_hand == 7
    assert [(p.external_id, p.channel_quantity, p.would_push) for p in preview] == [("L1", 7, 6)]


def test_dry_run_then_go_live_pushes_for_real(shops):
    location = LocationFactory(code="A")
    sku = SKUFactory(code="S1")
    from inventory_app.services.stock import stock_receive

    stock_receive(sku=sku, location=location, quantity=3)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=9)
    account = _account(shop, dry_run=True)
    account_listings_import(account=account)
    account_push_dirty(account_id=account.pk)
    assert shop.quantity("L1") == 9

    account_go_live(account=account)
    account_push_dirty(account_id=account.pk)

    assert shop.quantity("L1") == 3
    assert list(PushRecord.objects.values_list("outcome", "quantity")) == [("dry_run", 3)]
    assert Listing.objects.get().last_pushed_qty == 3


def test_link_marks_dirty_and_unlink_stops_pushing(shops):
    sku = SKUFactory(code="S1")
    shop = shops()
    shop.listing_add("L1", sku="OTHER", quantity=2)
    account = _account(shop)
    account_listings_import(account=account)
    listing = Listing.objects.get()
    Listing.objects.update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    mark = timezone.now()

    linked = listing_link(listing=listing, sku_id=sku.pk)
    assert (linked.sku_id, linked.needs_push) == (sku.pk, True)
    assert linked.updated_at >= mark  # listings?updated_after= sees the link
    Listing.objects.update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    unlinked = listing_unlink(listing=linked)
    assert unlinked.updated_at >= mark
    summary = account_push_dirty(account_id=account.pk)

    assert (unlinked.sku_id, unlinked.needs_push, summary.batches) == (None, False, 0)
    assert shop.quantity("L1") == 2
