"""The fixture data the API fuzz test runs against: a manager token and a little of everything."""

from __future__ import annotations

from inventory_app.services.stock import stock_receive
from inventory_app.services.tokens import api_token_issue
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory, UserFactory


def fuzz_data_make() -> str:
    """Create the data; the manager token's key."""
    location = LocationFactory(code="WH1")
    mug, plate = SKUFactory(code="MUG"), SKUFactory(code="PLATE")
    kit = KitFactory(code="SET")
    KitComponentFactory(kit=kit, component=mug, quantity=2)
    stock_receive(sku=mug, location=location, quantity=20)
    stock_receive(sku=plate, location=location, quantity=5)
    _, key = api_token_issue(user=UserFactory(role="manager"), name="fuzz")
    return key
