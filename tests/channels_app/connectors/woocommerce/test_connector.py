"""The connector against the fake store: auth, listings, pushes in batches, polls."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import AccountConfig, ListingRef, QuantityUpdate
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.woocommerce.client import transport_problem
from channels_app.connectors.woocommerce.connector import WooCommerceConnector
from channels_app.connectors.woocommerce.inventory import push_batches


def _ref(item: dict) -> ListingRef:
    if item["type"] == "variation":
        return ListingRef(
            external_id=str(item["id"]),
            external_product_id=str(item["parent_id"]),
            external_variant_id=str(item["id"]),
        )
    return ListingRef(external_id=str(item["id"]), external_product_id=str(item["id"]))


def _update(item: dict, quantity: int) -> QuantityUpdate:
    return QuantityUpdate(
        listing=_ref(item), quantity=quantity, expected=None, idempotency_key=f"k{item['id']}"
    )


def test_basic_and_query_auth_both_read_the_store(fake_woo, woo_connector):
    fake_woo.store.product_add(sku="MUG", quantity=3)
    for mode in ("header", "query"):
        page = woo_connector(auth_mode=mode).listings_fetch(cursor=None)
        assert [(x.sku_code, x.quantity) for x in page.listings] == [("MUG", 3)]


def test_a_host_that_drops_the_authorization_header_is_read_with_query_keys(fake_woo, woo_connector):
    fake_woo.store.product_add(sku="MUG", quantity=3)
    fake_woo.drops_authorization = True
    connector = woo_connector()
    assert [x.sku_code for x in connector.listings_fetch(cursor=None).listings] == ["MUG"]
    assert connector.client.auth_mode == "query"
    assert fake_woo.calls["GET products"] == 1  # the refused call is not counted: unauthenticated


def test_a_wrong_secret_is_refused_with_woocommerces_error(fake_woo, woo_connector):
    connector = woo_connector(
        credentials={"consumer_key": fake_woo.consumer_key, "consumer_secret": "cs_wrong"}
    )
    with pytest.raises(ConnectorError) as exc:
        connector.listings_fetch(cursor=None)
    assert exc.value.status == 401
    assert "woocommerce_rest_authentication_error" in exc.value.body


def test_a_store_that_ignores_the_keys_answers_cannot_view(woo_connector, fake_woo):
    fake_woo.behave_as_https = False  # WordPress over plain HTTP ignores Basic and query keys
    with pytest.raises(ConnectorError) as exc:
        woo_connector().listings_fetch(cursor=None)
    assert exc.value.status == 401 and "woocommerce_rest_cannot_view" in exc.value.body


def test_keys_are_never_sent_over_plain_http_to_a_public_host():
    assert transport_problem("http://shop.example/").startswith("WooCommerce keys are only sent over HTTPS")
    assert transport_problem("https://shop.example/") == ""
    assert transport_problem("http://127.0.0.1:8000/") == ""
    config = AccountConfig(
        account_id=1,
        base_url="http://shop.example/",
        credentials={"consumer_key": "ck", "consumer_secret": "cs"},
    )
    with pytest.raises(ConnectorError, match="only sent over HTTPS"):
        WooCommerceConnector(config=config, http=ChannelHttp(base_url="https://shop.example/"))


def test_listings_page_products_and_variations_and_report_unmanaged(fake_woo, woo_connector):
    store = fake_woo.store
    store.product_add(sku="MUG", quantity=3)
    store.product_add(sku="POSTER", manage_stock=False)
    store.variable_add(
        name="Tee",
        variations=[
            {"sku": "TEE-S", "quantity": 4, "option": "S"},
            {"sku": "TEE-M", "manage_stock": "parent", "option": "M"},
        ],
    )
    for n in range(150):
        store.product_add(sku=f"BULK-{n:03}", quantity=n)
    connector = woo_connector()
    listings, cursor, pages = [], None, 0
    while True:
        page = connector.listings_fetch(cursor=cursor)
        listings.extend(page.listings)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 2  # 153 products at 100 a page (X-WP-TotalPages)
    by_sku = {x.sku_code: x for x in listings}
    assert len(listings) == 154
    assert (by_sku["MUG"].quantity, by_sku["MUG"].push_enabled) == (3, True)
    assert (by_sku["POSTER"].quantity, by_sku["POSTER"].push_enabled, by_sku["POSTER"].extra["stock"]) == (
        None, False, "unmanaged",
    )  # fmt: skip
    assert (by_sku["TEE-S"].quantity, by_sku["TEE-S"].title, by_sku["TEE-S"].push_enabled) == (
        4,
        "Tee - S",
        True,
    )
    assert by_sku["TEE-M"].extra["stock"] == "parent_managed" and not by_sku["TEE-M"].push_enabled
    assert by_sku["TEE-S"].external_product_id != by_sku["TEE-S"].external_variant_id


def test_push_sets_products_and_variations_in_batches_of_at_most_100(fake_woo, woo_connector):
    store = fake_woo.store
    simple = [store.product_add(sku=f"S-{n}", quantity=1) for n in range(250)]
    tee = store.variable_add(name="Tee", variations=[{"sku": f"T-{n}", "quantity": 1} for n in range(3)])
    variations = [store.products[i] for i in tee["variations"]]
    updates = [_update(item, 7) for item in simple + variations]
    connector = woo_connector()
    results = []
    for start in range(0, len(updates), connector.batch_max):
        results += connector.quantities_push(updates=updates[start : start + connector.batch_max])
    assert {r.outcome for r in results} == {"ok"} and len(results) == 253
    assert {p["stock_quantity"] for p in simple + variations} == {7}
    assert fake_woo.calls["POST products/batch"] == 3
    assert fake_woo.calls["POST products/{id}/variations/batch"] == 1
    assert connector.quantities_fetch(listings=[_ref(simple[0]), _ref(variations[0])]) == {
        str(simple[0]["id"]): 7,
        str(variations[0]["id"]): 7,
    }


def test_the_fake_refuses_more_than_100_objects_whole_with_413(fake_woo, woo_connector):
    items = [fake_woo.store.product_add(sku=f"S-{n}", quantity=1) for n in range(101)]
    connector = woo_connector()
    with pytest.raises(ConnectorError) as exc:
        connector.client.call(
            "POST", "products/batch", json={"update": [{"id": i["id"], "stock_quantity": 0} for i in items]}
        )
    assert exc.value.status == 413 and "woocommerce_rest_request_entity_too_large" in exc.value.body
    assert {i["stock_quantity"] for i in items} == {1}  # nothing applied
    assert [len(chunk) for _, chunk in push_batches([_update(i, 0) for i in items], limit=100)] == [100, 1]


def test_a_push_to_an_unmanaged_item_is_an_error_for_that_item_only(fake_woo, woo_connector):
    managed = fake_woo.store.product_add(sku="MUG", quantity=3)
    unmanaged = fake_woo.store.product_add(sku="POSTER", manage_stock=False)
    results = woo_connector().quantities_push(updates=[_update(managed, 2), _update(unmanaged, 2)])
    outcomes = {r.external_id: r.outcome for r in results}
    assert outcomes == {str(managed["id"]): "ok", str(unmanaged["id"]): "error"}
    assert (managed["stock_quantity"], unmanaged["stock_quantity"]) == (2, None)


def test_the_poll_skips_unpaid_orders_and_takes_paid_ones(fake_woo, woo_connector):
    fake_woo.store.product_add(sku="MUG", quantity=5)
    pending = fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 1}], status="pending")
    paid = fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 2}])
    page = woo_connector().orders_fetch_changed(since=None, cursor=None)
    assert [(o.external_id, o.status, [line.quantity for line in o.lines]) for o in page.orders] == [
        (str(paid["id"]), "open", [2])
    ]
    assert fake_woo.store.available("MUG") == 3
    fake_woo.store.order_status_set(pending, "processing")
    from datetime import UTC, datetime, timedelta

    page = woo_connector().orders_fetch_changed(since=datetime.now(UTC) - timedelta(hours=1), cursor=None)
    assert sorted(o.external_id for o in page.orders) == sorted([str(paid["id"]), str(pending["id"])])
