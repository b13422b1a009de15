"""Subscribing the vendors' webhooks to the account's URL, once."""

from __future__ import annotations

import pytest

from shipping_app.providers.base import ProviderError
from shipping_app.services.accounts import (
    shipping_account_create,
    shipping_account_webhook_subscribe,
    shipping_account_webhook_url,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_shipstation_ship_notify_is_subscribed_once_with_the_secret_in_the_url(shipstation):
    account = shipping_account_create(
        provider="shipstation",
        name="SS",
        base_url=shipstation.base_url,
        credentials={"api_key": "ss-key", "api_secret": "ss-secret", "webhook_secret": "s3"},
        options={"store_id": 10001},
    )

    first = shipping_account_webhook_subscribe(account=account, site_url="https://stock.example.com/")
    second = shipping_account_webhook_subscribe(account=account, site_url="https://stock.example.com/")

    url = f"https://stock.example.com/webhooks/shipping/{account.webhook_token}/?secret=s3"
    assert shipping_account_webhook_url(account=account, site_url="https://stock.example.com") == url
    assert first == second
    assert [(h["HookType"], h["Url"], h["StoreID"]) for h in shipstation.webhooks] == [
        ("SHIP_NOTIFY", url, 10001)
    ]


def test_shippo_track_updated_is_subscribed_once(shippo, shippo_account):
    first = shipping_account_webhook_subscribe(account=shippo_account, site_url="https://stock.example.com")
    again = shipping_account_webhook_subscribe(account=shippo_account, site_url="https://stock.example.com")

    assert first == again
    assert [(h["event"], h["is_test"]) for h in shippo.webhooks] == [
        ("track_updated", True)
    ]  # a shippo_test_ token


def test_shippingeasy_callback_url_is_set_in_its_own_settings(shippingeasy, shippingeasy_account):
    with pytest.raises(ProviderError, match="paste the webhook URL"):
        shipping_account_webhook_subscribe(account=shippingeasy_account, site_url="https://stock.example.com")
