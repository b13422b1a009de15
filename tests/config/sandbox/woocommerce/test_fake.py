"""The fake WooCommerce store behaves like the real one where the connector depends on it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from config.sandbox.woocommerce import FakeWooCommerce


@pytest.fixture
def fake():
    with FakeWooCommerce() as store:
        yield store


@pytest.fixture
def receiver():
    """A tiny HTTP endpoint recording what it receives; answers ``receiver.status``."""
    received: list[tuple[dict, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            return

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(server.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.status = 200
    server.received = received
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _auth(fake) -> tuple[str, str]:
    return fake.consumer_key, fake.consumer_secret


def test_basic_and_query_keys_and_woocommerce_errors(fake):
    api = fake.url + "wp-json/wc/v3/products"
    assert requests.get(api, auth=_auth(fake), timeout=5).status_code == 200
    params = {"consumer_key": fake.consumer_key, "consumer_secret": fake.consumer_secret}
    assert requests.get(api, params=params, timeout=5).status_code == 200
    anonymous = requests.get(api, timeout=5)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "woocommerce_rest_cannot_view")
    wrong = requests.get(api, auth=(fake.consumer_key, "cs_bad"), timeout=5)
    assert wrong.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": "Consumer secret is invalid.",
        "data": {"status": 401},
    }
    assert wrong.headers["WWW-Authenticate"].startswith('Basic realm="WooCommerce API.')
    fake.permissions = "read"
    refused = requests.post(api + "/batch", json={"update": []}, auth=_auth(fake), timeout=5)
    assert refused.json()["message"] == "The API key provided does not have write permissions."


def test_pagination_headers_and_per_page_bounds(fake):
    for n in range(25):
        fake.store.product_add(sku=f"P{n}", quantity=1)
    api = fake.url + "wp-json/wc/v3/products"
    page = requests.get(api, params={"per_page": 10, "page": 2}, auth=_auth(fake), timeout=5)
    assert (page.headers["X-WP-Total"], page.headers["X-WP-TotalPages"], len(page.json())) == ("25", "3", 10)
    assert 'rel="prev"' in page.headers["Link"] and 'rel="next"' in page.headers["Link"]
    too_big = requests.get(api, params={"per_page": 101}, auth=_auth(fake), timeout=5)
    assert (too_big.status_code, too_big.json()["code"]) == (400, "rest_invalid_param")


def test_batch_limit_413_and_per_item_errors(fake):
    items = [fake.store.product_add(sku=f"P{n}", quantity=1) for n in range(101)]
    api = fake.url + "wp-json/wc/v3/products/batch"
    body = {"update": [{"id": i["id"], "stock_quantity": 0} for i in items]}
    refused = requests.post(api, json=body, auth=_auth(fake), timeout=5)
    assert refused.status_code == 413
    assert refused.json()["code"] == "woocommerce_rest_request_entity_too_large"
    assert {i["stock_quantity"] for i in items} == {1}
    mixed = requests.post(api, json={"update": [{"id": items[0]["id"], "stock_quantity": 4}, {"id": 999999,
                          "stock_quantity": 1}]}, auth=_auth(fake), timeout=5).json()  # fmt: skip
    assert mixed["update"][0]["stock_quantity"] == 4
    assert mixed["update"][1] == {
        "id": 999999,
        "error": {
            "code": "woocommerce_rest_product_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 400},
        },
    }


def test_buy_deducts_the_store_stock_and_quantities_show_it(fake):
    fake.store.product_add(sku="MUG", quantity=1)
    fake.store.product_add(sku="POSTER", manage_stock=False)
    bought = requests.post(fake.url + "_fake/buy", json={"sku": "MUG", "quantity": 1}, timeout=5)
    assert bought.status_code == 201 and bought.json()["order_id"]
    again = requests.post(fake.url + "_fake/buy", json={"sku": "MUG", "quantity": 1}, timeout=5)
    assert (again.status_code, again.json()) == (409, {"error": "out of stock"})
    assert requests.get(fake.url + "_fake/quantities", timeout=5).json() == {"MUG": 0, "POSTER": None}
    order = fake.store.orders[int(bought.json()["order_id"])]
    assert order["status"] == "processing"
    assert order["line_items"][0]["meta_data"][0]["key"] == "_reduced_stock"


def test_stock_hooks_reduce_once_and_restore_on_cancel(fake):
    product = fake.store.product_add(sku="MUG", quantity=5)
    order = fake.store.order_create(lines=[{"sku": "MUG", "quantity": 2}], status="pending")
    assert product["stock_quantity"] == 5
    fake.store.order_status_set(order, "on-hold")
    fake.store.order_status_set(order, "processing")
    fake.store.order_status_set(order, "completed")
    assert product["stock_quantity"] == 3
    fake.store.order_status_set(order, "cancelled")
    assert product["stock_quantity"] == 5
    assert order["line_items"][0]["meta_data"] == []


def test_deliveries_are_signed_and_the_hook_is_disabled_after_5_failures(fake, receiver):
    fake.store.product_add(sku="MUG", quantity=50)
    api = fake.url + "wp-json/wc/v3/webhooks"
    body = {"topic": "order.created", "delivery_url": receiver.url, "secret": "s3cret"}
    hook = requests.post(api, json=body, auth=_auth(fake), timeout=5)
    assert hook.status_code == 201 and "secret" not in hook.json()
    assert receiver.received[0][1] == f"webhook_id={hook.json()['id']}".encode()  # the ping
    assert "X-WC-Webhook-Signature" not in receiver.received[0][0]
    fake.store.order_create(lines=[{"sku": "MUG", "quantity": 1}])
    assert fake.hooks.wait_idle()
    headers, body = receiver.received[1]
    expected = base64.b64encode(hmac.new(b"s3cret", body, hashlib.sha256).digest()).decode()
    assert headers["X-WC-Webhook-Signature"] == expected
    names = ("X-WC-Webhook-Topic", "X-WC-Webhook-Resource", "X-WC-Webhook-Event")
    assert [headers[n] for n in names] == ["order.created", "order", "created"]
    assert json.loads(body)["status"] == "processing"  # built at delivery time, as WooCommerce does
    receiver.status = 500
    for _ in range(5):
        fake.store.order_create(lines=[{"sku": "MUG", "quantity": 1}])
        assert fake.hooks.wait_idle()
    shown = requests.get(f"{api}/{hook.json()['id']}", auth=_auth(fake), timeout=5).json()
    assert shown["status"] == "disabled"
    count = len(receiver.received)
    fake.store.order_create(lines=[{"sku": "MUG", "quantity": 1}])
    assert fake.hooks.wait_idle() and len(receiver.received) == count  # disabled: nothing sent
    requests.put(f"{api}/{hook.json()['id']}", json={"status": "active"}, auth=_auth(fake), timeout=5)
    receiver.status = 200
    fake.store.order_create(lines=[{"sku": "MUG", "quantity": 1}])
    assert fake.hooks.wait_idle() and len(receiver.received) == count + 1


def test_shipment_tracking_is_detected_only_when_installed(fake):
    root = fake.url + "wp-json/wc-shipment-tracking/v3"
    absent = requests.get(root, auth=_auth(fake), timeout=5)
    assert (absent.status_code, absent.json()["code"]) == (404, "rest_invalid_namespace")
    fake.shipment_tracking = True
    assert requests.get(root, auth=_auth(fake), timeout=5).status_code == 200
