"""Fulfilments reach the origin channel through the sync engine's connector (a fake shop here)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from channels_app.models import ChannelOrderPush, OrderPushStatus
from channels_app.services.accounts import account_create
from channels_app.tasks import channel_order_pushes_sweep_task
from config.sandbox.generic_channel import GenericChannelServer
from shipping_app.services.exports import order_export

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    settings.CHANNELS_RATE_LIMIT_BACKEND = "db"
    server = GenericChannelServer(api_key="shop-key", webhook_secret="shop-secret").start()
    yield server
    server.stop()


@pytest.fixture
def shop_account(shop):
    return account_create(
        kind="generic",
        name="Shop",
        base_url=shop.base_url,
        credentials={"api_key": "shop-key", "webhook_secret": "shop-secret"},
        options={"rate_per_second": 50},
        schedule=False,
    )


def _ship_through_shipstation(client, shipstation, account, order) -> None:
    order_export(account=account, order=order)
    body = shipstation.ship(f"sm-{order.pk}", tracking="9400111899223100000009")
    response = client.post(
        f"/webhooks/shipping/{account.webhook_token}/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200


@pytest.mark.embedded
def test_tracking_is_pushed_to_the_origin_channel_through_its_connector(
    client, shop, shop_account, shipstation, shipstation_account, stocked_order
):
    order = stocked_order([("WIDGET", 2)], channel=shop_account.sales_channel)

    _ship_through_shipstation(client, shipstation, shipstation_account, order)

    request = ChannelOrderPush.objects.get()
    assert (request.status, request.attempts, request.last_error) == (
        OrderPushStatus.DELIVERED,
        1,
        "",
    )
    assert shop.fulfilments == [
        {
            "order_id": "1001",
            "lines": {"L-WIDGET": 2},
            "carrier": "usps",
            "tracking_number": "9400111899223100000009",
            "tracking_url": "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223100000009",
            "key": f"order-push-{request.pk}",
        }
    ]


def test_a_channel_error_keeps_the_fulfilment_failed_and_the_sweep_delivers_it_later(
    client, shop, shop_account, shipstation, shipstation_account, stocked_order
):
    order = stocked_order(channel=shop_account.sales_channel)
    shop.fail_next("POST fulfilments", 1, status=400)

    _ship_through_shipstation(client, shipstation, shipstation_account, order)
    request = ChannelOrderPush.objects.get()
    first = (request.status, request.attempts, "400" in request.last_error)
    channel_order_pushes_sweep_task.apply()  # not due yet: nothing sent
    not_yet = len(shop.fulfilments)
    ChannelOrderPush.objects.filter(pk=request.pk).update(next_attempt_at=timezone.now())
    swept = channel_order_pushes_sweep_task.apply().get()

    request.refresh_from_db()
    assert first == (OrderPushStatus.FAILED, 1, True)
    assert not_yet == 0
    assert swept == 1
    assert (request.status, request.attempts) == (OrderPushStatus.DELIVERED, 2)
    assert len(shop.fulfilments) == 1
