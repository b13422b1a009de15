"""The fake ShipStation itself: auth, the per-minute budget and its headers, validation, paging."""

from __future__ import annotations

import requests

from config.sandbox.shipstation.server import FakeShipStation

AUTH = ("k", "s")
ORDER = {
    "orderNumber": "1",
    "orderKey": "key-1",
    "orderDate": "2026-11-27 08:00:00",
    "orderStatus": "awaiting_shipment",
    "billTo": {"name": "A"},
    "shipTo": {"name": "A"},
    "items": [{"lineItemKey": "9", "sku": "X", "quantity": 2}],
}


def test_basic_auth_is_required():
    with FakeShipStation(api_key="k", api_secret="s") as ss:
        assert requests.get(f"{ss.base_url}/shipments", auth=("k", "bad"), timeout=5).status_code == 401
        assert requests.get(f"{ss.base_url}/shipments", timeout=5).status_code == 401
        assert requests.get(f"{ss.base_url}/shipments", auth=AUTH, timeout=5).status_code == 200


def test_rate_limit_headers_count_down_then_429():
    with FakeShipStation(api_key="k", api_secret="s", per_minute=2) as ss:
        answers = [requests.get(f"{ss.base_url}/orders", auth=AUTH, timeout=5) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["X-Rate-Limit-Remaining"] for a in answers] == ["1", "0", "0"]
    assert answers[0].headers["X-Rate-Limit-Limit"] == "2"
    assert 0 < int(answers[2].headers["X-Rate-Limit-Reset"]) <= 60


def test_createorder_upserts_by_order_key_and_validates():
    with FakeShipStation(api_key="k", api_secret="s") as ss:
        first = requests.post(f"{ss.base_url}/orders/createorder", json=ORDER, auth=AUTH, timeout=5).json()
        second = requests.post(
            f"{ss.base_url}/orders/createorder", json={**ORDER, "customerEmail": "x@y"}, auth=AUTH, timeout=5
        ).json()
        bad = requests.post(f"{ss.base_url}/orders/createorder", json={"orderKey": "k"}, auth=AUTH, timeout=5)

    assert first["orderId"] == second["orderId"] and len(ss.orders) == 1
    assert bad.status_code == 400
    assert "apiOrder.orderNumber" in bad.json()["ModelState"]


def test_shipments_page_and_carry_items_only_when_asked():
    with FakeShipStation(api_key="k", api_secret="s") as ss:
        requests.post(f"{ss.base_url}/orders/createorder", json=ORDER, auth=AUTH, timeout=5)
        for n in range(3):
            ss.ship("key-1", items=[("9", 1)], tracking=f"T{n}")
        page = requests.get(f"{ss.base_url}/shipments?pageSize=2&page=2", auth=AUTH, timeout=5).json()
        with_items = requests.get(
            f"{ss.base_url}/shipments?includeShipmentItems=true", auth=AUTH, timeout=5
        ).json()

    assert (page["total"], page["page"], page["pages"], len(page["shipments"])) == (3, 2, 2, 1)
    assert page["shipments"][0]["shipmentItems"] is None
    assert with_items["shipments"][0]["shipmentItems"][0]["lineItemKey"] == "9"
