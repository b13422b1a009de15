"""The fake ShippingEasy itself: the published signature algorithm is enforced on every call."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import quote_plus

import pytest
import requests

from config.sandbox.shippingeasy.server import FakeShippingEasy

ORDER = {
    "order": {
        "external_order_identifier": "E-1",
        "ordered_at": "2026-11-27 08:00:00 +0000",
        "recipients": [
            {"first_name": "A", "line_items": [{"sku": "X", "quantity": 1, "ext_line_item_id": "1"}]}
        ],
    }
}


def _signed(
    fake: FakeShippingEasy, method: str, path: str, body: str, secret: str = "se-secret", **extra
) -> dict:
    params = {"api_key": "se-key", "api_timestamp": str(int(time.time())), **extra}
    query = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    text = f"{method}&{path}&{query}" + (f"&{body}" if body else "")
    params["api_signature"] = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    return params


def test_a_correctly_signed_create_is_accepted_and_a_wrong_secret_refused():
    with FakeShippingEasy() as fake:
        body = json.dumps(ORDER)
        path = "/api/stores/store1/orders"
        ok = requests.post(
            f"{fake.base_url}{path}", params=_signed(fake, "POST", path, body), data=body, timeout=5
        )
        bad = requests.post(
            f"{fake.base_url}{path}",
            params=_signed(fake, "POST", path, body, secret="x"),
            data=body,
            timeout=5,
        )
        stale = _signed(fake, "POST", path, body)
        stale["api_timestamp"] = "1"
        old = requests.post(f"{fake.base_url}{path}", params=stale, data=body, timeout=5)

    assert ok.status_code == 201 and ok.json()["order"]["external_order_identifier"] == "E-1"
    assert (bad.status_code, old.status_code) == (401, 401)
    assert len(fake.orders) == 1


def test_orders_are_found_by_order_number_and_status_with_meta():
    with FakeShippingEasy() as fake:
        body = json.dumps(ORDER)
        path = "/api/stores/store1/orders"
        requests.post(
            f"{fake.base_url}{path}", params=_signed(fake, "POST", path, body), data=body, timeout=5
        )
        params = _signed(fake, "GET", "/api/orders", "", order_number="E-1", status="ready_for_shipment")
        found = requests.get(f"{fake.base_url}/api/orders", params=params, timeout=5).json()

    assert [o["external_order_identifier"] for o in found["orders"]] == ["E-1"]
    assert found["meta"]["total_pages"] == 1


def _get_orders(fake: FakeShippingEasy, extra: dict) -> requests.Response:
    params = {"api_key": "se-key", "api_timestamp": str(int(time.time())), **extra}
    query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in sorted(params.items()))
    text = f"GET&/api/orders&{query}"
    params["api_signature"] = hmac.new(b"se-secret", text.encode(), hashlib.sha256).hexdigest()
    return requests.get(f"{fake.base_url}/api/orders", params=params, timeout=5)


@pytest.mark.parametrize(
    "params",
    [{"status": "pending"}, {"last_updated_at": "2026-12-05 20:58:36 UTC"}, {"last_updated_at": "yesterday"}],
)
def test_the_fake_refuses_what_the_documentation_does_not_allow(params):
    with FakeShippingEasy() as fake:
        answer = _get_orders(fake, params)

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"]
