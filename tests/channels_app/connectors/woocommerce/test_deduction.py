"""WooCommerce deducts its own stock: a sale it already deducted must not lower the published
figure twice, and an unpaid order (not deducted) is not reserved until it is paid."""

from __future__ import annotations

import pytest

from channels_app.models import Listing
from channels_app.push.outbox import account_push_request, listings_mark_dirty
from inventory_app.models import Order, StockLevel

pytestmark = pytest.mark.django_db(transaction=True)


def _ours(location, sku) -> tuple[int, int]:
    level = StockLevel.objects.get(sku=sku, location=location)
    return level.on_hand - level.committed, level.committed


def _push_everything(account, sku) -> None:
    listings_mark_dirty(sku_ids={sku.pk})
    account_push_request(account_ids={account.pk})


def test_a_sale_woocommerce_deducted_lowers_the_published_figure_once(fake_woo, subscribed):
    account, location, sku, _url = subscribed
    fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 1}])  # paid checkout: Woo 5 -> 4
    assert fake_woo.hooks.wait_idle(timeout=20)

    assert _ours(location, sku) == (4, 1)
    assert fake_woo.store.available("MUG") == 4  # not 3
    _push_everything(account, sku)
    assert fake_woo.store.available("MUG") == 4
    assert Listing.objects.get(account=account).last_pushed_qty == 4


def test_an_unpaid_order_is_reserved_only_when_woocommerce_deducts_it(fake_woo, subscribed):
    account, location, sku, _url = subscribed
    order = fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 2}], status="pending")
    assert fake_woo.hooks.wait_idle(timeout=20)
    assert _ours(location, sku) == (5, 0)
    _push_everything(account, sku)  # a push while it is pending publishes all 5
    assert fake_woo.store.available("MUG") == 5

    fake_woo.store.order_status_set(order, "processing")  # paid: WooCommerce deducts 2 -> 3
    assert fake_woo.hooks.wait_idle(timeout=20)

    assert _ours(location, sku) == (3, 2)
    assert fake_woo.store.available("MUG") == 3  # 5 - 2; reserving at pending would have shown 1
    _push_everything(account, sku)
    assert fake_woo.store.available("MUG") == 3
    assert Order.objects.get().external_ref == str(order["id"])


def test_a_cancellation_woocommerce_restocked_comes_back_once(fake_woo, subscribed):
    account, location, sku, _url = subscribed
    order = fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 3}])
    assert fake_woo.hooks.wait_idle(timeout=20)
    assert (fake_woo.store.available("MUG"), _ours(location, sku)) == (2, (2, 3))

    fake_woo.store.order_status_set(order, "cancelled")  # WooCommerce puts 3 back: 5
    assert fake_woo.hooks.wait_idle(timeout=20)

    assert _ours(location, sku) == (5, 0)
    assert fake_woo.store.available("MUG") == 5  # not 8
    _push_everything(account, sku)
    assert fake_woo.store.available("MUG") == 5
