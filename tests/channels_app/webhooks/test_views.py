"""The webhook view: verify, store once, enqueue a drain; the work happens in the drain."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels_app.models import InboundEvent
from inventory_app.models import Order, StockLevel
from tests.channels_app.helpers import webhook_post

pytestmark = pytest.mark.django_db


def test_delivery_is_stored_with_few_queries_and_applied_by_the_drain(client, shop_a, on_commit):
    shop, account, sku, location = shop_a
    sale = shop.buy("A-L1", 2)
    body, headers = shop.webhook(sale, "order.created")

    with on_commit(execute=False) as callbacks, CaptureQueriesContext(connection) as queries:
        response = webhook_post(client, account, body, headers)
    stored = InboundEvent.objects.get()
    assert response.status_code == 200
    assert response.json() == {"event": stored.pk, "duplicate": False}
    assert (stored.status, stored.source, stored.topic) == ("pending", "webhook", "order.created")
    assert Order.objects.count() == 0  # nothing applied in the request
    # account lookup, savepoint + INSERT ... ON CONFLICT DO NOTHING + release
    assert len(queries) <= 4
    assert len(callbacks) == 1

    with on_commit(execute=True):  # the commit: its callback enqueues the drain, which runs
        for callback in callbacks:
            callback()
    assert Order.objects.get().external_ref == sale["id"]
    assert StockLevel.objects.get(sku=sku, location=location).committed == 2
    assert InboundEvent.objects.get().status == "processed"


def test_repeated_delivery_is_a_duplicate_and_enqueues_nothing(client, shop_a, on_commit):
    shop, account, *_ = shop_a
    body, headers = shop.webhook(shop.buy("A-L1", 1), "order.created")
    with on_commit(execute=True):
        first = webhook_post(client, account, body, headers)

    with on_commit(execute=False) as callbacks:
        again = webhook_post(client, account, body, headers)

    assert again.status_code == 200
    assert again.json() == {"event": first.json()["event"], "duplicate": True}
    assert callbacks == []
    assert InboundEvent.objects.count() == 1
    assert Order.objects.count() == 1


def test_unknown_account_is_404_and_stores_nothing(client, shop_a):
    shop, *_ = shop_a
    body, headers = shop.webhook(shop.buy("A-L1", 1), "order.created")
    url = reverse("channels_webhooks:receive", args=["no-such-token"])

    response = client.post(url, data=body, content_type="application/json", headers=headers)

    assert response.status_code == 404
    assert InboundEvent.objects.count() == 0
