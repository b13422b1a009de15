"""Admin test fixtures: logged-in clients per role and a small data set touching every model."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from inventory_app.models import SKU, ApiToken, Location, Order, SalesChannel, StockOperation
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_receive
from inventory_app.services.tokens import api_token_issue
from tests.factories import KitComponentFactory, LocationFactory, SKUFactory, UserFactory


@pytest.fixture
def admin_client_for(client):
    """``admin_client_for("operator")`` logs a staff user with that role in (None: superuser)."""

    def login(role: str | None = None):
        superuser = role is None
        user = UserFactory(username="root", is_superuser=True) if superuser else UserFactory(role=role)
        client.force_login(user)
        client.user = user
        return client

    return login


@pytest.fixture
def superuser_client(admin_client_for):
    return admin_client_for(None)


@dataclass
class AdminData:
    sku: SKU
    other: SKU
    kit: SKU
    wh1: Location
    wh2: Location
    channel: SalesChannel
    order: Order
    operation: StockOperation
    token: ApiToken


@pytest.fixture
def data() -> AdminData:
    wh1, wh2 = LocationFactory(code="WH1", priority=1), LocationFactory(code="WH2", priority=2)
    sku, other = SKUFactory(code="TEE", barcode="400100"), SKUFactory(code="MUG")
    kit = KitComponentFactory(component=sku, quantity=2, kit__code="TEEPACK").kit
    operation = stock_receive(sku=sku, location=wh1, quantity=10)
    stock_receive(sku=other, location=wh2, quantity=4)
    channel = SalesChannel.objects.get(code="manual")
    order, _ = order_create(
        channel=channel,
        data=OrderInput(external_ref="A-100", customer_name="Ada", lines=[OrderLineInput("TEE", 3)]),
    )
    token, _ = api_token_issue(user=UserFactory(username="integrator"), name="shop")
    return AdminData(sku, other, kit, wh1, wh2, channel, order, operation, token)
