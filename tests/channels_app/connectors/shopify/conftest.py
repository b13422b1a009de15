"""Fixtures of the Shopify connector tests: the fake shop on 127.0.0.1 and accounts on it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.registry import connector_build
from channels_app.services.accounts import account_create


def first_location(fake) -> str:
    """Global ID of the fake shop's first location (where buyers' orders are placed)."""
    return next(iter(fake.state.locations.values())).gid


@pytest.fixture
def shop_connector(fake_shopify, settings):
    """Build a Shopify connector on the fake shop (no database): ``shop_connector(api_version=...)``."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True

    def make(*, credentials: dict | None = None, **options):
        config = AccountConfig(
            account_id=1,
            base_url=fake_shopify.url,
            credentials=credentials
            or {"access_token": fake_shopify.access_token, "webhook_secret": fake_shopify.client_secret},
            options={"api_version": "2026-10", "location_id": first_location(fake_shopify), **options},
        )
        return connector_build(kind="shopify", config=config)

    return make


@pytest.fixture
def shopify_account(fake_shopify):
    """A Shopify channel account on the fake shop: ``shopify_account(api_version=..., **options)``."""

    def make(*, name: str = "Linen shop", location_ids=(), **options):
        return account_create(
            kind="shopify",
            name=name,
            base_url=fake_shopify.url,
            credentials={
                "access_token": fake_shopify.access_token,
                "webhook_secret": fake_shopify.client_secret,
            },
            options={"api_version": "2026-10", "location_id": first_location(fake_shopify), **options},
            location_ids=location_ids,
            schedule=False,
        )

    return make


def clock_ticking(fake) -> None:
    """Make the fake shop's clock advance one second per reading.

    Shopify's GraphQL timestamps have one-second precision and the engine names a polled order
    version ``poll:<id>:<updated_at>``, so two changes of one order within a second look like one
    version to the poll (reported as an engine issue); tests that change an order twice quickly
    space the changes like a person would.
    """
    start = datetime.now(UTC).replace(microsecond=0)
    ticks = itertools.count()
    fake.state.clock = lambda: start + timedelta(seconds=next(ticks))
