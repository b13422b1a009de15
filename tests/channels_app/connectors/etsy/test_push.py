"""Quantity pushes against the fake Etsy: one SKU changes, everything else stays exactly as it was."""

from __future__ import annotations

import copy

from tests.channels_app.connectors.etsy.conftest import TEE, simple, update, without_ids


def test_an_update_of_one_sku_leaves_every_other_product_offering_and_price_exactly_as_it_was(
    fake_etsy, etsy
):
    listing_id = fake_etsy.state.listing_add(title="Tee", inventory=TEE)
    before = fake_etsy.state.inventory(listing_id)
    ids_before = {p["product_id"] for p in before["products"]}

    results = etsy().quantities_push(updates=[update(listing_id, "TEE-RED-M", 2, expected=5)])

    assert [(r.external_id, r.outcome, r.observed) for r in results] == [(f"{listing_id}:TEE-RED-M", "ok", 2)]
    after = fake_etsy.state.inventory(listing_id)
    wanted = without_ids(before)
    wanted[1]["offerings"][0]["quantity"] = 2
    assert without_ids(after) == wanted  # prices (Money), properties, SKUs, readiness: all as they were
    assert {k: after[k] for k in after if k != "products"} == {
        k: before[k] for k in before if k != "products"
    }
    assert ids_before.isdisjoint({p["product_id"] for p in after["products"]})  # Etsy re-issued the ids
    calls = [(r.method, r.path) for r in fake_etsy.api_calls()]
    assert calls == [
        ("GET", "/v3/application/listings/batch/inventory"),
        ("PUT", f"/v3/application/listings/{listing_id}/inventory"),
    ]


def test_the_put_carries_decimal_prices_and_no_read_only_fields(fake_etsy, etsy):
    listing_id = fake_etsy.state.listing_add(title="Tee", inventory=TEE)

    etsy().quantities_push(updates=[update(listing_id, "TEE-BLU-S", 0, expected=6)])

    put = next(r for r in fake_etsy.requests if r.method == "PUT")
    assert put.headers["content-type"].startswith("application/json")
    assert [o["price"] for p in put.body["products"] for o in p["offerings"]] == [22.0, 24.5, 22.0, 24.5]
    assert [o["quantity"] for p in put.body["products"] for o in p["offerings"]] == [4, 5, 0, 7]
    sent = put.body["products"][0]
    assert set(sent) == {"sku", "property_values", "offerings"}
    assert set(sent["offerings"][0]) == {"price", "quantity", "is_enabled", "readiness_state_id"}
    assert set(sent["property_values"][1]) == {
        "property_id",
        "property_name",
        "scale_id",
        "value_ids",
        "values",
    }
    assert put.body["quantity_on_property"] == [200, 100]


def test_several_skus_of_one_listing_go_in_one_put(fake_etsy, etsy):
    listing_id = fake_etsy.state.listing_add(title="Tee", inventory=TEE)

    results = etsy().quantities_push(
        updates=[
            update(listing_id, "TEE-RED-S", 1, expected=4),
            update(listing_id, "TEE-BLU-M", 9, expected=7),
        ]
    )

    assert sorted((r.external_id.split(":")[1], r.outcome, r.observed) for r in results) == [
        ("TEE-BLU-M", "ok", 9),
        ("TEE-RED-S", "ok", 1),
    ]
    assert [r.method for r in fake_etsy.api_calls()] == ["GET", "PUT"]
    assert fake_etsy.quantities() == {"TEE-RED-S": 1, "TEE-RED-M": 5, "TEE-BLU-S": 6, "TEE-BLU-M": 9}


def test_a_quantity_shared_by_products_moves_together_as_etsy_defines_it(fake_etsy, etsy):
    shared = copy.deepcopy(TEE)
    shared["quantity_on_property"] = [100]  # quantity varies by size only: red S and blue S share one
    shared["sku_on_property"] = [100]
    for product in shared["products"]:
        product["sku"] = "TEE-S" if product["property_values"][1]["values"] == ["S"] else "TEE-M"
        size = product["property_values"][1]["values"][0]
        product["offerings"][0]["quantity"] = 3 if size == "S" else 8
    listing_id = fake_etsy.state.listing_add(title="Tee", inventory=shared)

    results = etsy().quantities_push(updates=[update(listing_id, "TEE-S", 1, expected=3)])

    assert [r.outcome for r in results] == ["ok"]
    quantities = [
        p["offerings"][0]["quantity"]
        for p in fake_etsy.state.inventory(listing_id)["products"]
        if not p["is_deleted"]
    ]
    assert quantities == [1, 8, 1, 8]


