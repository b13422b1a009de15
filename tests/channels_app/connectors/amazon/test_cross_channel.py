"""Through the engine with another channel: the last unit sold on Amazon disappears from the other
shop, and the reverse; nobody can buy a unit that is gone."""

from __future__ import annotations

import pytest

from channels_app.intake.polling import account_orders_sync
from channels_app.services.accounts import account_create
from channels_app.services.onboarding import account_listings_import
from config.sandbox.amazon import OutOfStock
from config.sandbox.generic_channel import GenericChannelServer
from inventory_app.models import Order, StockLevel
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_channels(amazon, connect, link, on_commit):
    """One unit of LINEN-1, shown on Amazon and on a second shop after the first push."""
    location, sku = LocationFactory(code="MAIN"), SKUFactory(code="LINEN-1")
    shop = GenericChannelServer().start()
    shop.listing_add("L1", sku="LINEN-1", quantity=0)
    amazon.seed_listing("LINEN-1", 0)
    with on_commit(execute=True):
        stock_receive(sku=sku, location=location, quantity=1)
        shop_account = account_create(
            kind="generic",
            name="Own shop",
            base_url=shop.base_url,
            credentials={"api_key": shop.api_key, "webhook_secret": shop.webhook_secret},
            options={"rate_per_second": 50},
            schedule=False,
        )
        account_listings_import(account=shop_account)
        amazon_account = connect(amazon)
        link(amazon_account, sku)
        account_orders_sync(account_id=amazon_account.pk)  # caught up: the first push goes out
        account_orders_sync(account_id=shop_account.pk)
    assert (shop.quantity("L1"), amazon.quantity("LINEN-1")) == (1, 1)
    yield shop, shop_account, amazon_account, sku, location
    shop.stop()


def test_the_last_unit_sold_on_amazon_leaves_the_other_shop(amazon, two_channels, on_commit):
    shop, _, amazon_account, sku, location = two_channels
    amazon.place_order("LINEN-1", 1)

    with on_commit(execute=True):
        account_orders_sync(account_id=amazon_account.pk)

    assert (shop.quantity("L1"), amazon.quantity("LINEN-1")) == (0, 0)
    assert shop.buy("L1", 1) is None  # the shop refuses a second buyer
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed, Order.objects.count()) == (1, 1, 1)


def test_the_last_unit_sold_on_the_other_shop_leaves_amazon(amazon, two_channels, on_commit):
    shop, shop_account, _, sku, location = two_channels
    assert shop.buy("L1", 1) is not None

    with on_commit(execute=True):
        account_orders_sync(account_id=shop_account.pk)

    assert (shop.quantity("L1"), amazon.quantity("LINEN-1")) == (0, 0)
    with pytest.raises(OutOfStock):
        amazon.place_order("LINEN-1", 1)
    assert [u["quantity"] for u in amazon.listing("LINEN-1").updates] == [1, 0]
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (1, 1)
