"""Usage plans kept from our side, a token expiring in the middle of a poll, and every request
checked against Amazon's models."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from channels_app.connectors.dto import FulfilmentDTO, ListingRef, QuantityUpdate
from channels_app.intake.polling import account_orders_sync
from channels_app.services.accounts import account_connector
from config.sandbox.amazon import specs as amazon_specs
from inventory_app.models import Order
from tests.channels_app.connectors.amazon.conftest import requests_validate

pytestmark = pytest.mark.django_db


def test_eight_patches_stay_inside_the_five_a_second_plan_without_a_429(fake_factory, connect):
    amazon = fake_factory(frozen=False)  # the fake's buckets refill in real time
    skus = [f"S{n}" for n in range(8)]
    for sku in skus:
        amazon.seed_listing(sku, 0)
    connector = account_connector(account=connect(amazon, patch_max=10))
    updates = [
        QuantityUpdate(listing=ListingRef(external_id=s), quantity=3, expected=0, idempotency_key=s)
        for s in skus
    ]

    started = time.monotonic()
    results = connector.quantities_push(updates=updates)
    elapsed = time.monotonic() - started

    assert [r.outcome for r in results] == ["ok"] * 8
    assert amazon.stats.throttled["patchListingsItem"] == 0
    assert elapsed >= 0.5  # burst 5, then three more tokens at (5/s less our 10 % margin)
    assert [amazon.quantity(s) for s in skus] == [3] * 8


def test_a_token_expiring_in_the_middle_of_a_poll_is_refreshed_and_the_poll_completes(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)
    amazon.place_order("LINEN-1", 1)
    amazon.place_order("LINEN-1", 1)
    account_connector(account=account).listing_fetch(sku="LINEN-1")  # a token is cached
    amazon.faults.slow("getOrderItems", seconds=0.6, times=1)
    expiry = threading.Timer(0.3, amazon.state.expire_access_tokens)  # while getOrderItems is in flight

    expiry.start()
    result = account_orders_sync(account_id=account.pk)
    expiry.join()

    assert result == {"orders": 2, "applied": 2, "busy": 0}
    assert Order.objects.count() == 2
    assert amazon.stats.requests["lwa:token"] == 2
    assert amazon.stats.statuses[("getOrderItems", 403)] == 1
    assert sum(n for (_, status), n in amazon.stats.statuses.items() if status == 403) == 1


@pytest.mark.skipif(amazon_specs.specs_dir() is None, reason="../shared/specs/amazon is absent")
def test_every_request_of_a_full_cycle_is_valid_against_amazons_models(amazon, connect):
    for sku in ("A", "B", "C"):
        amazon.seed_listing(sku, 2)
    account = connect(amazon, patch_max=1, feed_min=1)
    connector = account_connector(account=account)
    placed = amazon.place_order("A", 1)
    amazon.advance(300)
    account_orders_sync(account_id=account.pk)
    updates = [
        QuantityUpdate(listing=ListingRef(external_id=s), quantity=q, expected=2, idempotency_key=s)
        for s, q in (("A", 0), ("B", 5), ("C", 6))
    ]
    first = connector.quantities_push(updates=updates)
    amazon.advance(100)
    tokens = {r.external_id: r.submission_id for r in first}
    connector.quantities_push(
        updates=[
            replace(u, listing=replace(u.listing, push_submission=tokens[u.listing.external_id]))
            for u in updates[1:]
        ]
    )
    connector.quantities_fetch(listings=[ListingRef(external_id="A")])
    connector.fulfilment_push(
        fulfilment=FulfilmentDTO(
            order_external_id=placed.amazon_order_id,
            lines={placed.items[0].order_item_id: 1},
            carrier="USPS",
            tracking_number="9400",
        )
    )

    operations = {r["operation"] for r in amazon.requests}
    assert operations >= {
        "getOrders",
        "getOrderItems",
        "patchListingsItem",
        "createFeedDocument",
        "createFeed",
        "getFeed",
        "getFeedDocument",
        "getListingsItem",
        "confirmShipment",
    }
    assert requests_validate(amazon) == len([r for r in amazon.requests if r["operation"] != "lwa:token"])


@pytest.mark.skipif(amazon_specs.specs_dir() is None, reason="../shared/specs/amazon is absent")
def test_the_model_check_itself_catches_a_request_amazon_would_refuse():
    model = amazon_specs.model("orders")

    with pytest.raises(AssertionError, match="MarketplaceIds"):
        model.validate_request("getOrders", query={"LastUpdatedAfter": ["2026-01-01T00:00:00Z"]})
