"""The Magento connector against the fake store: listings, orders paging, quantities, shipments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError
from config.sandbox.magento import FakeMagento
from tests.channels_app.connectors.magento.conftest import update


def _products(fake, n: int) -> list[str]:
    skus = [f"SKU-{i:03d}" for i in range(n)]
    for sku in skus:
        fake.store.product_add(sku)
    return skus


def test_listings_are_simple_products_with_configurable_children(fake_magento, magento_connector):
    fake_magento.store.product_add("TEE-S")
    fake_magento.store.product_add("TEE-M")
    fake_magento.store.product_add("TEE", type_id="configurable", children=["TEE-S", "TEE-M"])
    fake_magento.store.product_add("CARD", type_id="virtual")
    connector = magento_connector(page_size=2)
    first = connector.listings_fetch(cursor=None)
    second = connector.listings_fetch(cursor=first.next_cursor)
    assert [x.external_id for x in first.listings] == ["TEE-S", "TEE-M"]
    assert [x.external_id for x in second.listings] == ["CARD"]
    assert (first.next_cursor, second.next_cursor) == ("2", None)


def test_orders_poll_stops_on_total_count_and_ignores_the_repeated_last_page(fake_magento, magento_connector):
    _products(fake_magento, 1)
    fake_magento.store.source_item_set("SKU-000", "default", 100)
    ids = [fake_magento.store.buy("SKU-000", 1)["entity_id"] for _ in range(5)]
    connector = magento_connector(page_size=2)
    since = datetime.now(UTC) - timedelta(minutes=5)
    seen, cursor, pages = [], None, 0
    while True:
        page = connector.orders_fetch_changed(since=since, cursor=cursor)
        seen += [o.external_id for o in page.orders]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [str(i) for i in ids]
    assert pages == 3
    assert [dict(r["query"])["searchCriteria[currentPage]"] for r in fake_magento.calls("GET", "orders")] == [
        "1",
        "2",
        "3",
    ]
    # Past the end Magento answers the last page again: the connector returns nothing and stops.
    repeated = connector.orders_fetch_changed(since=since, cursor=f"4:{ids[4]}")
    assert (repeated.orders, repeated.next_cursor) == ([], None)


def test_orders_poll_filters_updated_at_gteq_sorted(fake_magento, magento_connector):
    connector = magento_connector()
    connector.orders_fetch_changed(since=datetime(2026, 5, 1, 10, 0, tzinfo=UTC), cursor=None)
    query = dict(fake_magento.calls("GET", "orders")[0]["query"])
    assert query["searchCriteria[filter_groups][0][filters][0][field]"] == "updated_at"
    assert query["searchCriteria[filter_groups][0][filters][0][value]"] == "2026-05-01 10:00:00"
    assert query["searchCriteria[filter_groups][0][filters][0][condition_type]"] == "gteq"
    assert query["searchCriteria[sortOrders][0][field]"] == "updated_at"
    assert query["searchCriteria[sortOrders][0][direction]"] == "ASC"
    assert query["searchCriteria[sortOrders][1][field]"] == "entity_id"


def test_order_states_map_to_ours(fake_magento, magento_connector):
    store = fake_magento.store
    _products(fake_magento, 1)
    store.source_item_set("SKU-000", "default", 10)
    orders = [store.buy("SKU-000", 1)["entity_id"] for _ in range(6)]
    store.order_touch(orders[1], state="processing", status="processing")
    store.order_touch(orders[2], state="holded", status="holded")
    store.ship(orders[3], items=None, source_code="default", tracks=[])
    store.order_cancel(orders[4])
    store.order_touch(orders[5], state="closed", status="closed")
    page = magento_connector().orders_fetch_changed(since=datetime.now(UTC) - timedelta(hours=1), cursor=None)
    states = {o.external_id: o.status for o in page.orders}
    assert [states[str(i)] for i in orders] == ["open", "open", "open", "fulfilled", "cancelled", "cancelled"]
    shipped = next(o for o in page.orders if o.external_id == str(orders[3]))
    assert (shipped.lines[0].quantity, shipped.lines[0].quantity_fulfilled) == (1, 1)


def test_configurable_lines_are_counted_once(fake_magento, magento_connector):
    store = fake_magento.store
    store.product_add("TEE-S")
    store.product_add("TEE", type_id="configurable", children=["TEE-S"])
    store.source_item_set("TEE-S", "default", 5)
    store.buy("TEE-S", 2, configurable_parent="TEE")
    page = magento_connector().orders_fetch_changed(since=None, cursor=None)
    assert [(line.sku_code, line.quantity) for line in page.orders[0].lines] == [("TEE-S", 2)]


def test_push_writes_figure_plus_magentos_reservations(fake_magento, magento_connector):
    store = fake_magento.store
    _products(fake_magento, 2)
    store.source_item_set("SKU-000", "default", 10)
    store.buy("SKU-000", 3)  # Magento reserves 3 for this open order
    connector = magento_connector()
    results = connector.quantities_push(updates=[update("SKU-000", 7), update("SKU-001", 0)])
    assert sorted((r.external_id, r.outcome) for r in results) == [("SKU-000", "ok"), ("SKU-001", "ok")]
    assert store.items[("SKU-000", "default")] == {
        "sku": "SKU-000",
        "source_code": "default",
        "quantity": 10.0,
        "status": 1,
    }
    assert store.items[("SKU-001", "default")]["status"] == 0
    assert fake_magento.quantities() == {"SKU-000": 7, "SKU-001": 0}
    assert connector.quantities_fetch(listings=[update("SKU-000", 0).listing]) == {"SKU-000": 7}


def test_other_sources_of_the_stock_are_subtracted(fake_magento, magento_connector):
    store = fake_magento.store
    _products(fake_magento, 1)
    store.stock_add(1, "Default Stock", sources=["default", "east"])
    store.source_item_set("SKU-000", "east", 4)
    magento_connector().quantities_push(updates=[update("SKU-000", 6)])
    assert store.source_quantity("SKU-000", "default") == 2
    assert store.salable("SKU-000") == 6
    results = magento_connector().quantities_push(updates=[update("SKU-000", 3)])
    assert results[0].outcome == "error" and "hold 4 units" in results[0].error


def test_input_limiting_sends_batches_of_20(fake_magento, magento_connector):
    fake_magento.input_limits = True
    skus = _products(fake_magento, 45)
    connector = magento_connector(input_limiting=True)
    results = connector.quantities_push(updates=[update(s, 5) for s in skus])
    assert {r.outcome for r in results} == {"ok"} and len(results) == 45
    sizes = [len(r["body"]["sourceItems"]) for r in fake_magento.calls("POST", "inventory/source-items")]
    assert sizes == [20, 20, 5]
    assert fake_magento.quantities()["SKU-044"] == 5


def test_an_input_limit_refusal_resplits_to_the_stores_max(fake_magento, magento_connector):
    fake_magento.input_limits = True
    skus = _products(fake_magento, 45)
    results = magento_connector().quantities_push(updates=[update(s, 1) for s in skus])  # option left off
    assert {r.outcome for r in results} == {"ok"}
    statuses = [
        (len(r["body"]["sourceItems"]), r["status"])
        for r in fake_magento.calls("POST", "inventory/source-items")
    ]
    assert statuses == [(45, 400), (20, 200), (20, 200), (5, 200)]


def test_bulk_push_is_pending_until_magento_processed_it(fake_magento, magento_connector):
    skus = _products(fake_magento, 45)
    connector = magento_connector(bulk=True)
    first = connector.quantities_push(updates=[update(s, 2) for s in skus])
    assert {r.outcome for r in first} == {"pending"}
    bulk = fake_magento.calls("POST", "inventory/source-items")
    assert [(r["prefix"], [len(b["sourceItems"]) for b in r["body"]]) for r in bulk] == [
        ("async/bulk/", [20, 20, 5])
    ]
    token = first[0].submission_id
    assert token.endswith(":2")
    again = connector.quantities_push(updates=[update(skus[0], 2, submission=token)])
    assert [r.outcome for r in again] == ["pending"]  # the consumer has not run
    assert fake_magento.store.bulk_run() == 3
    done = connector.quantities_push(updates=[update(skus[0], 2, submission=token)])
    assert [r.outcome for r in done] == ["ok"]
    assert fake_magento.quantities()[skus[0]] == 2


def test_single_source_store_uses_default_and_msi_absent_is_refused(settings, magento_connector):
    with FakeMagento(mode="single") as single:
        single.store.source_add("east", "hidden in single mode")
        single.store.product_add("A")
        connector = magento_connector(fake=single, source_code="")
        assert connector.msi.source_code() == "default"
        assert connector.quantities_push(updates=[update("A", 4)])[0].outcome == "ok"
        assert single.quantities() == {"A": 4}
    with (
        FakeMagento(mode="absent") as absent,
        pytest.raises(ConnectorError, match="no Magento Inventory \\(MSI\\) modules"),
    ):
        magento_connector(fake=absent, source_code="").quantities_push(updates=[update("A", 4)])


def test_several_sources_need_a_choice(fake_magento, magento_connector):
    with pytest.raises(ConnectorError, match="2 enabled sources; set source_code"):
        magento_connector(source_code="").msi.source_code()
    with pytest.raises(ConnectorError, match="no source 'west'"):
        magento_connector(source_code="west").msi.source_code()
    assert magento_connector(source_code="", location_map={"MAIN": "east"}).msi.source_code() == "east"


def test_shipment_with_track_releases_the_reservation(fake_magento, magento_connector):
    store = fake_magento.store
    _products(fake_magento, 1)
    store.source_item_set("SKU-000", "default", 5)
    order = store.buy("SKU-000", 2)
    line = str(order["items"][0]["item_id"])
    connector = magento_connector()
    fulfilment = FulfilmentDTO(
        order_external_id=str(order["entity_id"]), lines={line: 2}, carrier="UPS", tracking_number="1Z999"
    )
    connector.fulfilment_push(fulfilment=fulfilment)
    body = fake_magento.calls("POST", f"order/{order['entity_id']}/ship")[0]["body"]
    assert body == {
        "items": [{"order_item_id": int(line), "qty": 2}],
        "notify": False,
        "arguments": {"extension_attributes": {"source_code": "default"}},
        "tracks": [{"track_number": "1Z999", "title": "UPS", "carrier_code": "ups"}],
    }
    assert store.orders[order["entity_id"]]["state"] == "complete"
    assert (store.source_quantity("SKU-000", "default"), store.salable("SKU-000")) == (3, 3)
    connector.fulfilment_push(fulfilment=fulfilment)  # a retry after a lost answer sends nothing
    assert len(fake_magento.calls("POST", f"order/{order['entity_id']}/ship")) == 1


def test_a_reused_connector_reads_reservations_afresh_at_each_push(fake_magento, magento_connector):
    store = fake_magento.store
    _products(fake_magento, 1)
    connector = magento_connector()  # the engine keeps one connector per worker thread
    connector.quantities_push(updates=[update("SKU-000", 5)])
    store.buy("SKU-000", 2)
    connector.quantities_push(updates=[update("SKU-000", 3)])
    assert (store.source_quantity("SKU-000", "default"), store.salable("SKU-000")) == (5, 3)
    store.ship(max(store.orders), items=None, source_code="default", tracks=[])
    connector.quantities_push(updates=[update("SKU-000", 3)])
    assert (store.source_quantity("SKU-000", "default"), store.salable("SKU-000")) == (3, 3)
