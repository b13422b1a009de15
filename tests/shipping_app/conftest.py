"""Fixtures of the shipping tests: fake vendors on 127.0.0.1, accounts on them, eager Celery,
and a stocked order from a channel.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from config.sandbox.shipstation.server import FakeShipStation
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_receive
from shipping_app.services.accounts import shipping_account_create
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory


@pytest.fixture(autouse=True)
def _shipping_settings(settings, tmp_path):
    settings.SHIPPING_ALLOW_PRIVATE_HOSTS = True
    settings.SHIPPING_HTTP_MAX_INLINE_WAIT = 2.0
    settings.SHIPPING_TASK_MAX_RETRIES = 2
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery):
    """Every shipping test runs its tasks inline; their errors are raised into the test."""


@pytest.fixture
def stocked_order(db):
    """Make an order of ``lines`` [(sku_code, qty)] from a channel, with stock received for it."""

    def make(
        lines=(("WIDGET", 3),),
        *,
        ref: str = "1001",
        stock: int = 10,
        channel_kind: str = "shopify",
        channel=None,
    ):
        location = LocationFactory(code=f"WH-{ref}")
        channel = channel or SalesChannelFactory(code=f"shop-{channel_kind}", kind=channel_kind)
        for code, _ in lines:
            sku = SKUFactory(code=code, weight_grams=Decimal("250"))
            stock_receive(sku=sku, location=location, quantity=stock, unit_cost=Decimal("4.00"))
        order, _ = order_create(
            channel=channel,
            data=OrderInput(
                external_ref=ref,
                customer_name="Ada Buyer",
                customer_email="ada@example.com",
                shipping_address={
                    "name": "Ada Buyer",
                    "address1": "1 Main St",
                    "city": "Austin",
                    "province_code": "TX",
                    "zip": "78701",
                    "country_code": "US",
                },
                total=Decimal("60.00"),
                shipping_total=Decimal("8.00"),
                lines=[
                    OrderLineInput(
                        sku_code=code, quantity=qty, unit_price=Decimal("10.00"), external_line_id=f"L-{code}"
                    )
                    for code, qty in lines
                ],
            ),
            location_ids=[location.pk],
        )
        return order

    return make


@pytest.fixture
def shipstation():
    with FakeShipStation(api_key="ss-key", api_secret="ss-secret") as fake:
        yield fake


@pytest.fixture
def shipstation_account(db, shipstation):
    return shipping_account_create(
        provider="shipstation",
        name="ShipStation",
        base_url=shipstation.base_url,
        credentials={"api_key": "ss-key", "api_secret": "ss-secret"},
    )


@pytest.fixture
def shippo():
    from config.sandbox.shippo.server import FakeShippo

    with FakeShippo(token="shippo_test_abc") as fake:
        yield fake


@pytest.fixture
def shippo_account(db, shippo):
    return shipping_account_create(
        provider="shippo",
        name="Shippo",
        base_url=shippo.base_url,
        credentials={"api_token": "shippo_test_abc"},
        options={
            "address_from": {
                "name": "Warehouse",
                "street1": "215 Clayton St",
                "city": "San Francisco",
                "state": "CA",
                "postal_code": "94117",
                "country": "US",
            },
            "parcel": {"length": "30", "width": "20", "height": "10", "distance_unit": "cm"},
        },
        export_orders=False,
    )


@pytest.fixture
def shippingeasy():
    from config.sandbox.shippingeasy.server import FakeShippingEasy

    with FakeShippingEasy(api_key="se-key", api_secret="se-secret", store_api_key="store1") as fake:
        yield fake


@pytest.fixture
def shippingeasy_account(db, shippingeasy):
    return shipping_account_create(
        provider="shippingeasy",
        name="ShippingEasy",
        base_url=shippingeasy.base_url,
        credentials={"api_key": "se-key", "api_secret": "se-secret", "store_api_key": "store1"},
    )
