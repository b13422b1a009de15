"""The fake Magento behaves as documented: signature checks, paging, reservations, input limits."""

from __future__ import annotations

import json

import requests

from channels_app.connectors.magento.oauth import authorization_header
from config.sandbox.magento import FakeMagento


def _get(
    fake: FakeMagento, resource: str, query: str = "", *, secret: str | None = None, nonce: str | None = None
):
    creds = fake.integration.credentials()
    url = f"{fake.url}/rest/default/V1/{resource}" + (f"?{query}" if query else "")
    header = authorization_header(
        method="GET",
        url=url,
        consumer_key=creds["consumer_key"],
        consumer_secret=secret or creds["consumer_secret"],
        token=creds["access_token"],
        token_secret=creds["access_token_secret"],
        nonce=nonce,
    )
    return requests.get(url, headers={"Authorization": header}, timeout=5)


def test_signature_nonce_and_bearer_checks():
    with FakeMagento() as fake:
        assert _get(fake, "orders", "searchCriteria%5BpageSize%5D=5").status_code == 200
        bad = _get(fake, "orders", secret="wrong")
        assert (bad.status_code, bad.json()) == (
            401,
            {"message": "The signature is invalid. Verify and try again."},
        )
        assert _get(fake, "orders", nonce="n-1").status_code == 200
        again = _get(fake, "orders", nonce="n-1")
        assert again.status_code == 401 and "nonce is already being used" in again.json()["message"]
        bearer = {"Authorization": f"Bearer {fake.integration.access_token}"}
        refused = requests.get(f"{fake.url}/rest/default/V1/orders", headers=bearer, timeout=5)
        assert refused.status_code == 401
        assert refused.json()["parameters"] == {"resources": "Magento_Sales::actions_view"}
        fake.integration.bearer_enabled = True
        assert (
            requests.get(f"{fake.url}/rest/default/V1/orders", headers=bearer, timeout=5).status_code == 200
        )
        missing = requests.get(f"{fake.url}/rest/default/V1/nothing", headers=bearer, timeout=5)
        assert (missing.status_code, missing.json()) == (
            404,
            {"message": "Request does not match any route."},
        )


def test_a_page_past_the_end_repeats_the_last_page():
    with FakeMagento() as fake:
        for i in range(5):
            fake.store.product_add(f"P{i}")
        query = "searchCriteria%5BpageSize%5D=2&searchCriteria%5BcurrentPage%5D={}&searchCriteria%5BsortOrders%5D%5B0%5D%5Bfield%5D=sku&searchCriteria%5BsortOrders%5D%5B0%5D%5Bdirection%5D=ASC"  # noqa: E501
        pages = [
            [p["sku"] for p in _get(fake, "products", query.format(n)).json()["items"]] for n in (1, 3, 4, 9)
        ]
        assert pages == [["P0", "P1"], ["P4"], ["P4"], ["P4"]]
        fake.repeat_last_page = False
        assert _get(fake, "products", query.format(4)).json() == {
            "items": [],
            "search_criteria": {
                "filter_groups": [],
                "sort_orders": [{"field": "sku", "direction": "ASC"}],
                "current_page": 4,
                "page_size": 2,
            },
            "total_count": 5,
        }


def test_reservations_lower_salable_until_shipment_and_buy_endpoint():
    with FakeMagento() as fake:
        store = fake.store
        store.product_add("A")
        store.source_item_set("A", "default", 3)
        bought = requests.post(f"{fake.url}/_fake/buy", json={"sku": "A", "quantity": 2}, timeout=5)
        assert bought.status_code == 201
        order_id = int(bought.json()["order_id"])
        assert (store.source_quantity("A", "default"), store.reserved("A"), fake.quantities()) == (
            3,
            2,
            {"A": 1},
        )
        refused = requests.post(f"{fake.url}/_fake/buy", json={"sku": "A", "quantity": 2}, timeout=5)
        assert (refused.status_code, refused.json()) == (409, {"error": "out of stock"})
        store.ship(order_id, items=None, source_code="default", tracks=[])
        assert (store.source_quantity("A", "default"), store.reserved("A"), fake.quantities()) == (
            1,
            0,
            {"A": 1},
        )
        assert requests.get(f"{fake.url}/_fake/quantities", timeout=5).json() == {"A": 1}
        assert store.orders[order_id]["state"] == "complete"


def test_input_limits_refuse_more_than_20_items():
    with FakeMagento() as fake:
        fake.input_limits = True
        status, body = fake.handle(
            method="POST",
            raw_path="/rest/default/V1/inventory/source-items",
            host="x",
            authorization="",
            body=b'{"sourceItems": []}',
        )
        assert status == 401  # authentication first
        fake.integration.bearer_enabled = True
        items = [{"sku": f"S{i}", "source_code": "default", "quantity": 1, "status": 1} for i in range(21)]

        status, body = fake.handle(
            method="POST",
            raw_path="/rest/default/V1/inventory/source-items",
            host="x",
            authorization=f"Bearer {fake.integration.access_token}",
            body=json.dumps({"sourceItems": items}).encode(),
        )
        assert (status, body["parameters"]["max"]) == (400, 20)
        assert body["message"] == 'Maximum items of type "%type" is %max'
        assert fake.store.items == {}
