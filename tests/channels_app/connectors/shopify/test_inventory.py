"""Quantity pushes and reads against the fake shop: compare-and-swap, idempotency, versions."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import AccountConfig, ListingRef, QuantityUpdate
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.registry import connector_build
from config.sandbox.shopify import FakeShopify
from config.sandbox.shopify.fixtures import TODAY

from .conftest import first_location


def _ref(fake, sku: str) -> ListingRef:
    variant = fake.state.variant_by_sku(sku)
    return ListingRef(
        external_id=variant.gid,
        external_variant_id=variant.gid,
        external_inventory_item_id=f"gid://shopify/InventoryItem/{variant.inventory_item_id}",
        external_sku=sku,
        extra={"location_id": first_location(fake)},
    )


def _update(fake, sku: str, quantity: int, expected: int | None, key: str = "") -> QuantityUpdate:
    return QuantityUpdate(
        listing=_ref(fake, sku),
        quantity=quantity,
        expected=expected,
        idempotency_key=key or f"k-{sku}-{quantity}",
    )


def _set(fake, sku: str, available: int) -> None:
    with fake.state.lock:
        variant = fake.state.variant_by_sku(sku)
        level = fake.state.level(variant.inventory_item_id, next(iter(fake.state.locations)))
        level.quantities["available"] = available


def test_a_push_sets_available_with_change_from_quantity_and_an_idempotency_key(fake_shopify, shop_connector):
    _set(fake_shopify, "LIN-0001-1", 4)
    _set(fake_shopify, "LIN-0001-2", 9)
    connector = shop_connector()

    results = connector.quantities_push(
        updates=[_update(fake_shopify, "LIN-0001-1", 7, 4), _update(fake_shopify, "LIN-0001-2", 0, 9)]
    )

    assert sorted((r.outcome, r.observed) for r in results) == [("ok", 0), ("ok", 7)]
    assert fake_shopify.state.available("LIN-0001-1") == 7
    assert fake_shopify.state.available("LIN-0001-2") == 0
    assert fake_shopify.counters["mutation:inventorySetQuantities"] == 1
    assert len(fake_shopify.idempotency) == 1


def test_a_stale_quantity_is_re_read_and_reported_while_the_others_are_applied(fake_shopify, shop_connector):
    _set(fake_shopify, "LIN-0001-1", 3)  # a buyer took one: we still believe 4
    _set(fake_shopify, "LIN-0001-2", 9)
    connector = shop_connector()

    results = connector.quantities_push(
        updates=[_update(fake_shopify, "LIN-0001-1", 8, 4), _update(fake_shopify, "LIN-0001-2", 5, 9)]
    )

    by_sku = {r.external_id: r for r in results}
    stale = by_sku[fake_shopify.state.variant_by_sku("LIN-0001-1").gid]
    applied = by_sku[fake_shopify.state.variant_by_sku("LIN-0001-2").gid]
    assert (stale.outcome, stale.observed) == ("stale", 3)
    assert (applied.outcome, applied.observed) == ("ok", 5)
    assert fake_shopify.state.available("LIN-0001-1") == 3  # the sold unit is not resurrected
    assert fake_shopify.state.available("LIN-0001-2") == 5
    assert fake_shopify.counters["mutation:inventorySetQuantities"] == 2
    assert fake_shopify.counters["query:nodes"] == 1


def test_without_a_belief_the_live_figure_is_read_and_used_for_the_swap(fake_shopify, shop_connector):
    _set(fake_shopify, "LIN-0002-1", 6)
    connector = shop_connector()

    results = connector.quantities_push(updates=[_update(fake_shopify, "LIN-0002-1", 2, None)])

    assert [(r.outcome, r.observed) for r in results] == [("ok", 2)]
    assert fake_shopify.state.available("LIN-0002-1") == 2
    assert fake_shopify.counters["query:nodes"] == 1


def test_a_repeated_push_is_replayed_by_shopify_and_not_applied_twice(fake_shopify, shop_connector):
    _set(fake_shopify, "LIN-0001-1", 4)
    connector = shop_connector()
    update = _update(fake_shopify, "LIN-0001-1", 7, 4, key="1-5-3-7")

    first = connector.quantities_push(updates=[update])
    _set(fake_shopify, "LIN-0001-1", 6)  # a sale after our push
    second = connector.quantities_push(updates=[update])  # the engine retries after a lost answer

    assert [r.outcome for r in first] == [r.outcome for r in second] == ["ok"]
    assert fake_shopify.counters["idempotent_replays"] == 1
    assert fake_shopify.state.available("LIN-0001-1") == 6


def test_an_unknown_item_fails_alone(fake_shopify, shop_connector):
    connector = shop_connector()
    ghost = QuantityUpdate(
        listing=ListingRef(
            external_id="gid://shopify/ProductVariant/1",
            external_inventory_item_id="gid://shopify/InventoryItem/1",
            extra={"location_id": first_location(fake_shopify)},
        ),
        quantity=3,
        expected=0,
        idempotency_key="ghost",
    )
    _set(fake_shopify, "LIN-0003-1", 1)

    results = connector.quantities_push(updates=[ghost, _update(fake_shopify, "LIN-0003-1", 2, 1)])

    by_id = {r.external_id: r for r in results}
    assert by_id["gid://shopify/ProductVariant/1"].outcome == "error"
    assert "INVALID_INVENTORY_ITEM" in by_id["gid://shopify/ProductVariant/1"].error
    assert by_id[fake_shopify.state.variant_by_sku("LIN-0003-1").gid].outcome == "ok"
    assert fake_shopify.state.available("LIN-0003-1") == 2


def test_more_than_250_quantities_are_refused_before_any_call(fake_shopify, shop_connector):
    connector = shop_connector()
    updates = [_update(fake_shopify, "LIN-0001-1", i, 0, key=str(i)) for i in range(251)]

    with pytest.raises(ConnectorError):
        connector.quantities_push(updates=updates)

    assert fake_shopify.counters.get("requests", 0) == 0


def test_quantities_fetch_reads_available_at_each_listing_location(fake_shopify, shop_connector):
    _set(fake_shopify, "LIN-0001-1", 11)
    _set(fake_shopify, "LIN-0004-2", 0)
    connector = shop_connector()
    refs = [_ref(fake_shopify, "LIN-0001-1"), _ref(fake_shopify, "LIN-0004-2")]

    live = connector.quantities_fetch(listings=refs)

    assert live == {refs[0].external_id: 11, refs[1].external_id: 0}


@pytest.fixture
def legacy_shop(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    fake = FakeShopify(today=TODAY, supported_versions=["2025-10", "2026-01"]).start()
    fake.state.seed(seed=1)
    yield fake
    fake.stop()


def test_before_2026_01_compare_quantity_is_used_without_the_idempotent_directive(legacy_shop):
    config = AccountConfig(
        account_id=1,
        base_url=legacy_shop.url,
        credentials={"access_token": legacy_shop.access_token},
        options={"api_version": "2025-10", "location_id": first_location(legacy_shop)},
    )
    connector = connector_build(kind="shopify", config=config)
    _set(legacy_shop, "LIN-0001-1", 3)
    _set(legacy_shop, "LIN-0001-2", 2)

    results = connector.quantities_push(
        updates=[_update(legacy_shop, "LIN-0001-1", 8, 4), _update(legacy_shop, "LIN-0001-2", 1, 2)]
    )

    assert sorted((r.outcome, r.observed) for r in results) == [("ok", 1), ("stale", 3)]
    assert legacy_shop.state.available("LIN-0001-1") == 3
    assert legacy_shop.state.available("LIN-0001-2") == 1
    assert legacy_shop.idempotency == {}
    assert connector.client.served_version == "2025-10"


def test_a_full_push_of_10000_skus_takes_40_calls_the_minimum_the_input_limit_allows(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    fake = FakeShopify(today=TODAY)
    fake.state.seed(seed=3, products=5000, variants_per_product=2, locations=1)
    fake.start()
    try:
        location, location_number = first_location(fake), next(iter(fake.state.locations))
        config = AccountConfig(
            account_id=1,
            base_url=fake.url,
            credentials={"access_token": fake.access_token},
            options={"location_id": location},
        )
        connector = connector_build(kind="shopify", config=config)
        updates = [
            QuantityUpdate(
                listing=ListingRef(
                    external_id=variant.gid,
                    external_inventory_item_id=f"gid://shopify/InventoryItem/{variant.inventory_item_id}",
                    extra={"location_id": location},
                ),
                quantity=7,
                expected=fake.state.level(variant.inventory_item_id, location_number).get("available"),
                idempotency_key=f"full-{variant.id}",
            )
            for variant in fake.state.variants.values()
        ]

        results = []
        for start in range(0, len(updates), connector.batch_max):
            results += connector.quantities_push(updates=updates[start : start + connector.batch_max])

        assert len(updates) == 10000
        assert {r.outcome for r in results} == {"ok"} and len(results) == 10000
        assert fake.counters["requests"] == 40 == fake.counters["mutation:inventorySetQuantities"]
        assert fake.counters.get("throttled", 0) == 0
        assert {level.get("available") for level in fake.state.levels.values()} == {7}
    finally:
        fake.stop()


def test_a_permanent_refusal_wins_over_staleness_for_the_same_item(fake_shopify, shop_connector):
    _set(fake_shopify, "LIN-0001-1", 3)
    connector = shop_connector()

    results = connector.quantities_push(updates=[_update(fake_shopify, "LIN-0001-1", -1, 4)])

    assert [r.outcome for r in results] == ["error"]
    assert results[0].error.startswith("INVALID_QUANTITY_NEGATIVE")
    assert fake_shopify.counters.get("query:nodes", 0) == 0
    assert fake_shopify.state.available("LIN-0001-1") == 3