def test_a_listing_that_must_show_zero_everywhere_is_deactivated_and_comes_back_with_stock(fake_etsy, etsy):
    listing_id = fake_etsy.state.listing_add(title="Mug", inventory=simple("MUG", 1))
    connector = etsy()

    gone = connector.quantities_push(updates=[update(listing_id, "MUG", 0, expected=1)])

    assert [(r.outcome, r.observed) for r in gone] == [("ok", 0)]
    assert fake_etsy.state.listings[listing_id]["state"] == "inactive"
    assert fake_etsy.quantities() == {"MUG": 0}
    assert [r.method for r in fake_etsy.api_calls()] == ["GET", "PATCH"]  # the one unit stays: no PUT

    back = connector.quantities_push(updates=[update(listing_id, "MUG", 3, expected=0)])

    assert [(r.outcome, r.observed) for r in back] == [("ok", 3)]
    assert fake_etsy.state.listings[listing_id]["state"] == "active"
    assert fake_etsy.quantities() == {"MUG": 3}


def test_a_sold_out_listing_pushed_to_zero_costs_only_the_read(fake_etsy, etsy):
    listing_id = fake_etsy.state.listing_add(title="Mug", inventory=simple("MUG", 1))
    fake_etsy.buy("MUG", 1)

    results = etsy().quantities_push(updates=[update(listing_id, "MUG", 0, expected=1)])

    assert [(r.outcome, r.observed) for r in results] == [("ok", 0)]
    assert fake_etsy.state.listings[listing_id]["state"] == "sold_out"
    assert [r.method for r in fake_etsy.api_calls()] == ["GET"]


def test_an_unknown_listing_fails_alone(fake_etsy, etsy):
    listing_id = fake_etsy.state.listing_add(title="Mug", inventory=simple("MUG", 4))

    results = etsy().quantities_push(
        updates=[update(listing_id, "MUG", 2, expected=4), update(999, "GONE", 1, expected=2)]
    )

    outcomes = {r.external_id: (r.outcome, r.error) for r in results}
    assert outcomes[f"{listing_id}:MUG"] == ("ok", "")
    assert outcomes["999:GONE"] == ("error", "Etsy listing 999 not found")
    assert fake_etsy.quantities() == {"MUG": 2}


def test_listings_and_live_quantities_are_read_per_sku(fake_etsy, etsy):
    tee = fake_etsy.state.listing_add(title="Tee", inventory=TEE)
    mug = fake_etsy.state.listing_add(title="Mug", inventory=simple("MUG", 2), state="inactive")
    connector = etsy(page_size=1)

    found, cursor = [], None
    for _ in range(10):
        page = connector.listings_fetch(cursor=cursor)
        found.extend(page.listings)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert [(d.external_id, d.sku_code, d.quantity) for d in found] == [
        (f"{tee}:TEE-RED-S", "TEE-RED-S", 4),
        (f"{tee}:TEE-RED-M", "TEE-RED-M", 5),
        (f"{tee}:TEE-BLU-S", "TEE-BLU-S", 6),
        (f"{tee}:TEE-BLU-M", "TEE-BLU-M", 7),
        (f"{mug}:MUG", "MUG", 0),
    ]
    refs = [update(tee, "TEE-BLU-S", 0, None).listing, update(mug, "MUG", 0, None).listing]
    assert connector.quantities_fetch(listings=refs) == {f"{tee}:TEE-BLU-S": 6, f"{mug}:MUG": 0}


def test_after_a_429_the_other_listings_wait_for_the_next_call(fake_etsy, etsy):
    ids = [fake_etsy.state.listing_add(title=f"I{n}", inventory=simple(f"S{n}", 4)) for n in range(3)]
    fake_etsy.clock.start, fake_etsy.clock.frozen = fake_etsy.clock(), True  # one second for all
    fake_etsy.limits.per_second = 2  # the read and one PUT, then 429

    results = etsy().quantities_push(updates=[update(lid, f"S{n}", 3 - n, 4) for n, lid in enumerate(ids)])

    assert [(r.external_id, r.outcome, r.throttled) for r in results] == [
        (f"{ids[2]}:S2", "ok", False),  # 4 -> 1: the last units, the most urgent
        (f"{ids[1]}:S1", "retry", True),  # 4 -> 2: Etsy's 429
        (f"{ids[0]}:S0", "deferred", False),  # 4 -> 3: not sent after the 429
    ]
    assert fake_etsy.limits.refused == {"second": 1, "day": 0}  # no call after the 429
