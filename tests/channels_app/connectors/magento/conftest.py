"""Fixtures of the Magento connector tests: the fake store on 127.0.0.1 and connectors on it."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import AccountConfig, ListingRef, QuantityUpdate
from channels_app.connectors.registry import connector_build
from config.sandbox.magento import FakeMagento


@pytest.fixture
def fake_magento():
    """A multi-source store: sources default and "east" (stock 1 links only default)."""
    with FakeMagento(mode="multi") as fake:
        fake.store.source_add("east", "East Warehouse")
        fake.store.stock_add(2, "East Stock", sources=["east"])
        yield fake


@pytest.fixture
def magento_connector(fake_magento, settings):
    """Build a connector on the fake (no database): ``magento_connector(credentials=..., **options)``."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True

    def make(*, credentials: dict | None = None, fake: FakeMagento | None = None, **options):
        shop = fake or fake_magento
        config = AccountConfig(
            account_id=1,
            base_url=shop.url,
            credentials=credentials or shop.integration.credentials(),
            options={"source_code": "default", **options},
        )
        return connector_build(kind="magento", config=config)

    return make


def update(sku: str, quantity: int, *, expected: int | None = None, submission: str = "") -> QuantityUpdate:
    return QuantityUpdate(
        listing=ListingRef(external_id=sku, external_sku=sku, push_submission=submission),
        quantity=quantity,
        expected=expected,
        idempotency_key=f"{sku}:{quantity}",
    )
