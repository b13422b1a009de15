"""Fixtures of the Etsy connector tests: the fake Etsy on 127.0.0.1 and connectors on it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from channels_app.connectors.dto import AccountConfig, ListingRef, QuantityUpdate
from channels_app.connectors.etsy.connector import EtsyConnector
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.tokens import MemoryTokenStore, StoredToken
from config.sandbox.etsy import FakeEtsy

TEE = {
    "products": [
        {
            "sku": sku,
            "property_values": [
                {"property_id": 200, "property_name": "Primary color", "scale_id": None,
                 "value_ids": [color_id], "values": [color]},
                {"property_id": 100, "property_name": "Size", "scale_id": 17,
                 "value_ids": [size_id], "values": [size]},
            ],
            "offerings": [
                {"price": price, "quantity": quantity, "is_enabled": True, "readiness_state_id": 555}
            ],
        }
        for sku, color_id, color, size_id, size, price, quantity in (
            ("TEE-RED-S", 1213, "Red", 1795, "S", 22.0, 4),
            ("TEE-RED-M", 1213, "Red", 1796, "M", 24.5, 5),
            ("TEE-BLU-S", 1214, "Blue", 1795, "S", 22.0, 6),
            ("TEE-BLU-M", 1214, "Blue", 1796, "M", 24.5, 7),
        )
    ],
    "price_on_property": [100],
    "quantity_on_property": [200, 100],
    "sku_on_property": [200, 100],
    "readiness_state_on_property": [],
}  # fmt: skip


def simple(sku: str, quantity: int, price: float = 10.0) -> dict:
    """A listing of one product (no variations)."""
    return {
        "products": [
            {
                "sku": sku,
                "property_values": [],
                "offerings": [
                    {"price": price, "quantity": quantity, "is_enabled": True, "readiness_state_id": None}
                ],
            }
        ],
        "price_on_property": [],
        "quantity_on_property": [],
        "sku_on_property": [],
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake_etsy():
    with FakeEtsy() as fake:
        yield fake


def connector_on(fake: FakeEtsy, *, token: dict | None = None, store=None, account_id: int = 1, **options):
    """An Etsy connector on ``fake`` with a token granted directly (or ``store``)."""
    if store is None:
        store = MemoryTokenStore(clock=fake.clock)
        granted = token or fake.oauth.grant_direct()
        store.token = StoredToken(
            access_token=granted["access_token"],
            expires_at=fake.clock() + granted["expires_in"],
            refresh_token=granted["refresh_token"],
        )
    config = AccountConfig(
        account_id=account_id,
        base_url=fake.url,
        credentials={"keystring": fake.keystring, "shared_secret": fake.shared_secret},
        options={"shop_id": str(fake.shop_id), **options},
    )
    http = ChannelHttp(base_url=fake.url, allow_private=True, secrets=[fake.shared_secret])
    return EtsyConnector(config=config, http=http, tokens=store)


@pytest.fixture
def etsy(fake_etsy):
    """``etsy(**options)``: a connector on the fake."""
    return lambda **options: connector_on(fake_etsy, **options)


def update(listing_id: int, sku: str, quantity: int, expected: int | None) -> QuantityUpdate:
    """A push of ``quantity`` for ``sku`` of Etsy listing ``listing_id``."""
    return QuantityUpdate(
        listing=ListingRef(external_id=f"{listing_id}:{sku}", external_sku=sku),
        quantity=quantity,
        expected=expected,
        idempotency_key=f"{listing_id}-{sku}-{quantity}",
    )


def without_ids(inventory: dict) -> list[dict]:
    """Live products of a GET answer without the ids Etsy re-issues on every write."""
    products = []
    for product in inventory["products"]:
        if product["is_deleted"]:
            continue
        products.append(
            {
                **{k: v for k, v in product.items() if k != "product_id"},
                "offerings": [
                    {k: v for k, v in o.items() if k != "offering_id"} for o in product["offerings"]
                ],
            }
        )
    return products
