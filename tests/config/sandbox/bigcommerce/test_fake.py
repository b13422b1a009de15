"""The fake BigCommerce store speaks BigCommerce's protocol: auth, scopes, quota headers, errors,
pagination, the buyer's control endpoints, hooks scoped to their API account."""

from __future__ import annotations

import pytest
import requests

from config.sandbox.bigcommerce import FakeBigCommerce


@pytest.fixture
def fake():
    store = FakeBigCommerce(quota=5, window_ms=30_000)
    store.state.add_product("Mug", sku="MUG", quantity=2)
    store.state.add_product("Gift", sku="GIFT", tracking="none")
    with store:
        yield store


def _get(fake, path, token=None, **params):
    headers = {"X-Auth-Token": token or fake.access_token, "Accept": "application/json"}
    return requests.get(f"{fake.url}stores/abc123/{path}", headers=headers, params=params, timeout=5)


def test_a_wrong_token_gets_the_v3_and_v2_error_bodies(fake):
    v3 = _get(fake, "v3/catalog/products", token="nope")
    v2 = _get(fake, "v2/orders", token="nope")

    assert v3.status_code == v2.status_code == 401
    assert v3.json()["status"] == 401 and v3.json()["title"].startswith("Unauthorized")
    assert v2.json() == [{"status": 401, "message": "You are not authorized to access this resource."}]


def test_an_unknown_store_hash_is_404(fake):
    answer = requests.get(
        f"{fake.url}stores/other/v3/catalog/products", headers={"X-Auth-Token": "x"}, timeout=5
    )
    assert answer.status_code == 404


def test_a_token_without_the_scope_gets_403(fake):
    reader = fake.add_api_account({"store_v2_products_read_only"})

    assert _get(fake, "v3/catalog/products", token=reader.access_token).status_code == 200
    assert _get(fake, "v2/orders", token=reader.access_token).status_code == 403


def test_every_answer_carries_the_quota_headers_and_the_quota_is_shared(fake):
    other = fake.add_api_account({"store_v2_products_read_only"})
    first = _get(fake, "v3/catalog/products")
    for _ in range(4):
        _get(fake, "v3/catalog/products", token=other.access_token)

    refused = _get(fake, "v3/catalog/products")

    assert first.headers["X-Rate-Limit-Requests-Quota"] == "5"
    assert first.headers["X-Rate-Limit-Requests-Left"] == "4"
    assert first.headers["X-Rate-Limit-Time-Window-Ms"] == "30000"
    assert 0 < int(first.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 30000
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert 0 < int(refused.headers["X-Retry-After"]) <= 30


def test_a_body_without_json_content_type_is_415(fake):
    answer = requests.put(
        f"{fake.url}stores/abc123/v3/inventory/adjustments/absolute",
        data=b'{"items": []}',
        headers={"X-Auth-Token": fake.access_token, "Content-Type": "text/plain"},
        timeout=5,
    )
    assert answer.status_code == 415


def test_buy_takes_the_stores_own_stock_and_quantities_show_it(fake):
    buy = requests.post(f"{fake.url}_fake/buy", json={"sku": "MUG", "quantity": 2}, timeout=5)
    again = requests.post(f"{fake.url}_fake/buy", json={"sku": "MUG", "quantity": 1}, timeout=5)

    assert buy.status_code == 201
    order_id = buy.json()["order_id"]
    assert again.status_code == 409 and again.json() == {"error": "out of stock"}
    assert requests.get(f"{fake.url}_fake/quantities", timeout=5).json() == {"MUG": 0, "GIFT": None}
    order = _get(fake, f"v2/orders/{order_id}").json()
    assert (order["status_id"], order["status"], order["items_total"]) == (11, "Awaiting Fulfillment", 2)
    assert order["date_modified"].endswith("+0000")


def test_empty_v2_collections_are_204_and_v3_pages_have_meta(fake):
    assert _get(fake, "v2/orders").status_code == 204
    page = _get(fake, "v3/catalog/products", limit=1, page=2).json()
    assert page["meta"]["pagination"]["total_pages"] == 2
    assert page["meta"]["pagination"]["current_page"] == 2
    assert _get(fake, "v3/catalog/products", limit=251).status_code == 422


def test_hooks_are_visible_only_to_the_api_account_that_made_them(fake):
    other = fake.add_api_account(set())
    created = requests.post(
        f"{fake.url}stores/abc123/v3/hooks",
        json={
            "scope": "store/order/created",
            "destination": "https://example.com/h",
            "headers": {"X-A": "b"},
        },
        headers={
            "X-Auth-Token": fake.access_token,
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
        timeout=5,
    )

    assert created.status_code == 200
    hook = created.json()["data"]
    assert (hook["is_active"], hook["headers"], hook["client_id"]) == (True, {"X-A": "b"}, fake.client_id)
    assert _get(fake, "v3/hooks", token=other.access_token).json()["data"] == []
    assert _get(fake, f"v3/hooks/{hook['id']}", token=other.access_token).status_code == 404
