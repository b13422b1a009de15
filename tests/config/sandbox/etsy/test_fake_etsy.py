"""The fake Etsy behaves as Etsy documents: whole-inventory replace, auth, limits, buyers."""

from __future__ import annotations

import pytest
import requests

from config.sandbox.etsy import Clock, FakeEtsy, InventoryError

ONE = {
    "products": [
        {"sku": "A", "property_values": [{"property_id": 100, "property_name": "Size", "scale_id": None,
                                          "value_ids": [1], "values": ["S"]}],
         "offerings": [{"price": 10.0, "quantity": 2, "is_enabled": True, "readiness_state_id": None}]},
        {"sku": "B", "property_values": [{"property_id": 100, "property_name": "Size", "scale_id": None,
                                          "value_ids": [2], "values": ["M"]}],
         "offerings": [{"price": 12.0, "quantity": 3, "is_enabled": True, "readiness_state_id": None}]},
    ],
    "price_on_property": [100], "quantity_on_property": [100], "sku_on_property": [100],
}  # fmt: skip


@pytest.fixture
def fake():
    with FakeEtsy(per_second=3, per_day=5, clock=Clock(frozen=True)) as etsy:
        yield etsy


def _call(fake, method, path, token=None, **kwargs):
    token = token or fake.oauth.grant_direct()["access_token"]
    headers = {"x-api-key": f"{fake.keystring}:{fake.shared_secret}", "Authorization": f"Bearer {token}"}
    return requests.request(method, f"{fake.url}/v3/application/{path}", headers=headers, timeout=5, **kwargs)


def test_a_put_without_a_product_deletes_it_as_on_etsy(fake):
    listing_id = fake.state.listing_add(title="T", inventory=ONE)
    body = {**ONE, "products": [ONE["products"][1]]}

    answer = _call(fake, "PUT", f"listings/{listing_id}/inventory", json=body)

    assert answer.status_code == 200
    assert [p["sku"] for p in answer.json()["products"]] == ["B"]
    deleted = fake.state.inventory(listing_id, show_deleted=True)["products"]
    assert [(p["sku"], p["is_deleted"]) for p in deleted] == [("A", True), ("B", True), ("B", False)]
    assert fake.quantities() == {"B": 3}


def test_a_money_price_an_all_zero_inventory_and_a_missing_readiness_are_refused(fake):
    listing_id = fake.state.listing_add(title="T", inventory=ONE)
    money = {"amount": 1000, "divisor": 100, "currency_code": "USD"}
    bad_price = {
        **ONE,
        "products": [
            {**ONE["products"][0], "offerings": [{**ONE["products"][0]["offerings"][0], "price": money}]}
        ],
    }
    zeros = {
        **ONE,
        "products": [{**p, "offerings": [{**p["offerings"][0], "quantity": 0}]} for p in ONE["products"]],
    }
    no_ready = {
        **ONE,
        "products": [
            {**ONE["products"][0], "offerings": [{"price": 1.0, "quantity": 1, "is_enabled": True}]}
        ],
    }

    answers = [
        _call(fake, "PUT", f"listings/{listing_id}/inventory", json=b) for b in (bad_price, zeros, no_ready)
    ]

    assert [(a.status_code, a.json()["error"]) for a in answers] == [
        (400, "Expected float value for 'price' (got dict)."),
        (400, "One offering must have quantity greater than 0"),
        (400, "readiness_state_id is required"),
    ]
    assert fake.quantities() == {"A": 2, "B": 3}  # nothing changed


def test_shared_quantity_groups_must_agree():
    shared = {**ONE, "quantity_on_property": []}
    with pytest.raises(InventoryError, match="same quantity"):
        FakeEtsy().state.listing_add(title="T", inventory=shared)


def test_auth_errors_are_etsys(fake):
    plain = requests.get(
        f"{fake.url}/v3/application/listings/1/inventory", headers={"x-api-key": fake.keystring}, timeout=5
    )
    token = fake.oauth.grant_direct()["access_token"]
    fake.clock.advance(3601)
    expired = _call(fake, "GET", "listings/1/inventory", token=token)

    assert (plain.status_code, plain.json()) == (
        403,
        {"error": "Shared secret is required in x-api-key header."},
    )
    assert (expired.status_code, expired.json()) == (
        401,
        {"error": "invalid_token", "error_description": "access token is expired"},
    )


def test_per_second_and_daily_limits_answer_429_with_etsys_headers(fake):
    listing_id = fake.state.listing_add(title="T", inventory=ONE)
    token = fake.oauth.grant_direct()["access_token"]
    first = [_call(fake, "GET", f"listings/{listing_id}/inventory", token=token) for _ in range(4)]
    fake.clock.advance(1)
    second = [_call(fake, "GET", f"listings/{listing_id}/inventory", token=token) for _ in range(3)]

    assert [a.status_code for a in first] == [200, 200, 200, 429]
    assert first[0].headers["x-remaining-this-second"] == "2"
    assert first[2].headers["x-remaining-today"] == "2"
    assert first[3].headers["retry-after"] == "1"
    assert [a.status_code for a in second] == [200, 200, 429]
    assert second[2].json() == {"error": "Rate limit exceeded"}
    assert int(second[2].headers["retry-after"]) > 3600  # the day: until the oldest bucket leaves
    assert fake.limits.refused == {"second": 1, "day": 1}


def test_buy_and_quantities_follow_the_demo_contract(fake):
    fake.state.listing_add(title="T", inventory=ONE)

    bought = requests.post(f"{fake.url}/_fake/buy", json={"sku": "A", "quantity": 2}, timeout=5)
    refused = requests.post(f"{fake.url}/_fake/buy", json={"sku": "A", "quantity": 1}, timeout=5)
    shown = requests.get(f"{fake.url}/_fake/quantities", timeout=5)

    assert bought.status_code == 201 and bought.json()["order_id"].isdigit()
    assert (refused.status_code, refused.json()) == (409, {"error": "out of stock"})
    assert shown.json() == {"A": 0, "B": 3}
    receipt = fake.state.receipts[int(bought.json()["order_id"])]
    assert [(t["sku"], t["quantity"]) for t in receipt["transactions"]] == [("A", 2)]
