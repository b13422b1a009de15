"""Reconciliation: drift between the channel's live figure and our last push is recorded and fixed."""

from __future__ import annotations

import pytest

from channels_app.models import DriftRecord, Listing
from channels_app.push.run import account_push_dirty
from channels_app.reconcile.quantities import account_reconcile
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def test_drift_is_recorded_corrected_and_reported(shops, connect):
    location = LocationFactory(code="A")
    for code in ("S1", "S2"):
        stock_receive(sku=SKUFactory(code=code), location=location, quantity=6)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    shop.listing_add("L2", sku="S2", quantity=0)
    account = connect(shop, "Shop")
    account_push_dirty(account_id=account.pk)
    shop.listings["L1"]["quantity"] = 40  # someone edited the figure in the shop's back office

    report = account_reconcile(account_id=account.pk)
    drift = DriftRecord.objects.get()
    account_push_dirty(account_id=account.pk)
    again = account_reconcile(account_id=account.pk)

    assert report == {"checked": 2, "drifted": 1}
    assert (drift.listing.external_id, drift.expected_qty, drift.seen_qty, drift.corrected) == (
        "L1",
        6,
        40,
        True,
    )
    assert (shop.quantity("L1"), shop.quantity("L2")) == (6, 6)
    assert again == {"checked": 2, "drifted": 0}
    assert not Listing.objects.filter(needs_push=True).exists()
