"""Fixtures of the WooCommerce connector tests: the fake store on 127.0.0.1 and accounts on it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.registry import connector_build
from channels_app.intake.polling import account_orders_sync
from channels_app.services.accounts import account_connector, account_create
from channels_app.services.onboarding import account_listings_import
from config.sandbox.woocommerce import FakeWooCommerce


@pytest.fixture
def fake_woo():
    """A running fake store (no products)."""
    with FakeWooCommerce() as fake:
        yield fake


@pytest.fixture
def woo_connector(fake_woo, settings):
    """Build a connector on the fake store (no database): ``woo_connector(auth_mode=...)``."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True

    def make(*, credentials: dict | None = None, fake: FakeWooCommerce | None = None, **options):
        store = fake or fake_woo
        config = AccountConfig(
            account_id=1,
            base_url=store.url,
            credentials=credentials
            or {"consumer_key": store.consumer_key, "consumer_secret": store.consumer_secret},
            options=options,
        )
        return connector_build(kind="woocommerce", config=config)

    return make


@pytest.fixture
def woo_account(fake_woo, settings):
    """A WooCommerce account on the fake store: ``woo_account(location_ids=..., **options)``."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True

    def make(*, name: str = "Woo shop", location_ids=(), **options):
        return account_create(
            kind="woocommerce",
            name=name,
            base_url=fake_woo.url,
            credentials={"consumer_key": fake_woo.consumer_key, "consumer_secret": fake_woo.consumer_secret},
            options=options,
            location_ids=location_ids,
            schedule=False,
        )

    return make


@pytest.fixture
def subscribed(fake_woo, woo_account, stocked, django_server):
    """Our stock of MUG (5) linked to the store's MUG (5), webhooks registered to our server."""
    location, skus = stocked({"MUG": 5})
    fake_woo.store.product_add(sku="MUG", quantity=5)
    account = woo_account(location_ids=[location.pk])
    assert account_listings_import(account=account) == {"imported": 1, "linked": 1}
    account_orders_sync(account_id=account.pk)
    url = django_server + reverse("channels_webhooks:receive", args=[account.webhook_token])
    account_connector(account=account).webhooks_register(url=url)
    return account, location, skus["MUG"], url
