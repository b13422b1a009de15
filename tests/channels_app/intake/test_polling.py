"""The order poll: one poll per account at a time; a dead poll's lease runs out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.intake.polling import account_orders_sync
from channels_app.models import SyncCursor
from inventory_app.models import Order
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_account(shops, connect, on_commit):
    location, sku = LocationFactory(code="MAIN"), SKUFactory(code="S1")
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    with on_commit(execute=True):
        stock_receive(sku=sku, location=location, quantity=5)
        account = connect(shop, "Shop")
    return shop, account


def test_a_poll_while_another_holds_the_lease_returns_at_once_without_calling_the_channel(shop_account):
    shop, account = shop_account
    shop.buy("L1", 1)
    SyncCursor.objects.update_or_create(
        account=account, stream="orders", defaults={"leased_until": timezone.now() + timedelta(seconds=60)}
    )
    calls = len(shop.requests_of("GET orders"))

    result = account_orders_sync(account_id=account.pk)

    assert result == {"orders": 0, "applied": 0, "busy": 1}
    assert len(shop.requests_of("GET orders")) == calls
    assert not Order.objects.filter(channel=account.sales_channel).exists()


def test_a_lease_left_by_a_dead_poll_runs_out_and_a_finished_poll_releases_it(shop_account):
    shop, account = shop_account
    shop.buy("L1", 2)
    SyncCursor.objects.update_or_create(
        account=account, stream="orders", defaults={"leased_until": timezone.now() - timedelta(seconds=1)}
    )

    result = account_orders_sync(account_id=account.pk)

    assert result == {"orders": 1, "applied": 1, "busy": 0}
    assert SyncCursor.objects.get(account=account, stream="orders").leased_until is None
    assert Order.objects.filter(channel=account.sales_channel).count() == 1
