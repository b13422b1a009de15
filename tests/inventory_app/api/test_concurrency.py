"""The API under parallel requests: one Idempotency-Key or one external_ref applies exactly once."""

from __future__ import annotations

from collections import Counter

import pytest
from rest_framework.test import APIClient

from inventory_app.models import Order, StockLevel, StockMovement, StockOperation
from inventory_app.services.stock import stock_receive
from inventory_app.services.tokens import api_token_issue
from tests.factories import LocationFactory, SKUFactory, UserFactory
from tests.parallel import run_parallel

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

THREADS = 8


def _parallel_posts(key: str, url: str, payload: dict, headers: dict) -> Counter:
    """POST the same request from THREADS threads released together; count the status codes."""
    clients = [APIClient() for _ in range(THREADS)]
    for client in clients:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return run_parallel(
        THREADS, lambda i: clients[i].post(url, payload, format="json", **headers).status_code
    )


def test_parallel_receipts_with_one_idempotency_key_apply_once():
    sku, loc = SKUFactory(code="CUP"), LocationFactory(code="MAIN")
    _, key = api_token_issue(user=UserFactory(role="operator"), name="t")

    codes = _parallel_posts(
        key,
        "/api/v1/stock/receive",
        {"sku": "CUP", "location": "MAIN", "quantity": 5},
        {"HTTP_IDEMPOTENCY_KEY": "same"},
    )

    assert codes == Counter({201: 1, 200: THREADS - 1})
    assert StockOperation.objects.count() == 1
    assert StockMovement.objects.count() == 1
    level = StockLevel.objects.get(sku=sku, location=loc)
    assert (level.on_hand, level.committed) == (5, 0)


def test_parallel_creates_of_one_order_make_one_order_and_one_reservation():
    sku, loc = SKUFactory(code="CUP"), LocationFactory(code="MAIN")
    stock_receive(sku=sku, location=loc, quantity=10)
    _, key = api_token_issue(user=UserFactory(role="operator"), name="t")

    codes = _parallel_posts(
        key, "/api/v1/orders/", {"external_ref": "WEB-9", "lines": [{"sku": "CUP", "quantity": 3}]}, {}
    )

    assert codes == Counter({201: 1, 200: THREADS - 1})
    assert Order.objects.count() == 1
    assert StockOperation.objects.filter(reason="reserve").count() == 1
    level = StockLevel.objects.get(sku=sku, location=loc)
    assert (level.on_hand, level.committed) == (10, 3)
