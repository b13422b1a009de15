"""The connector through the engine's services on PostgreSQL, against the fake shop over HTTP:
listing import, locations, webhook registration, order poll, fulfilment."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError
from channels_app.intake.polling import account_orders_sync
from channels_app.models import Listing
from channels_app.services.accounts import account_connector
from channels_app.services.onboarding import account_listings_import
from config.sandbox.shopify import FakeShopify
from config.sandbox.shopify.fixtures import TODAY
from inventory_app.models import Order, OrderStatus, StockLevel

from .conftest import clock_ticking, first_location


@pytest.mark.django_db
def test_listing_import_reads_every_page_and_links_by_sku(fake_shopify, shopify_account, stocked):
    _, skus = stocked({"LIN-0001-1": 5, "LIN-0007-2": 0})
    account = shopify_account(page_size=7)

    counts = account_listings_import(account=account)

    assert counts == {"imported": 20, "linked": 2}
    assert fake_shopify.counters["query:productVariants"] == 3
    variant = fake_shopify.state.variant_by_sku("LIN-0001-1")
    listing = Listing.objects.get(account=account, external_sku="LIN-0001-1")
    assert listing.external_id == variant.gid
    assert listing.external_variant_id == variant.gid
    assert listing.external_inventory_item_id == f"gid://shopify/InventoryItem/{variant.inventory_item_id}"
    assert listing.external_product_id == f"gid://shopify/Product/{variant.product_id}"
    assert listing.extra["location_id"] == first_location(fake_shopify)
    assert listing.last_seen_qty == fake_shopify.state.available("LIN-0001-1")
    assert listing.sku == skus["LIN-0001-1"]
    assert listing.push_enabled is True
    assert Listing.objects.filter(account=account, sku__isnull=False).count() == 2


def test_without_a_location_option_a_shop_with_several_locations_is_refused(fake_shopify, shop_connector):
    connector = shop_connector(location_id=None)

    with pytest.raises(ConnectorError) as caught:
        connector.listings_fetch(cursor=None)

    assert "2 active locations" in str(caught.value)
    assert "Main Warehouse" in str(caught.value)


def test_a_shop_with_one_location_needs_no_option(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    fake = FakeShopify(today=TODAY).start()
    try:
        fake.state.seed(seed=2, products=2, locations=1)
        from channels_app.connectors.dto import AccountConfig
        from channels_app.connectors.registry import connector_build

        connector = connector_build(
            kind="shopify",
            config=AccountConfig(
                account_id=1, base_url=fake.url, credentials={"access_token": fake.access_token}
            ),
        )

        page = connector.listings_fetch(cursor=None)

        assert connector.location_id() == first_location(fake)
        assert {item.extra["location_id"] for item in page.listings} == {first_location(fake)}
        assert fake.counters["query:locations"] == 1
    finally:
        fake.stop()


def test_the_location_map_names_the_shopify_location(fake_shopify, shop_connector):
    second = list(fake_shopify.state.locations.values())[1]
    connector = shop_connector(location_id=None, location_map={"WH": str(second.id), "B": second.gid})
    several = shop_connector(
        location_id=None, location_map={"WH": str(second.id), "B": first_location(fake_shopify)}
    )

    assert connector.location_id() == second.gid
    with pytest.raises(ConnectorError):
        several.location_id()


def test_webhooks_are_registered_once_per_topic(fake_shopify, shop_connector):
    connector = shop_connector()
    url = "https://stock.example.com/webhooks/channels/token/"

    connector.webhooks_register(url=url)
    connector.webhooks_register(url=url)

    subscriptions = sorted(
        (s.topic, s.callback_url, s.format) for s in fake_shopify.state.subscriptions.values()
    )
    assert subscriptions == sorted(
        (topic, url, "JSON")
        for topic in (
            "ORDERS_CREATE",
            "ORDERS_UPDATED",
            "ORDERS_CANCELLED",
            "ORDERS_FULFILLED",
            "REFUNDS_CREATE",
        )
    )
    assert fake_shopify.counters["mutation:webhookSubscriptionCreate"] == 5


def test_a_refused_webhook_address_is_an_error(fake_shopify, shop_connector):
    with pytest.raises(ConnectorError) as caught:
        shop_connector().webhooks_register(url="http://stock.example.com/hook/")

    assert "http:// is not supported" in str(caught.value)


def _account_with_stock(shopify_account, stocked, quantities):
    location, skus = stocked(quantities)
    account = shopify_account(page_size=50, location_ids=[location.pk])
    account_listings_import(account=account)
    return account, location, skus


@pytest.mark.django_db
def test_the_poll_takes_in_an_order_whose_webhook_was_lost(fake_shopify, shopify_account, stocked):
    account, location, skus = _account_with_stock(
        shopify_account, stocked, {"LIN-0001-1": 5, "LIN-0002-1": 3}
    )
    account_orders_sync(account_id=account.pk)  # onboarding: nothing open yet
    placed = fake_shopify.place_order(
        lines=[{"sku": "LIN-0001-1", "quantity": 2}, {"sku": "LIN-0002-1", "quantity": 1}]
    )

    counts = account_orders_sync(account_id=account.pk)
    again = account_orders_sync(account_id=account.pk)  # the overlap re-reads it: nothing more

    order = Order.objects.get(channel=account.sales_channel)
    assert order.external_ref == str(placed.id)
    assert counts == {"orders": 1, "applied": 1, "busy": 0}
    assert again == {"orders": 1, "applied": 0, "busy": 0}
    assert sorted(
        (line.sku.code, line.quantity, line.external_line_id) for line in order.lines.all()
    ) == sorted(
        [("LIN-0001-1", 2, str(placed.line_items[0].id)), ("LIN-0002-1", 1, str(placed.line_items[1].id))]
    )
    assert StockLevel.objects.get(sku=skus["LIN-0001-1"], location=location).committed == 2
    assert StockLevel.objects.get(sku=skus["LIN-0002-1"], location=location).committed == 1


@pytest.mark.django_db
def test_the_poll_pages_through_orders_and_their_lines(fake_shopify, shopify_account, stocked):
    account, location, skus = _account_with_stock(shopify_account, stocked, {"LIN-0001-1": 50})
    account.options = {**account.options, "orders_page_size": 2}
    account.save(update_fields=["options"])
    for _ in range(5):
        fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    many = [{"sku": f"LIN-{p:04d}-{v}", "quantity": 1} for p in range(1, 11) for v in (1, 2)]
    many += [{"sku": "LIN-0001-1", "quantity": 1}] * 10  # 30 lines: a second page of line items
    big = fake_shopify.place_order(lines=many, allow_oversell=True)

    counts = account_orders_sync(account_id=account.pk)

    assert counts == {"orders": 6, "applied": 6, "busy": 0}
    assert fake_shopify.counters["query:orders"] == 3
    assert fake_shopify.counters["query:order"] == 1
    assert Order.objects.get(external_ref=str(big.id)).lines.count() == 30
    assert StockLevel.objects.get(sku=skus["LIN-0001-1"], location=location).committed == 16


@pytest.mark.django_db
def test_a_cancellation_seen_by_the_poll_releases_the_reservation(fake_shopify, shopify_account, stocked):
    account, location, skus = _account_with_stock(shopify_account, stocked, {"LIN-0001-1": 5})
    clock_ticking(fake_shopify)
    placed = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 2}])
    account_orders_sync(account_id=account.pk)

    fake_shopify.cancel_order(placed.id)
    account_orders_sync(account_id=account.pk)

    assert Order.objects.get().status == OrderStatus.CANCELLED
    assert StockLevel.objects.get(sku=skus["LIN-0001-1"], location=location).committed == 0


@pytest.mark.django_db
def test_fulfilment_with_tracking_reaches_shopify_once(fake_shopify, shopify_account, stocked):
    account, _, _ = _account_with_stock(shopify_account, stocked, {"LIN-0001-1": 5, "LIN-0002-1": 5})
    placed = fake_shopify.place_order(
        lines=[{"sku": "LIN-0001-1", "quantity": 2}, {"sku": "LIN-0002-1", "quantity": 1}]
    )
    account_orders_sync(account_id=account.pk)
    order = Order.objects.get()
    first_line = order.lines.get(sku__code="LIN-0001-1")
    shipment = FulfilmentDTO(
        order_external_id=order.external_ref,
        lines={first_line.external_line_id: 1},
        carrier="UPS",
        tracking_number="1Z999AA10123456784",
        tracking_url="https://www.ups.com/track?tracknum=1Z999AA10123456784",
    )
    connector = account_connector(account=account)

    connector.fulfilment_push(fulfilment=shipment)
    connector.fulfilment_push(fulfilment=shipment)  # a retry after a lost answer

    fulfilled = fake_shopify.state.orders[placed.id]
    assert len(fulfilled.fulfillments) == 1
    assert fulfilled.fulfillments[0].tracking == [
        {
            "company": "UPS",
            "number": "1Z999AA10123456784",
            "url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
        }
    ]
    assert fulfilled.fulfillments[0].lines == [(placed.line_items[0].id, 1)]
    assert fulfilled.line_items[1].fulfilled_quantity == 0
    assert fake_shopify.counters["mutation:fulfillmentCreate"] == 1


@pytest.mark.django_db
def test_fulfilment_of_an_unknown_order_is_an_error(fake_shopify, shopify_account):
    connector = account_connector(account=shopify_account())

    with pytest.raises(ConnectorError):
        connector.fulfilment_push(fulfilment=FulfilmentDTO(order_external_id="999", lines={"1": 1}))


def test_before_2025_10_webhooks_are_registered_with_callback_url(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    fake = FakeShopify(today=TODAY, supported_versions=["2025-07", "2025-10"]).start()
    try:
        from channels_app.connectors.dto import AccountConfig
        from channels_app.connectors.registry import connector_build

        connector = connector_build(
            kind="shopify",
            config=AccountConfig(
                account_id=1,
                base_url=fake.url,
                credentials={"access_token": fake.access_token},
                options={"api_version": "2025-07", "location_id": "1"},
            ),
        )

        connector.webhooks_register(url="https://stock.example.com/hook/")
        connector.webhooks_register(url="https://stock.example.com/hook/")

        assert (
            sorted(s.callback_url for s in fake.state.subscriptions.values())
            == ["https://stock.example.com/hook/"] * 5
        )
        assert {s.api_version for s in fake.state.subscriptions.values()} == {"2025-07"}
    finally:
        fake.stop()


def test_locations_are_read_across_pages(fake_shopify, shop_connector):
    for number in range(53):
        fake_shopify.state.add_location(f"Pop-up {number}")
    connector = shop_connector(location_id=None)

    locations = connector.locations_fetch()

    assert len(locations) == 55
    assert len({loc["id"] for loc in locations}) == 55
    assert fake_shopify.counters["query:locations"] == 2
