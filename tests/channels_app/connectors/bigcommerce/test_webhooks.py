"""Webhooks end to end: the fake store delivers its thin, signed callbacks over HTTP to our live
server (PostgreSQL, eager Celery); forged deliveries, duplicates, deactivated hooks."""

from __future__ import annotations

import json
import time

import pytest
import requests
from django.urls import reverse

from channels_app.connectors.bigcommerce import webhooks as hooks
from channels_app.connectors.errors import WebhookSignatureError
from channels_app.intake.polling import account_orders_sync
from channels_app.models import InboundEvent
from channels_app.services.accounts import account_connector
from channels_app.services.onboarding import account_listings_import
from config.sandbox.bigcommerce.hooks import sign
from inventory_app.models import Order, StockLevel
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def subscribed(fake_bc, bc_account, django_server, settings):
    """Our stock of TEE-S (10) and MUG (10), the account linked, orders caught up, hooks registered."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    location = LocationFactory(code="WH")
    skus = {code: SKUFactory(code=code) for code in ("TEE-S", "MUG")}
    for sku in skus.values():
        stock_receive(sku=sku, location=location, quantity=10)
    account = bc_account(location_ids=[location.pk])
    account_listings_import(account=account)
    account_orders_sync(account_id=account.pk)
    url = django_server + reverse("channels_webhooks:receive", args=[account.webhook_token])
    account_connector(account=account).webhooks_register(url=url)
    return account, location, skus, url


def _committed(location, sku) -> int:
    return StockLevel.objects.get(sku=sku, location=location).committed


def test_registration_makes_three_active_hooks_with_our_secret_header_once(fake_bc, subscribed):
    account, _, _, url = subscribed
    account_connector(account=account).webhooks_register(url=url)  # again: nothing duplicated

    rows = sorted((h["scope"], h["destination"], h["is_active"]) for h in fake_bc.state.hooks.values())
    assert rows == [(scope, url, True) for scope in sorted(hooks.ORDER_SCOPES)]
    assert {tuple(h["headers"]) for h in fake_bc.state.hooks.values()} == {(hooks.HOOK_HEADER,)}
    assert len(fake_bc.calls("POST", "v3/hooks")) == 3


def test_a_forged_delivery_is_refused_and_nothing_is_stored(fake_bc, subscribed):
    account, location, skus, _ = subscribed
    fake_bc.hooks.forge_next(2)  # the created and statusUpdated deliveries of the next order

    fake_bc.buy("TEE-S", 3)
    assert fake_bc.hooks.wait_idle(timeout=20)

    assert {a["status"] for a in fake_bc.hooks.sent} == {401}
    assert InboundEvent.objects.filter(account=account, source="webhook").count() == 0
    assert Order.objects.filter(channel=account.sales_channel).count() == 0
    assert _committed(location, skus["TEE-S"]) == 0


def test_a_delivery_without_our_hook_header_is_refused_even_when_signed(fake_bc, subscribed):
    account, _, _, url = subscribed
    order_id = fake_bc.state.buy("MUG", 1).id
    body = json.dumps(
        {"scope": "store/order/created", "data": {"type": "order", "id": order_id}, "hash": "h"}
    ).encode()
    stamp = str(int(time.time()))
    signed = {"webhook-id": "msg_1", "webhook-timestamp": stamp, "Content-Type": "application/json"}
    signed["webhook-signature"] = sign(
        secret=fake_bc.client_secret, webhook_id="msg_1", timestamp=stamp, body=body
    )

    answer = requests.post(url, data=body, headers=signed, timeout=10)

    assert answer.status_code == 401
    assert InboundEvent.objects.filter(account=account).exclude(source="poll").count() == 0


def test_an_old_signature_is_refused(fake_bc, subscribed):
    account, _, _, _ = subscribed
    connector = account_connector(account=account)
    body = b'{"scope":"store/order/created","data":{"type":"order","id":1},"hash":"h"}'
    stamp = str(int(time.time()) - 600)
    headers = {
        hooks.HOOK_HEADER: hooks.hook_token(access_token=fake_bc.access_token, account_id=account.pk),
        "webhook-id": "msg_2",
        "webhook-timestamp": stamp,
        "webhook-signature": sign(
            secret=fake_bc.client_secret, webhook_id="msg_2", timestamp=stamp, body=body
        ),
    }
    with pytest.raises(WebhookSignatureError, match="tolerance"):
        connector.webhook_verify(headers=headers, body=body)


def test_a_duplicate_delivery_moves_stock_once(fake_bc, subscribed):
    account, location, skus, _ = subscribed
    fake_bc.hooks.duplicate_next(2)

    order_id = fake_bc.buy("TEE-S", 2)
    assert fake_bc.hooks.wait_idle(timeout=20)

    sent = [(a["scope"], a["status"]) for a in fake_bc.hooks.sent]
    assert sorted(sent) == [("store/order/created", 200)] * 2 + [("store/order/statusUpdated", 200)] * 2
    order = Order.objects.get(channel=account.sales_channel)
    assert order.external_ref == str(order_id)
    assert _committed(location, skus["TEE-S"]) == 2
    assert InboundEvent.objects.filter(account=account, source="webhook").count() == 2


def test_late_and_out_of_order_deliveries_leave_the_cancellation_in_force(fake_bc, subscribed):
    account, location, skus, _ = subscribed
    fake_bc.hooks.pause()

    order_id = fake_bc.buy("MUG", 4)
    fake_bc.cancel(order_id)
    fake_bc.hooks.release(reverse=True)
    assert fake_bc.hooks.wait_idle(timeout=20)

    assert {a["status"] for a in fake_bc.hooks.sent} == {200}
    order = Order.objects.get(channel=account.sales_channel)
    assert order.status == "cancelled"
    assert _committed(location, skus["MUG"]) == 0


def test_a_deactivated_hook_is_reactivated_by_the_poll_and_its_missed_order_arrives(fake_bc, subscribed):
    account, location, skus, _ = subscribed
    fake_bc.hooks.forge_next(2)  # every attempt of these two deliveries fails: BigCommerce gives up

    missed = fake_bc.buy("TEE-S", 1)
    assert fake_bc.hooks.wait_idle(timeout=20)
    deactivated = {h["scope"] for h in fake_bc.state.hooks.values() if not h["is_active"]}
    assert deactivated == {"store/order/created", "store/order/statusUpdated"}
    assert len(fake_bc.state.emails) == 2
    assert Order.objects.filter(channel=account.sales_channel).count() == 0

    account_orders_sync(account_id=account.pk)

    assert all(h["is_active"] for h in fake_bc.state.hooks.values())
    assert Order.objects.get(channel=account.sales_channel).external_ref == str(missed)
    assert _committed(location, skus["TEE-S"]) == 1
    later = fake_bc.buy("MUG", 1)  # the re-activated hooks deliver again
    assert fake_bc.hooks.wait_idle(timeout=20)
    assert Order.objects.filter(channel=account.sales_channel, external_ref=str(later)).exists()


def test_a_delivery_for_an_order_deleted_meanwhile_is_kept_ignored_and_answered_200(fake_bc, subscribed):
    account, location, skus, _ = subscribed
    fake_bc.hooks.pause()
    order_id = fake_bc.buy("MUG", 1)
    with fake_bc.state.lock:
        del fake_bc.state.orders[order_id]

    fake_bc.hooks.release()
    assert fake_bc.hooks.wait_idle(timeout=20)

    assert {a["status"] for a in fake_bc.hooks.sent} == {200}
    events = InboundEvent.objects.filter(account=account, source="webhook")
    assert sorted((e.topic, e.status) for e in events) == [
        ("store/order/created", "ignored"),
        ("store/order/statusUpdated", "ignored"),
    ]
    assert Order.objects.filter(channel=account.sales_channel).count() == 0
    assert _committed(location, skus["MUG"]) == 0
