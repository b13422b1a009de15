"""Fixtures of the BigCommerce connector tests: the fake store on 127.0.0.1 and connectors on it."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.registry import connector_build
from config.sandbox.bigcommerce import FakeBigCommerce
from tests.channels_app.connectors.bigcommerce.specs import SPEC_DIR, request_problems


@pytest.fixture
def fake_bc():
    """A started fake store with a simple product MUG (5), a variant product TEE-S/TEE-M (4 each)
    and an untracked product GIFT."""
    fake = FakeBigCommerce(retry_schedule=(0.05, 0.1))
    fake.state.add_product("Mug", sku="MUG", tracking="product", quantity=5)
    fake.state.add_product("Tee", sku="TEE", tracking="variant", variants=["TEE-S", "TEE-M"], quantity=4)
    fake.state.add_product("Gift card", sku="GIFT", tracking="none")
    with fake:
        yield fake
    if SPEC_DIR.is_dir():  # every request any test sent must be one BigCommerce documents
        problems = [
            p for _, m, path, query, _ in fake.requests for p in request_problems(m, path, query, None)
        ]
        problems += [p for m, path, body in fake.bodies for p in request_problems(m, path, {}, body)]
        assert problems == []


@pytest.fixture
def bc_connector(fake_bc, settings):
    """``bc_connector(**options)``: a BigCommerce connector on the fake store (no database)."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True

    def make(*, account_id: int = 1, credentials: dict | None = None, **options):
        config = AccountConfig(
            account_id=account_id,
            base_url=fake_bc.url,
            credentials=credentials or fake_bc.credentials(),
            options=options,
        )
        return connector_build(kind="bigcommerce", config=config)

    return make


@pytest.fixture
def bc_account(fake_bc):
    """``bc_account(location_ids=..., **options)``: a BigCommerce channel account on the fake store."""
    from channels_app.services.accounts import account_create

    def make(*, location_ids=(), **options):
        return account_create(
            kind="bigcommerce",
            name="BigCommerce store",
            base_url=fake_bc.url,
            credentials=fake_bc.credentials(),
            options=options,
            location_ids=location_ids,
            schedule=False,
        )

    return make
