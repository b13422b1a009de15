"""Registering a channel's webhooks: the per-account URL, the connector's hook, the record, go-live."""

from __future__ import annotations

import pytest

from channels_app.models import ChannelAccount
from channels_app.notifications.webhook_subscriptions import account_webhooks_register
from channels_app.services.accounts import AccountError, account_create
from channels_app.services.onboarding import account_go_live

pytestmark = pytest.mark.django_db

TOPICS = ("ORDERS_CANCELLED", "ORDERS_CREATE", "ORDERS_FULFILLED", "ORDERS_UPDATED", "REFUNDS_CREATE")


def _shopify(fake, *, dry_run: bool = False) -> ChannelAccount:
    return account_create(
        kind="shopify",
        name="Linen shop",
        base_url=fake.url,
        credentials={"access_token": fake.access_token, "webhook_secret": fake.client_secret},
        options={"api_version": "2026-10", "location_id": next(iter(fake.state.locations.values())).gid},
        dry_run=dry_run,
        schedule=False,
    )


def _subscriptions(fake) -> list[tuple[str, str]]:
    return sorted((s.topic, s.callback_url) for s in fake.state.subscriptions.values())


def test_the_channels_webhooks_are_registered_to_the_accounts_url_and_recorded(fake_shopify, settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    account = _shopify(fake_shopify)
    expected = f"https://stock.example.com/webhooks/channels/{account.webhook_token}/"

    url = account_webhooks_register(account_id=account.pk, base_url="https://stock.example.com/")
    again = account_webhooks_register(account_id=account.pk, base_url="https://stock.example.com")
    account.refresh_from_db()

    assert url == again == expected
    assert _subscriptions(fake_shopify) == [(topic, expected) for topic in TOPICS]  # not duplicated
    assert (account.webhooks_url, account.webhooks_error) == (expected, "")
    assert account.webhooks_registered_at is not None


def test_a_refusal_is_recorded_on_the_account_and_raised(fake_shopify, settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    account = _shopify(fake_shopify)

    with pytest.raises(AccountError, match="The channel refused the webhook registration"):
        account_webhooks_register(account_id=account.pk, base_url="http://stock.example.com/")
    account.refresh_from_db()

    assert "http:// is not supported" in account.webhooks_error
    assert (account.webhooks_url, account.webhooks_registered_at) == ("", None)
    assert _subscriptions(fake_shopify) == []


def test_a_channel_without_a_webhook_api_and_a_bad_site_url_are_refused(fake_shopify, settings):
    generic = account_create(
        kind="generic",
        name="Generic",
        base_url="https://shop.example.com/",
        credentials={"api_key": "k", "webhook_secret": "s"},
        schedule=False,
    )
    shop = _shopify(fake_shopify)

    with pytest.raises(AccountError, match="generic channels have no webhook API"):
        account_webhooks_register(account_id=generic.pk, base_url="https://stock.example.com/")
    with pytest.raises(AccountError, match="Not a site URL"):
        account_webhooks_register(account_id=shop.pk, base_url="stock.example.com")

    assert ChannelAccount.objects.filter(webhooks_url="").count() == 2
    assert _subscriptions(fake_shopify) == []


def test_go_live_registers_the_webhooks_when_the_connector_can(fake_shopify, settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    account = _shopify(fake_shopify, dry_run=True)

    live = account_go_live(account=account, base_url="https://stock.example.com/")

    expected = f"https://stock.example.com/webhooks/channels/{account.webhook_token}/"
    assert (live.dry_run, live.webhooks_url, live.webhooks_error) == (False, expected, "")
    assert _subscriptions(fake_shopify) == [(topic, expected) for topic in TOPICS]


def test_go_live_is_not_undone_by_a_refused_registration(fake_shopify, settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    account = _shopify(fake_shopify, dry_run=True)

    live = account_go_live(account=account, base_url="http://stock.example.com/")
    quiet = account_go_live(account=account)  # no site URL: nothing registered, nothing called

    assert (live.dry_run, live.webhooks_url) == (False, "")
    assert "http:// is not supported" in live.webhooks_error
    assert quiet.dry_run is False
    assert _subscriptions(fake_shopify) == []
