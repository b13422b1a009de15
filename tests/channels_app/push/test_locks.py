"""Writers of several listings lock them in primary-key order, so they never deadlock."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, transaction

from channels_app.models import Listing
from channels_app.push.locks import listings_lock, listings_lock_markable
from channels_app.push.outbox import listings_mark_dirty
from channels_app.services.accounts import account_create
from tests.factories import SKUFactory
from tests.helpers import lock_waiters_await, skip_unless_postgresql


def _account(name: str, *, enabled: bool = True):
    account = account_create(
        kind="generic",
        name=name,
        base_url=f"https://{name.lower()}.example.com/",
        credentials={"api_key": "k", "webhook_secret": "s"},
        schedule=False,
    )
    if not enabled:
        type(account).objects.filter(pk=account.pk).update(enabled=False)
    return account


@pytest.mark.django_db
def test_the_markable_listings_are_locked_and_returned_in_primary_key_order():
    skip_unless_postgresql()
    shop, off = _account("Shop"), _account("Off", enabled=False)
    hot, cold = SKUFactory(code="HOT"), SKUFactory(code="COLD")
    later = Listing.objects.create(account=shop, external_id="L-2", sku=hot)
    earlier = Listing.objects.create(account=shop, external_id="L-1", sku=hot)
    Listing.objects.create(account=shop, external_id="L-3", sku=hot, push_enabled=False)
    Listing.objects.create(account=off, external_id="L-4", sku=hot)
    Listing.objects.create(account=shop, external_id="L-5", sku=cold)

    with transaction.atomic():
        ids = listings_lock_markable(sku_ids=[hot.pk])

    assert ids == sorted([later.pk, earlier.pk])


def _locked_elsewhere(listing_id: int) -> bool:
    """True if another transaction holds the row lock of ``listing_id`` (tried from a thread)."""
    found = []

    def probe():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM channels_app_listing WHERE id = %s FOR UPDATE NOWAIT", [listing_id]
                )
            found.append(False)
        except OperationalError:
            found.append(True)
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return found[0]


@pytest.mark.django_db(transaction=True)
def test_marking_waits_at_the_first_locked_listing_without_taking_the_later_ones():
    skip_unless_postgresql()
    shop = _account("Shop")
    sku_low, sku_high = SKUFactory(code="LOW"), SKUFactory(code="HIGH")
    low = Listing.objects.create(account=shop, external_id="L-LOW", sku=sku_low)
    high = Listing.objects.create(account=shop, external_id="L-HIGH", sku=sku_high)
    # Rewriting the lower one moves it behind the higher one in the table, so an UPDATE that
    # follows the table's order would lock the higher one first.
    Listing.objects.filter(pk=low.pk).update(external_id="L-LOW2")
    holding, marked = threading.Event(), []

    def mark():
        try:
            assert holding.wait(30)
            marked.append(listings_mark_dirty(sku_ids=[sku_high.pk, sku_low.pk]))
        finally:
            connection.close()

    marker = threading.Thread(target=mark)
    with transaction.atomic():
        listings_lock(ids=[low.pk])  # another writer holds the lower listing
        marker.start()
        holding.set()
        waiting = lock_waiters_await()  # the marker now waits for the lower listing
        high_taken = _locked_elsewhere(high.pk)
    marker.join()

    assert (waiting, high_taken) == (1, False)
    assert marked == [{shop.pk}]
    assert sorted(Listing.objects.values_list("external_id", "needs_push", "dirty_version")) == [
        ("L-HIGH", True, 1),
        ("L-LOW2", True, 1),
    ]
